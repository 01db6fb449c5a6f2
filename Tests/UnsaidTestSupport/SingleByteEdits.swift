import Foundation
import UnsaidSupport

/// A line with one byte replaced, removed or inserted: what the decoder tests feed to a fast
/// reader and to its reference (`JSONDecoder`) to show that a damaged line is never read
/// differently by the two, only declined by the fast one.
package struct SingleByteEdit {
    package var line: Data
    /// Where the edit fell.
    package var position: Int

    /// Bytes an edit puts in: JSON's structure and quote, an escape, a NUL, a letter, digits, a
    /// sign, a decimal point, an exponent, a space, a UTF-8 lead byte without its follower and a
    /// byte that never appears in UTF-8.
    static let replacements = Array(#"{}[],:"\0a-1.eu "#.utf8) + [0xC3, 0xFF]

    /// `count` edits of lines drawn from `lines` (none empty), the same ones for the same seed.
    package static func drawn(from lines: [Data], count: Int, seed: UInt64) -> [SingleByteEdit] {
        var generator = SplitMix64(seed: seed)
        func next() -> Int { Int(generator.next() >> 33) }
        return (0..<count).map { _ in
            var bytes = [UInt8](lines[next() % lines.count])
            let position = next() % bytes.count
            switch next() % 3 {
            case 0: bytes[position] = replacements[next() % replacements.count]
            case 1: bytes.remove(at: position)
            default: bytes.insert(replacements[next() % replacements.count], at: position)
            }
            return SingleByteEdit(line: Data(bytes), position: position)
        }
    }
}
