import Foundation

/// Text from outside (server answers, file contents) made safe to print: a hostile server could
/// otherwise move the cursor, rewrite earlier lines, set the window title or worse with escape
/// sequences.
package enum TerminalText {
    /// Removes ANSI/VT escape sequences (CSI, OSC, and two-character ESC sequences) and every
    /// other control character except tab and newline; C1 controls (U+0080–U+009F) too, since
    /// some terminals read U+009B as CSI.
    package static func sanitize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B:
                skipEscapeSequence(&scalars)
            case 0x09, 0x0A:
                result.append(scalar)
            case 0x00..<0x20, 0x7F, 0x80...0x9F:
                continue
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// Consumes what follows an ESC: `[ … final byte` (CSI), `] … BEL or ESC \` (OSC and the
    /// other string sequences), or one more character.
    private static func skipEscapeSequence(_ scalars: inout String.UnicodeScalarView.Iterator) {
        guard let introducer = scalars.next() else { return }
        switch introducer {
        case "[":
            while let scalar = scalars.next() {
                if (0x40...0x7E).contains(scalar.value) { return }
            }
        case "]", "P", "X", "^", "_":
            var previousWasEscape = false
            while let scalar = scalars.next() {
                if scalar.value == 0x07 || (previousWasEscape && scalar == "\\") { return }
                previousWasEscape = scalar.value == 0x1B
            }
        default:
            return
        }
    }
}
