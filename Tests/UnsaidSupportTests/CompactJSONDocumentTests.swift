import Foundation
import Testing
@testable import UnsaidSupport

/// A text read a piece at a time into a `CompactJSONDocument` (long strings left in the "file"),
/// then decoded from it, against the same text decoded whole by `IndexedJSONDecoder`: wherever the
/// compact reading gives a value it must be the whole reading's, and on the texts Unsaid writes it
/// must give one, however the pieces fall across escapes and UTF-8 sequences.
@Suite struct CompactJSONDocumentTests {
    /// The text as a file: long strings are read back from it.
    final class Source: ExternalStringSource {
        let bytes: [UInt8]
        /// Byte ranges asked for, in order.
        private(set) var reads: [Range<Int>] = []

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
            guard offset >= 0, offset + buffer.count <= bytes.count else { return false }
            reads.append(offset..<(offset + buffer.count))
            bytes.withUnsafeBytes { whole in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: whole[offset..<(offset + buffer.count)]))
            }
            return true
        }
    }

    /// The document built from `bytes` fed in pieces of `piece` bytes, as if the text started at
    /// `start` in its file (the source holds that many bytes of something else first).
    static func compact(
        _ bytes: [UInt8], piece: Int, longString: Int, start: Int = 0
    ) -> (CompactJSONDocument?, Source) {
        var builder = CompactJSONBuilder(startingAt: start, longString: longString)
        var offset = 0
        bytes.withUnsafeBytes { all in
            while offset < all.count {
                let end = min(all.count, offset + piece)
                builder.append(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        return (builder.finish(), Source([UInt8](repeating: 0x20, count: start) + bytes))
    }

    struct Message: Codable, Equatable {
        var role: String
        var content: String
        var parts: [String]
        var extra: [String: JSONValue]?
        var count: Int
    }

    /// Text with everything a string body can hold: escapes of each kind (a surrogate pair among
    /// them), raw two-, three- and four-byte UTF-8, quotes and backslashes, in runs long enough to
    /// cross pieces and the 64 KiB blocks long strings are read back in.
    static func text(_ random: inout SplitMix64, length: Int) -> String {
        let alphabet: [String] = [
            "a", "b", "Freedom ", "\n", "\"", "\\", "/", "\t", "\u{08}", "\u{0C}", "\r", "\u{01}", "\u{1F}",
            "é", "中", "😀", "\u{7F}", "ß", "\u{FFFD}", " ",
        ]
        var text = ""
        while text.utf8.count < length { text += alphabet[Int(random.next() % UInt64(alphabet.count))] }
        return text
    }

    static func messages(
        seed: UInt64, lengths: [Int] = [0, 1, 15, 16, 17, 63, 64, 65, 200, 1_000, 70_000]
    ) -> [Message] {
        var random = SplitMix64(seed: seed)
        return (0..<6).map { index in
            Message(
                role: "user", content: text(&random, length: lengths[Int(random.next() % UInt64(lengths.count))]),
                parts: (0..<3).map { _ in text(&random, length: lengths[Int(random.next() % UInt64(lengths.count))]) },
                extra: index % 2 == 0 ? ["note": .string(text(&random, length: 300)), "n": .int(7)] : nil,
                count: index)
        }
    }

    static let pieces = [1, 2, 3, 7, 64, 65, 1_000, 1 << 20]
    /// Thresholds above the longest key (a long key declines, see `aLongKeyDeclines`).
    static let longStrings = [8, 16, 64, 100_000]

    @Test func piecesAnywhereReadAsTheWholeText() throws {
        for seed in 0..<3 as Range<UInt64> {
            let value = Self.messages(seed: seed)
            let bytes = [UInt8](try CanonicalJSON.encode(value))
            let whole = try #require(IndexedJSONDecoder.decode([Message].self, from: Data(bytes)))
            #expect(whole == value)
            for piece in Self.pieces {
                for longString in Self.longStrings {
                    let (document, source) = Self.compact(bytes, piece: piece, longString: longString, start: 11)
                    let context = "seed \(seed), pieces of \(piece), long strings past \(longString)"
                    let compact = try #require(document, "\(context)")
                    let read = IndexedJSONDecoder.decode([Message].self, from: compact, reading: source)
                    let same = read == whole
                    #expect(same, "\(context)")
                    // Long strings are left out: the compact text holds no more than the rest.
                    let left = compact.strings.reduce(0) { $0 + $1.length }
                    #expect(compact.bytes.count + left == bytes.count, "\(context)")
                }
            }
        }
    }

    /// `\u` escapes (surrogate pairs among them) in strings long enough to be read back from the
    /// file in several blocks, so that some escape is cut by a block's end wherever the pattern
    /// falls, each piece size cutting them elsewhere as they are fed.
    @Test(arguments: [0, 1, 5, 11])
    func escapesCutByBlocksReadAsTheWholeText(shift: Int) throws {
        let unit = #"xyz\ud83d\ude00\u00e9\n\"中"#
        let body = String(repeating: "a", count: shift) + String(repeating: unit, count: 140_000 / unit.utf8.count)
        let text = Array("[\"\(body)\",\"short\",\"\(String(repeating: unit, count: 3))\"]".utf8)
        let whole = try #require(IndexedJSONDecoder.decode([String].self, from: Data(text)))
        #expect(whole == (try JSONDecoder().decode([String].self, from: Data(text))))
        for piece in [1, 3, 7, 4096, 1 << 20] {
            let (document, source) = Self.compact(text, piece: piece, longString: 64)
            let compact = try #require(document)
            #expect(
                IndexedJSONDecoder.decode([String].self, from: compact, reading: source) == whole, "pieces of \(piece)")
        }
    }

    /// What the caller does not read is never read from the file.
    struct RoleOnly: Decodable, Equatable {
        var role: String
        var count: Int
    }

    @Test func stringsNotReadAreNeverFetched() throws {
        let value = Self.messages(seed: 9)
        let bytes = [UInt8](try CanonicalJSON.encode(value))
        let (document, source) = Self.compact(bytes, piece: 4096, longString: 32)
        let compact = try #require(document)
        #expect(compact.strings.count > 6)
        let read = IndexedJSONDecoder.decode([RoleOnly].self, from: compact, reading: source)
        let expected = value.map { RoleOnly(role: $0.role, count: $0.count) }
        let same = read == expected
        #expect(same)
        #expect(source.reads.isEmpty, "\(source.reads.count) reads")
        _ = IndexedJSONDecoder.decode([Message].self, from: compact, reading: source)
        // Reading every field reads each long string (the longest in more than one block).
        let starts = Set(source.reads.map(\.lowerBound))
        #expect(compact.strings.allSatisfy { starts.contains($0.offset) })
    }

    /// One-byte edits of a text: a compact reading that gives a value gives the whole text's
    /// (which must then give one); one that declines leaves the text to the whole reading.
    @Test func editedTextsNeverReadDifferently() throws {
        let value = Array(Self.messages(seed: 4, lengths: [0, 5, 17, 40, 90]).prefix(3))
        let bytes = [UInt8](try CanonicalJSON.encode(value))
        let edits = SingleByteEditsForTests.drawn(from: bytes, count: 3_000, seed: 0xC0A1)
        var read = 0
        for (edited, position) in edits {
            let whole = IndexedJSONDecoder.decode([Message].self, from: Data(edited))
            for (piece, longString) in [(7, 16), (1 << 20, 0), (65, 200)] {
                let (document, source) = Self.compact(edited, piece: piece, longString: longString)
                guard let document,
                    let compact = IndexedJSONDecoder.decode([Message].self, from: document, reading: source)
                else { continue }
                read += 1
                #expect(compact == whole, "edit at \(position), pieces of \(piece), long past \(longString)")
            }
        }
        #expect(read > 0)
    }

    /// Bodies the token index refuses are refused in long strings too, wherever the piece ends;
    /// a lone surrogate (which `JSONDecoder` must judge) is declined when read.
    @Test(arguments: [
        #""ab\qcd""#, #""ab\u12G4cd""#, "\"ab\u{01}cd\"", "\"ab\\", "\"abc", #""ab\ud800cd""#,
    ])
    func brokenLongStringsAreNeverRead(body: String) throws {
        let text = Array("[\(body),\"\(String(repeating: "x", count: 40))\"]".utf8)
        let whole = IndexedJSONDecoder.decode([String].self, from: Data(text))
        #expect(whole == nil)
        for piece in [1, 2, 3, 5, 100] {
            let (document, source) = Self.compact(text, piece: piece, longString: 0)
            let compact = document.flatMap { IndexedJSONDecoder.decode([String].self, from: $0, reading: source) }
            #expect(compact == nil, "pieces of \(piece)")
        }
        for invalid: [UInt8] in [
            [0xC3, 0x28], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF],
        ] {
            let text = Array("[\"ab".utf8) + invalid + Array("cd\"]".utf8)
            #expect(IndexedJSONDecoder.decode([String].self, from: Data(text)) == nil)
            for piece in [1, 2, 3] {
                #expect(Self.compact(text, piece: piece, longString: 0).0 == nil, "\(invalid), pieces of \(piece)")
            }
        }
    }

    /// A long string as a key is left to the whole reading.
    @Test func aLongKeyDeclines() throws {
        let text = Array(#"{"\#(String(repeating: "k", count: 50))":1}"#.utf8)
        let (document, source) = Self.compact(text, piece: 3, longString: 10)
        let compact = try #require(document)
        #expect(IndexedJSONDecoder.decode([String: Int].self, from: compact, reading: source) == nil)
        #expect(IndexedJSONDecoder.decode([String: Int].self, from: Data(text)) != nil)
    }
}

/// `SingleByteEdit`'s edits on one byte array (that helper lives in a module this target does not see).
enum SingleByteEditsForTests {
    static let replacements = Array(#"{}[],:"\0a-1.eu "#.utf8) + [0xC3, 0xFF, 0x01]

    static func drawn(from bytes: [UInt8], count: Int, seed: UInt64) -> [([UInt8], Int)] {
        var generator = SplitMix64(seed: seed)
        func next() -> Int { Int(generator.next() >> 33) }
        return (0..<count).map { _ in
            var edited = bytes
            let position = next() % edited.count
            switch next() % 3 {
            case 0: edited[position] = replacements[next() % replacements.count]
            case 1: edited.remove(at: position)
            default: edited.insert(replacements[next() % replacements.count], at: position)
            }
            return (edited, position)
        }
    }
}
