import Foundation
import Testing
@testable import UnsaidSupport

/// `JCSString` against the escaping rule of RFC 8785 §3.2.2.2 written out byte by byte, and
/// against Foundation's reading of the result.
@Suite struct JCSStringTests {
    /// The rule as the RFC states it, one byte at a time: the reference.
    static func reference(_ text: String) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): output += Array(#"\\"#.utf8)
            case 0x08: output += Array(#"\b"#.utf8)
            case 0x0C: output += Array(#"\f"#.utf8)
            case 0x0A: output += Array(#"\n"#.utf8)
            case 0x0D: output += Array(#"\r"#.utf8)
            case 0x09: output += Array(#"\t"#.utf8)
            case 0..<0x20: output += Array(String(format: "\\u%04x", byte).utf8)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
        return output
    }

    @Test func everyControlCharacterAndSpecialByte() throws {
        for scalar in (0..<0x80).compactMap(Unicode.Scalar.init) {
            let text = "a\(scalar)b"
            var output: [UInt8] = [0x7B]  // appends after what is already there
            JCSString.append(text, to: &output)
            #expect(output == [0x7B] + Self.reference(text), "U+\(String(scalar.value, radix: 16))")
            let decoded = try JSONDecoder().decode(String.self, from: Data(output.dropFirst()))
            #expect(decoded == text)
        }
    }

    @Test func generatedStrings() throws {
        let pieces = [
            "\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "/", "é", "中", "😀", "\u{2028}", "plain text ", "\t\r", "¢",
            "ܐ", "a quote-free run of text",
        ]
        var random = SplitMix64(seed: 0x15C)
        for _ in 0..<2_000 {
            let text = (0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
                .joined()
            var output: [UInt8] = []
            JCSString.append(text, to: &output)
            #expect(output == Self.reference(text), "\(text.debugDescription)")
            #expect(try JSONDecoder().decode(String.self, from: Data(output)) == text)
        }
    }

    /// The bytes are examined eight at a time: every byte that needs escaping, and the bytes
    /// that differ from one only in the high bit (`¢` holds 0xA2, `ܐ` 0xDC, `Ā` 0x80), at every
    /// position of strings long enough to fill several words, alone and in pairs.
    @Test func specialBytesAtEveryPositionOfAWord() throws {
        let specials = ["\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7}", " ", "!", "#", "[", "]", "\u{7F}", "¢", "ܐ", "Ā"]
        for length in 0..<27 {
            for position in 0...length {
                for special in specials {
                    for second in ["", "\"", "\u{1}"] {
                        let text =
                            String(repeating: "a", count: position) + special + second
                            + String(repeating: "b", count: length - position)
                        var output: [UInt8] = []
                        JCSString.append(text, to: &output)
                        #expect(output == Self.reference(text), "\(text.debugDescription)")
                    }
                }
            }
        }
    }

    /// The rule over raw bytes, which need not be UTF-8: the writer escapes bytes, not characters.
    static func reference(bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { byte -> [UInt8] in
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): [UInt8(ascii: "\\"), byte]
            case 0x08: Array(#"\b"#.utf8)
            case 0x0C: Array(#"\f"#.utf8)
            case 0x0A: Array(#"\n"#.utf8)
            case 0x0D: Array(#"\r"#.utf8)
            case 0x09: Array(#"\t"#.utf8)
            case 0..<0x20: Array(String(format: "\\u%04x", byte).utf8)
            default: [byte]
            }
        }
    }

    /// `write(escaping:to:)` into room of exactly `room(forEscaping:)`, with what lies past the
    /// room checked untouched; `words` picks the eight-byte path the long-string path hands its
    /// tail to (and the whole of short strings).
    static func escaped(_ bytes: [UInt8], words: Bool = false) -> [UInt8] {
        let room = JCSString.room(forEscaping: bytes.count)
        let guardBytes = 32
        var output = [UInt8](repeating: 0xEE, count: room + guardBytes)
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer -> Int in
                guard let target = buffer.baseAddress else { return -1 }
                return words ? JCSString.writeByWords(input, to: target) : JCSString.write(escaping: input, to: target)
            }
        }
        #expect(output[room...].allSatisfy { $0 == 0xEE }, "a store past the room")
        return written >= 0 ? Array(output[..<written]) : []
    }

    /// The 64-byte-block path against the rule and against the eight-byte path it replaced for
    /// long strings, on raw bytes: every byte value, invalid UTF-8, multi-byte characters and
    /// escapes at every offset of a block and across the 80-byte tail, runs of escapes (every
    /// byte a `\u00xx`: the room filled exactly) and long escape-free runs, sparse to dense.
    @Test func blockPathMatchesTheRuleOnRawBytes() {
        var random = SplitMix64(seed: 0xE5C4)
        let specials: [UInt8] = [
            0x22, 0x5C, 0x0A, 0x00, 0x01, 0x1F, 0x09, 0x7F, 0x80, 0xBF, 0xC3, 0xE4, 0xF0, 0xFF, 0x20,
        ]
        var inputs: [[UInt8]] = []
        for length in [0, 1, 63, 64, 79, 80, 81, 95, 96, 143, 144, 145, 200, 4095, 4096] {
            for _ in 0..<12 {
                let density = random.next() % 9
                inputs.append(
                    (0..<length).map { _ in
                        random.next() % 8 < density
                            ? specials[Int(random.next() % UInt64(specials.count))]
                            : UInt8(truncatingIfNeeded: random.next())
                    })
            }
            inputs.append([UInt8](repeating: 0x01, count: length))
            inputs.append([UInt8](repeating: UInt8(ascii: "\""), count: length))
            inputs.append([UInt8](repeating: UInt8(ascii: "x"), count: length))
        }
        // Each byte value, and a three-byte character cut by it, at each offset of two blocks.
        for byte in 0...UInt8.max {
            for offset in stride(from: Int(byte) % 7, to: 150, by: 7) {
                var input = [UInt8](repeating: UInt8(ascii: "a"), count: 160)
                input.replaceSubrange(offset..<offset + 4, with: [0xE4, 0xB8, byte, 0xAD])
                inputs.append(input)
            }
        }
        for input in inputs {
            let expected = Self.reference(bytes: input)
            #expect(Self.escaped(input) == expected, "\(input.count) bytes: \(input.prefix(100))")
            #expect(Self.escaped(input, words: true) == expected, "\(input.count) bytes: \(input.prefix(100))")
        }
    }

    /// `CanonicalWriter` escapes in a single pass, straight into room reserved for the longest
    /// escaping, a block of `JCSString.block` input bytes at a time: the rule held at every
    /// position of a word, across block boundaries, and where every byte takes six (the room
    /// filled exactly), written twice into a buffer that starts small and has to grow.
    @Test func writerEscapesInOnePassAsTheRuleSays() {
        var texts: [String] = []
        let specials = ["\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7}", "#", "\u{7F}", "¢", "ܐ", "Ā", "😀"]
        for length in 0..<27 {
            for position in 0...length {
                for special in specials {
                    texts.append(
                        String(repeating: "a", count: position) + special + "\u{1}"
                            + String(repeating: "b", count: length - position))
                }
            }
        }
        let block = JCSString.block
        for length in [block - 1, block, block + 1, 3 * block + 5] {
            for position in [0, 7, 8, block - 9, block - 8, block - 1, block, block + 1, length - 1]
            where position < length {
                for special in ["\"", "\u{3}", "é"] {
                    var text = Array(repeating: "x", count: length)
                    text[position] = special
                    texts.append(text.joined())
                }
            }
            texts.append(String(repeating: "\u{1}", count: length))
            texts.append(String(repeating: "\"", count: length))
        }
        for text in texts {
            var writer = CanonicalWriter(capacity: 1)
            writer.beginArray()
            writer.value(text)
            writer.value(text)
            writer.endArray()
            let reference = Self.reference(text)
            let expected = [UInt8(ascii: "[")] + reference + [UInt8(ascii: ",")] + reference + [UInt8(ascii: "]")]
            #expect(writer.bytes == expected, "\(text.prefix(80).debugDescription) (\(text.utf8.count) bytes)")
        }
    }
}
