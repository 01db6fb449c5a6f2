import Foundation

/// Tiny helpers for writing provider wire bytes by hand: JSON with the key order a provider
/// uses (`CanonicalJSON` would sort it), SSE framing, and token-sized pieces of text. Used only
/// by the catalogue source that (re)writes `Tests/Fixtures`; the fixtures themselves are the truth.
indirect enum WireJSON {
    case object([(String, WireJSON)])
    case array([WireJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func int(_ value: Int) -> WireJSON { .number(String(value)) }

    /// Compact JSON, keys in the order given, non-ASCII left as UTF-8 (as most providers send it).
    var text: String {
        switch self {
        case .object(let fields):
            return "{" + fields.map { "\(Self.quote($0.0)):\($0.1.text)" }.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .string(let value):
            return Self.quote(value)
        case .number(let value):
            return value
        case .bool(let value):
            return value ? "true" : "false"
        case .null:
            return "null"
        }
    }

    private static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

enum WireText {
    /// One SSE `data:` event.
    static func sse(_ json: WireJSON) -> String {
        "data: \(json.text)\n\n"
    }

    static let done = "data: [DONE]\n\n"

    /// Splits text into token-sized deltas: a word with its leading space, or for CJK text a
    /// couple of characters, as tokenisers roughly do.
    static func tokens(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            let isCJK = character.unicodeScalars.contains { $0.value >= 0x2E80 }
            if isCJK {
                current.append(character)
                if current.count >= 2 {
                    pieces.append(current)
                    current = ""
                }
            } else if character == " " && !current.isEmpty && current.last != " " {
                pieces.append(current)
                current = " "
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}
