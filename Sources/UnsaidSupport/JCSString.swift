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
    /// in place, eight bytes at a time up to each byte to escape. A string with nothing to escape
    /// (most answer text) is copied at once. Both passes look at eight bytes at a time (see
    /// `EscapeMask`): a stream chunk's text is JSON, with a quote every few bytes, and escaping it
    /// byte by byte was a visible share of every record written.
    static func append(utf8 bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let extra = escapedExtraBytes(bytes)
        output.append(UInt8(ascii: "\""))
        if extra == 0 {
            output.append(contentsOf: bytes)
            output.append(UInt8(ascii: "\""))
            return
        }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bytes.count + extra))
        output.withUnsafeMutableBufferPointer { buffer in
            guard let source = bytes.baseAddress, let target = buffer.baseAddress else { return }
            var written = start
            var index = 0
            // Eight bytes are copied at once up to the first that needs escaping, which is
            // escaped, and the next eight are read from the byte after it. The store never runs
            // past the output: what is left of it is at least what is left of the input.
            while index + 8 <= bytes.count {
                let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(target + written).storeBytes(of: word, as: UInt64.self)
                let mask = EscapeMask(word: word).all
                if mask == 0 {
                    index += 8
                    written += 8
                    continue
                }
                let offset = mask.trailingZeroBitCount >> 3
                written += offset
                written += writeEscape(of: source[index + offset], to: target + written)
                index += offset + 1
            }
            while index < bytes.count {
                let byte = source[index]
                if needsEscape(byte) {
                    written += writeEscape(of: byte, to: target + written)
                } else {
                    target[written] = byte
                    written += 1
                }
                index += 1
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// How many bytes escaping adds: one per escaped byte, five for a control character that
    /// has no short form.
    private static func escapedExtraBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let source = bytes.baseAddress else { return 0 }
        var extra = 0
        var index = 0
        while index + 8 <= bytes.count {
            let mask = EscapeMask(UnsafeRawPointer(source + index))
            if mask.control == 0 {
                extra += mask.all.nonzeroBitCount
            } else {
                for byte in UnsafeBufferPointer(start: source + index, count: 8) where needsEscape(byte) {
                    extra += escapeLength(byte) - 1
                }
            }
            index += 8
        }
        for byte in UnsafeBufferPointer(start: source + index, count: bytes.count - index) where needsEscape(byte) {
            extra += escapeLength(byte) - 1
        }
        return extra
    }

    /// Writes the escape for a byte that needs one; returns its length.
    @inline(__always)
    private static func writeEscape(of byte: UInt8, to target: UnsafeMutablePointer<UInt8>) -> Int {
        target[0] = UInt8(ascii: "\\")
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): target[1] = byte
        case 0x08: target[1] = UInt8(ascii: "b")
        case 0x0C: target[1] = UInt8(ascii: "f")
        case 0x0A: target[1] = UInt8(ascii: "n")
        case 0x0D: target[1] = UInt8(ascii: "r")
        case 0x09: target[1] = UInt8(ascii: "t")
        default:
            target[1] = UInt8(ascii: "u")
            target[2] = UInt8(ascii: "0")
            target[3] = UInt8(ascii: "0")
            target[4] = hexDigit(byte >> 4)
            target[5] = hexDigit(byte & 0x0F)
            return 6
        }
        return 2
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

/// The bytes among eight that JSON must escape, found with word arithmetic (no branch per byte),
/// for the canonical writer here and for the record decoder's string scan (`TokenIndex`):
/// the high bit of each byte of a mask is set where that byte is of the mask's kind (a control
/// character, `"` or `\\`; or non-ASCII), and every other bit is clear. Each test is exact per byte — no carry crosses from one
/// byte into the next — so the masks can be counted and walked with bit operations.
struct EscapeMask {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Bytes below 0x20.
    let control: UInt64
    /// Bytes below 0x20, `"` and `\\`.
    let all: UInt64
    /// Bytes of 0x80 and above (not escaped, but where a decoder's plain ASCII ends).
    let nonASCII: UInt64

    /// Reads eight bytes at `bytes` (any alignment).
    @inline(__always)
    init(_ bytes: UnsafeRawPointer) {
        self.init(word: bytes.loadUnaligned(as: UInt64.self))
    }

    /// Eight bytes as loaded from memory; bit 8k+7 of a mask is the k-th of them.
    @inline(__always)
    init(word loaded: UInt64) {
        let word = UInt64(littleEndian: loaded)
        // (low seven bits + 0x60) reaches the high bit exactly when they are ≥ 0x20; or-ing the
        // word adds bytes ≥ 0x80. What is left clear is a byte below 0x20.
        control = ~(((word & Self.lowBits) &+ Self.ones &* 0x60) | word) & Self.highBits
        all = control | Self.equal(word, UInt8(ascii: "\"")) | Self.equal(word, UInt8(ascii: "\\"))
        nonASCII = word & Self.highBits
    }

    /// High bits of the bytes of `word` equal to `byte`: those that are zero after xor.
    @inline(__always)
    private static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (ones &* UInt64(byte))
        return ~(((difference & lowBits) &+ lowBits) | difference) & highBits
    }
}
