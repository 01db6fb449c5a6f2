import Foundation
import Testing
@testable import UnsaidSupport

/// The token index finds a string's end from masks of 16- and 64-byte blocks (`StringBlockMasks`,
/// `EscapeScanner`). Each piece is checked against a byte-at-a-time reading of the same bytes, and
/// whole strings against `JSONDecoder`: long, escape-dense, with runs of backslashes and bad bytes
/// placed across every block boundary.
@Suite struct StringBlockScanTests {
    /// Bytes a JSON string's scan treats specially, and plain ones around them.
    private static let alphabet: [UInt8] = Array(#""\\/nu0aA "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]

    private static func randomBytes(_ count: Int, _ generator: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
    }

    /// The masks one comparison at a time, for bytes `bytes[offset..<offset + count]`.
    private static func referenceMasks(_ bytes: [UInt8], offset: Int, count: Int) -> StringBlockMasks {
        var masks = StringBlockMasks.none
        for index in 0..<count {
            let byte = bytes[offset + index]
            let bit: UInt64 = 1 << UInt64(index)
            if byte == UInt8(ascii: "\"") { masks.quote |= bit }
            if byte == UInt8(ascii: "\\") { masks.backslash |= bit }
            if byte < 0x20 { masks.control |= bit }
            if byte >= 0x80 { masks.nonASCII |= bit }
        }
        return masks
    }

    @Test func blockMasksMarkEveryByteAsAComparisonDoes() {
        var generator = SplitMix64(seed: 0xB10C)
        for round in 0..<4_000 {
            let bytes = Self.randomBytes(64 + 7, &generator)
            let offset = round % 8
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                let block = base + offset
                #expect(StringBlockMasks.sixteen(block) == Self.referenceMasks(bytes, offset: offset, count: 16))
                #expect(StringBlockMasks.sixtyFour(block) == Self.referenceMasks(bytes, offset: offset, count: 64))
                #expect(
                    StringBlockMasks.portable(block, count: 16) == Self.referenceMasks(bytes, offset: offset, count: 16)
                )
                #expect(
                    StringBlockMasks.portable(block, count: 64) == Self.referenceMasks(bytes, offset: offset, count: 64)
                )
                let reference = Self.referenceMasks(bytes, offset: offset, count: 64)
                #expect(
                    StringBlockMasks.escapesOfSixtyFour(block) == reference.quote | reference.backslash
                        | reference.control
                )
            }
        }
    }

    /// Escaped bytes found one at a time: a byte is escaped when the byte before it is a
    /// backslash that is not escaped itself.
    private static func referenceEscaped(_ backslashes: [Bool]) -> [Bool] {
        var escaped = [Bool](repeating: false, count: backslashes.count)
        for index in 1..<max(1, backslashes.count) where backslashes[index - 1] && !escaped[index - 1] {
            escaped[index] = true
        }
        return escaped
    }

    @Test func escapeScannerFindsEscapedBytesAcrossBlocks() {
        var generator = SplitMix64(seed: 0xE5CA)
        for round in 0..<20_000 {
            // Sparse to dense backslashes, so runs of every length meet block boundaries.
            let density = 1 + round % 4
            let count = 16 + 64 * 3
            let backslashes = (0..<count).map { _ in generator.next() % UInt64(density + 1) != 0 }
            let expected = Self.referenceEscaped(backslashes)
            var scanner = EscapeScanner()
            var start = 0
            for width in [16, 64, 64, 64] {
                var mask: UInt64 = 0
                for index in 0..<width where backslashes[start + index] { mask |= 1 << UInt64(index) }
                let escaped = scanner.escaped(backslash: mask, width: width)
                for index in 0..<width where ((escaped >> UInt64(index)) & 1 == 1) != expected[start + index] {
                    Issue.record("round \(round): byte \(start + index) read wrongly")
                }
                start += width
            }
        }
    }

    /// Whole strings of hundreds of bytes, read through the index, against `JSONDecoder`.
    @Test func longEscapeDenseStringsReadAsFoundationReadsThem() throws {
        let pieces = [
            #"\""#, #"\\"#, #"\\\\"#, #"\\\""#, #"\/"#, #"\n"#, #"\t"#, #"\b"#, #"\f"#, #"\r"#, #"\u00e9"#,
            #"\u001F"#, #"\ud83d\ude00"#, "é", "中", "😀", " ", "a", "data: {", "chunk", "0123456789abcdef",
        ]
        var generator = SplitMix64(seed: 0x10A6)
        for round in 0..<3_000 {
            var chosen: [String] = []
            for _ in 0..<Int(generator.next() % 120) {
                chosen.append(pieces[Int(generator.next() % UInt64(pieces.count))])
            }
            let padding = String(repeating: " ", count: round % 67)
            let document = Data((padding + #"{"k":""# + chosen.joined() + #"","t":1}"#).utf8)
            guard let read = IndexedJSONDecoder.decode([String: JSONValue].self, from: document) else {
                Issue.record("declined a valid string: \(chosen.joined())")
                continue
            }
            let foundation = try JSONDecoder().decode([String: JSONValue].self, from: document)
            #expect(read == foundation, "\(chosen.joined())")

            // A bad escape, a raw control character, a bare quote, or bad UTF-8 anywhere must stop the read.
            let bad: [[UInt8]] = [
                Array(#"\x"#.utf8), Array(#"\u12G4"#.utf8), Array(#"\'"#.utf8), [0x01], [0x1F], [0x0A],
                Array(#"""#.utf8), [0xC3], [0xFF], [0xE4, 0xB8], [0xED, 0xA0, 0x80], [0xC0, 0xAF],
            ]
            var broken = chosen.map { Array($0.utf8) }
            broken.insert(
                bad[Int(generator.next() % UInt64(bad.count))], at: Int(generator.next() % UInt64(broken.count + 1)))
            let brokenDocument = Data(
                Array(padding.utf8) + Array(#"{"k":""#.utf8) + broken.joined() + Array(#""}"#.utf8))
            #expect(
                IndexedJSONDecoder.decode([String: JSONValue].self, from: brokenDocument) == nil,
                "\(String(decoding: brokenDocument, as: UTF8.self))")
        }
    }

    /// A string may end in any byte of a block, and a line may end right after it: the blocks stop
    /// where they would run past the document and the word scan takes over.
    @Test func stringsEndAtEveryOffsetOfABlock() throws {
        for length in 0..<150 {
            for escapeAtEnd in [false, true] {
                var text = String(repeating: "x", count: length)
                if escapeAtEnd { text += #"\\"# }
                let expected = String(repeating: "x", count: length) + (escapeAtEnd ? "\\" : "")
                let bare = Data(#""\#(text)""#.utf8)
                #expect(IndexedJSONDecoder.decode(String.self, from: bare) == expected, "\(length)")
                let inArray = Data(#"["\#(text)",1]"#.utf8)
                #expect(IndexedJSONDecoder.decode([JSONValue].self, from: inArray) == [.string(expected), .int(1)])
                // Without its closing quote it is not JSON.
                let open = Data(#""\#(text)"#.utf8)
                #expect(IndexedJSONDecoder.decode(String.self, from: open) == nil, "\(length) unclosed")
            }
        }
    }
}
