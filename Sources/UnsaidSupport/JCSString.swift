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
    /// in place by `write(escaping:to:)`. A string with nothing to escape is copied at once. An
    /// array has no room beyond its count to write into, hence the count first; `CanonicalWriter`,
    /// which writes records, reserves the longest escaping instead and makes a single pass.
    static func append(utf8 bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let extra = escapedExtraBytes(bytes)
        output.append(UInt8(ascii: "\""))
        if extra == 0 {
            output.append(contentsOf: bytes)
            output.append(UInt8(ascii: "\""))
            return
        }
        let start = output.count
        // Sixteen bytes beyond the escaped string for the last sixteen-byte copy, then dropped.
        output.append(contentsOf: repeatElement(0, count: bytes.count + extra + 16))
        output.withUnsafeMutableBufferPointer { buffer in
            guard let target = buffer.baseAddress else { return }
            _ = write(escaping: bytes, to: target + start)
        }
        output.removeLast(16)
        output.append(UInt8(ascii: "\""))
    }

    /// Input bytes a caller escapes at a time when it reserves `room(forEscaping:)` for each block:
    /// long strings go in blocks so that room stays small (a 16 MiB answer would otherwise ask
    /// for 96 MiB).
    static let block = 4096

    /// The most bytes `write(escaping:to:)` stores for `count` input bytes: six for each (every
    /// byte a control character written `\u00xx`), and sixteen for the last sixteen-byte copy,
    /// which may reach past the last byte written.
    static func room(forEscaping count: Int) -> Int { 6 * count + 16 }

    /// Writes `bytes` escaped (without the quotes) at `target`, which must have room for
    /// `room(forEscaping: bytes.count)` bytes or for the escaped length and sixteen more; returns
    /// how many bytes were written (what lies beyond them is scratch).
    ///
    /// A stream chunk's text is JSON, with a `"` every seven bytes or so, so what escaping costs
    /// is what each escape costs. Blocks of 64 bytes are searched at once for the bytes to
    /// escape (`StringBlockMasks.escapesOfSixtyFour`), and each such byte in turn costs the same
    /// few steps with no branch on what it is: the bytes since the last escape copied sixteen at
    /// a time (one copy, mostly), its escape stored as one word from `escapeWords`, the output's
    /// lead over the input grown by the escape's length less one. The last 80 bytes or fewer,
    /// where a sixteen-byte load could pass the end of the input, and short strings go through
    /// `writeByWords`.
    static func write(escaping bytes: UnsafeBufferPointer<UInt8>, to target: UnsafeMutablePointer<UInt8>) -> Int {
        guard let source = bytes.baseAddress else { return 0 }
        let count = bytes.count
        // Loads of 16 bytes start before the next escape, which lies in the current block.
        let margin = 64 + 16
        guard count >= margin else { return writeByWords(bytes, to: target) }
        // Where the byte at input offset i goes is i + lead, once the bytes before it are placed.
        var lead = 0
        // The first input byte not yet copied.
        var pending = 0
        var block = 0
        escapeWords.withUnsafeBufferPointer { words in
            guard let escapes = words.baseAddress else { return }
            while block + margin <= count {
                var mask = StringBlockMasks.escapesOfSixtyFour(source + block)
                while mask != 0 {
                    let at = block &+ mask.trailingZeroBitCount
                    copy(from: pending, upTo: at, source, to: target, lead: lead)
                    let escape = escapes[Int(source[at])]
                    UnsafeMutableRawPointer(target + (at &+ lead)).storeBytes(of: escape.littleEndian, as: UInt64.self)
                    lead &+= Int(truncatingIfNeeded: escape &>> 56) &- 1
                    pending = at &+ 1
                    mask &= mask &- 1
                }
                block &+= 64
            }
            copy(from: pending, upTo: block, source, to: target, lead: lead)
        }
        // The loop's last escape may have been the block's last byte.
        let done = max(block, pending)
        let rest = UnsafeBufferPointer(start: source + done, count: count - done)
        return done + lead + writeByWords(rest, to: target + done + lead)
    }

    /// Copies input bytes `start..<end` to their place, sixteen at a time, and at least once (when
    /// `end <= start` the copy is scratch); the last copy may store up to fifteen bytes past them,
    /// which the writes after it overwrite.
    @inline(__always)
    private static func copy(
        from start: Int, upTo end: Int, _ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>,
        lead: Int
    ) {
        var offset = start
        repeat {
            let chunk = UnsafeRawPointer(source + offset).loadUnaligned(as: SIMD16<UInt8>.self)
            UnsafeMutableRawPointer(target + (offset &+ lead)).storeBytes(of: chunk, as: SIMD16<UInt8>.self)
            offset &+= 16
        } while offset < end
    }

    /// The escape of each byte that needs one, as `writeEscape` writes it, in the low bytes of a
    /// word whose top byte is its length (the byte past the escape is scratch to the writer, so
    /// the word is stored whole); zero for the other bytes, which never index it.
    private static let escapeWords: [UInt64] = (0...UInt8.max).map { byte in
        guard needsEscape(byte) else { return 0 }
        var escape = [UInt8](repeating: 0, count: 8)
        let length = escape.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { writeEscape(of: byte, to: $0) } ?? 0
        }
        // The eighth byte is zero (an escape takes at most six) and becomes the length.
        return escape.reversed().reduce(0) { word, byte in word << 8 | UInt64(byte) } | UInt64(length) << 56
    }

    /// `write(escaping:to:)` for short strings and the ends of long ones, under the same
    /// contract: eight bytes are copied at once, and the bytes among them that need escaping are
    /// escaped one after another, the rest of the word stored again behind each (see
    /// `EscapeMask`). An eight-byte store never runs past the room: it is made only while at
    /// least one byte of its word is left to place, and each byte takes at most six bytes.
    static func writeByWords(_ bytes: UnsafeBufferPointer<UInt8>, to target: UnsafeMutablePointer<UInt8>) -> Int {
        guard let source = bytes.baseAddress else { return 0 }
        var written = 0
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
            UnsafeMutableRawPointer(target + written).storeBytes(of: word, as: UInt64.self)
            var mask = EscapeMask(word: word).all
            if mask == 0 {
                index += 8
                written += 8
                continue
            }
            // Every byte to escape in this word in turn, without reading the word again: the
            // bytes before it are in place (stored above or after the last escape), the escape
            // goes after them, and the rest of the word is stored once more behind the escape.
            var placed = 0
            repeat {
                let offset = Int(truncatingIfNeeded: mask.trailingZeroBitCount >> 3)
                written += offset - placed
                written += writeEscape(of: source[index + offset], to: target + written)
                placed = offset + 1
                mask &= mask &- 1
                if placed < 8 {
                    let rest = UInt64(littleEndian: word) >> (8 * UInt64(placed))
                    UnsafeMutableRawPointer(target + written).storeBytes(of: rest.littleEndian, as: UInt64.self)
                }
            } while mask != 0
            written += 8 - placed
            index += 8
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
        return written
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
        // `"` and `\\` are the only bytes from 0x20 up to escape, and the commonest by far (JSON
        // text inside stream chunks).
        if byte >= 0x20 {
            target[1] = byte
            return 2
        }
        switch byte {
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
