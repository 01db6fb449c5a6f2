import Foundation

/// Escaping for text that came from a model, a provider or a suite file, before it goes into
/// HTML or XML. Every renderer that writes markup passes such text through here.
package enum XMLEscaping {
    /// Safe in element content and in double- or single-quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // XML 1.0 forbids most C0 controls even as references; a provider's garbage bytes
                // must not make the JUnit file unreadable, so they become U+FFFD.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\r" && scalar != "\t" {
                    out += "\u{FFFD}"
                } else if scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
