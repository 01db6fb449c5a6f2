#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Where the bytes that matter inside a JSON string lie in one block of 16 or 64 bytes, one bit a
/// byte (bit i for the block's byte i): the token index finds a string's end and checks its body
/// from these instead of walking to each escape in turn. An archived stream chunk is a long string
/// of escaped JSON, a `\"` every few bytes, and walking escape by escape was a ninth of `rescore`.
///
/// On x86-64 a block is compared 16 bytes at a time with SSE2 (which every x86-64 has); elsewhere
/// eight bytes at a time in a general-purpose register (`portable`), which the tests compare with
/// the SSE2 masks on every input they try.
struct StringBlockMasks: Equatable {
    /// `"` bytes.
    var quote: UInt64
    /// `\` bytes.
    var backslash: UInt64
    /// Bytes below 0x20, which a JSON string may not hold unescaped.
    var control: UInt64
    /// Bytes of 0x80 and above.
    var nonASCII: UInt64

    static let none = StringBlockMasks(quote: 0, backslash: 0, control: 0, nonASCII: 0)

    /// The masks of the 16 bytes at `bytes` (any alignment).
    @inline(__always)
    static func sixteen(_ bytes: UnsafeRawPointer) -> StringBlockMasks {
        #if arch(x86_64)
        sse2(bytes)
        #else
        portable(bytes, count: 16)
        #endif
    }

    /// The masks of the 64 bytes at `bytes` (any alignment).
    @inline(__always)
    static func sixtyFour(_ bytes: UnsafeRawPointer) -> StringBlockMasks {
        var masks = sixteen(bytes)
        for part in 1..<4 { masks.append(sixteen(bytes + part &* 16), at: part &* 16) }
        return masks
    }

    /// The bytes of the 64 at `bytes` (any alignment) that a JSON string must escape — `"`, `\\`
    /// and those below 0x20 — in one mask: `quote | backslash | control` of `sixtyFour`, with the
    /// three comparisons of each 16 bytes joined before their bits are gathered, for the canonical
    /// writer's escaping (`JCSString`).
    @inline(__always)
    static func escapesOfSixtyFour(_ bytes: UnsafeRawPointer) -> UInt64 {
        #if arch(x86_64)
        var mask: UInt64 = 0
        for part in 0..<4 { mask |= sse2Escapes(bytes + part &* 16) &<< UInt64(part &* 16) }
        return mask
        #else
        let masks = portable(bytes, count: 64)
        return masks.quote | masks.backslash | masks.control
        #endif
    }

    @inline(__always)
    private mutating func append(_ other: StringBlockMasks, at shift: Int) {
        quote |= other.quote &<< UInt64(shift)
        backslash |= other.backslash &<< UInt64(shift)
        control |= other.control &<< UInt64(shift)
        nonASCII |= other.nonASCII &<< UInt64(shift)
    }

    /// The masks of `count` bytes (a multiple of 8, at most 64) compared eight at a time: the
    /// high bit of each byte marks a match, then the eight high bits are gathered into eight
    /// adjacent bits by one multiplication.
    @inline(__always)
    static func portable(_ bytes: UnsafeRawPointer, count: Int) -> StringBlockMasks {
        var masks = StringBlockMasks.none
        var offset = 0
        while offset < count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let control = ~(((word & lowBits) &+ 0x6060_6060_6060_6060) | word) & highBits
            let part = StringBlockMasks(
                quote: gathered(equal(word, UInt8(ascii: "\""))),
                backslash: gathered(equal(word, UInt8(ascii: "\\"))),
                control: gathered(control), nonASCII: gathered(word & highBits))
            masks.append(part, at: offset)
            offset += 8
        }
        return masks
    }

    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// High bits of the bytes of `word` equal to `byte`: those that are zero after xor.
    @inline(__always)
    private static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return ~(((difference & lowBits) &+ lowBits) | difference) & highBits
    }

    /// Bit 8k+7 of `highs` moved to bit k. Each byte's bit lands on its own place in the top byte
    /// of the product, and no two partial products share a bit, so nothing carries.
    @inline(__always)
    private static func gathered(_ highs: UInt64) -> UInt64 {
        ((highs &>> 7) &* 0x0102_0408_1020_4080) &>> 56
    }

    #if arch(x86_64)
    @inline(__always)
    static func sse2(_ bytes: UnsafeRawPointer) -> StringBlockMasks {
        let vector = unsafeBitCast(bytes.loadUnaligned(as: SIMD16<UInt8>.self), to: __m128i.self)
        // A byte is below 0x20 when the unsigned minimum of it and 0x1F is itself.
        let belowSpace = _mm_cmpeq_epi8(_mm_min_epu8(vector, _mm_set1_epi8(0x1F)), vector)
        return StringBlockMasks(
            quote: bits(_mm_cmpeq_epi8(vector, _mm_set1_epi8(Int8(UInt8(ascii: "\""))))),
            backslash: bits(_mm_cmpeq_epi8(vector, _mm_set1_epi8(Int8(UInt8(ascii: "\\"))))),
            control: bits(belowSpace), nonASCII: bits(vector))
    }

    @inline(__always)
    static func sse2Escapes(_ bytes: UnsafeRawPointer) -> UInt64 {
        let vector = unsafeBitCast(bytes.loadUnaligned(as: SIMD16<UInt8>.self), to: __m128i.self)
        let belowSpace = _mm_cmpeq_epi8(_mm_min_epu8(vector, _mm_set1_epi8(0x1F)), vector)
        let quote = _mm_cmpeq_epi8(vector, _mm_set1_epi8(Int8(UInt8(ascii: "\""))))
        let backslash = _mm_cmpeq_epi8(vector, _mm_set1_epi8(Int8(UInt8(ascii: "\\"))))
        return bits(_mm_or_si128(_mm_or_si128(belowSpace, quote), backslash))
    }

    /// The high bit of each of the 16 bytes.
    @inline(__always)
    private static func bits(_ vector: __m128i) -> UInt64 {
        UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(vector)))
    }
    #endif
}

/// Which bytes of consecutive blocks are escaped — follow an odd run of backslashes — from the
/// blocks' backslash masks, without visiting the backslashes one by one (the carry-and-parity
/// method of simdjson's escape scanner). A run of backslashes alternates escape and escaped byte
/// from where it starts; subtracting each run's start from a mask of the odd bits makes the runs
/// that start on an even byte flip parity, which the xor with the odd bits then lines up.
struct EscapeScanner {
    /// 1 when the first byte of the next block is escaped (the last block ended in an escape).
    private(set) var carry: UInt64 = 0

    private static let oddBits: UInt64 = 0xAAAA_AAAA_AAAA_AAAA

    /// The escaped bytes of the next block of `width` bytes (16 or 64), given its backslashes;
    /// bits at and above `width` are meaningless.
    @inline(__always)
    mutating func escaped(backslash: UInt64, width: Int) -> UInt64 {
        // A backslash that is itself escaped starts nothing.
        let potentialEscape = backslash & ~carry
        let maybeEscaped = potentialEscape &<< 1
        let escapeAndEscaped = ((maybeEscaped | Self.oddBits) &- potentialEscape) ^ Self.oddBits
        let escaped = escapeAndEscaped ^ (backslash | carry)
        // Borrows and shifts only move up, so the block's own bits never see the garbage above it.
        carry = ((escapeAndEscaped & backslash) &>> UInt64(width &- 1)) & 1
        return escaped
    }
}
