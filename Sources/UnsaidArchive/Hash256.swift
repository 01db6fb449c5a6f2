/// A SHA-256 held as four words rather than 64 hex characters; nil for anything that is not
/// exactly 64 lower-case hex digits.
package struct Hash256: Sendable, Equatable {
    package var words: (UInt64, UInt64, UInt64, UInt64)

    package init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var values: [UInt64] = [0, 0, 0, 0]
        for (position, character) in hex.utf8.enumerated() {
            let nibble: UInt64
            switch character {
            case 0x30...0x39: nibble = UInt64(character - 0x30)
            case 0x61...0x66: nibble = UInt64(character - 0x61 + 10)
            default: return nil
            }
            values[position / 16] = values[position / 16] << 4 | nibble
        }
        words = (values[0], values[1], values[2], values[3])
    }

    /// The 64 lower-case hex digits it was read from.
    package var hex: String {
        String(unsafeUninitializedCapacity: 64) { output in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            for word in [words.0, words.1, words.2, words.3] {
                for shift in stride(from: 60, through: 0, by: -4) {
                    output[index] = digits.utf8Start[Int((word >> UInt64(shift)) & 0xF)]
                    index += 1
                }
            }
            return 64
        }
    }

    package static func == (lhs: Hash256, rhs: Hash256) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }
}
