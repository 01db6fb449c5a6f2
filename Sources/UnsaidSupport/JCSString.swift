/// JSON strings as RFC 8785 (JCS) §3.2.2.2 writes them: quoted, with the fewest escapes JSON
/// allows — `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx` in
/// lower-case hex — and every other character as its raw UTF-8 bytes (`/`, DEL, U+2028 included).
/// A Swift `String` is always well-formed Unicode, so the output is always valid UTF-8.
enum JCSString {
    static func append(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { append(utf8: $0, to: &output) }
    }

    /// One pass finds how long the escaped string is; the output then grows once and is written
    /// in place. A string with nothing to escape (most answer text) is copied whole. Appending
    /// run by run cost a share of every record written: a stream chunk's text is JSON, with a
    /// quote every few bytes.
    static func append(utf8 bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var extra = 0
        for byte in bytes where needsEscape(byte) {
            extra += escapeLength(byte) - 1
        }
        output.append(UInt8(ascii: "\""))
        if extra == 0 {
            output.append(contentsOf: bytes)
            output.append(UInt8(ascii: "\""))
            return
        }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bytes.count + extra))
        output.withUnsafeMutableBufferPointer { buffer in
            var position = start
            for byte in bytes {
                if !needsEscape(byte) {
                    buffer[position] = byte
                    position += 1
                    continue
                }
                buffer[position] = UInt8(ascii: "\\")
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer[position + 1] = byte
                case 0x08: buffer[position + 1] = UInt8(ascii: "b")
                case 0x0C: buffer[position + 1] = UInt8(ascii: "f")
                case 0x0A: buffer[position + 1] = UInt8(ascii: "n")
                case 0x0D: buffer[position + 1] = UInt8(ascii: "r")
                case 0x09: buffer[position + 1] = UInt8(ascii: "t")
                default:
                    buffer[position + 1] = UInt8(ascii: "u")
                    buffer[position + 2] = UInt8(ascii: "0")
                    buffer[position + 3] = UInt8(ascii: "0")
                    buffer[position + 4] = hexDigit(byte >> 4)
                    buffer[position + 5] = hexDigit(byte & 0x0F)
                }
                position += escapeLength(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Bytes of the escape for a byte that needs one: `\x` for the seven with a short form, else `\u00xx`.
    @inline(__always)
    private static func escapeLength(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x0C, 0x0A, 0x0D, 0x09: 2
        default: 6
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
