import Foundation
import Testing
import UnsaidTestSupport
@testable import UnsaidArchive
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidTranscript

/// The walk reads a line longer than `ReadingLimits.streamedLine` a block at a time and decodes
/// its record from a compact document (`readStreamed`). Walked that way and walked with every line
/// held whole (the reference), a file must give the same records, hashes, summary, errors and
/// digest: for records straddling the limits, escapes and multi-byte characters cut by blocks,
/// torn and broken lines, with and without `scoringOnly`.
@Suite struct StreamedLineTests {
    /// Everything a walk gives back.
    struct Walk: Equatable {
        var records: [TranscriptRecord] = []
        var hashes: [String] = []
        var summary: ArchiveStream.TranscriptsSummary?
        var error: String?
        var digest: Manifest.FileDigest?
    }

    static func walk(_ layout: ArchiveLayout, limits: ArchiveStream.ReadingLimits, scoringOnly: Bool) -> Walk {
        var walk = Walk()
        let digest = WalkDigest()
        do {
            walk.summary = try ArchiveStream.transcripts(
                layout, scoringOnly: scoringOnly, digesting: digest, limits: limits,
                preparing: { record, hash in "\(record.seq) \(hash)" }
            ) { record, hash, prepared, _ in
                walk.records.append(record)
                walk.hashes.append(hash)
                if prepared != "\(record.seq) \(hash)" { walk.error = "prepared \(prepared) for \(record.seq)" }
            }
        } catch {
            walk.error = "\(error)"
        }
        walk.digest = try? digest.finish(layout.transcripts)
        return walk
    }

    /// Text with escapes of every kind the writer makes and raw multi-byte characters.
    static func text(_ random: inout SplitMix64, length: Int) -> String {
        let alphabet = ["Freedom ", "a", "\n", "\"", "\\", "\t", "\u{01}", "é", "中", "😀", "/", " "]
        var text = ""
        while text.utf8.count < length { text += alphabet[Int(random.next() % UInt64(alphabet.count))] }
        return text
    }

    /// A streamed answer of `length` bytes in pieces, as raw chunks, events and the assembled text.
    static func record(seq: Int, prev: String, length: Int, random: inout SplitMix64) -> TranscriptRecord {
        var pieces: [String] = []
        var total = 0
        while total < length {
            let piece = text(&random, length: min(length - total, 1 + Int(random.next() % 300)))
            pieces.append(piece)
            total += piece.utf8.count
        }
        let events = pieces.enumerated().map { ChatEvent(index: $0, t: Int64($0 * 10), content: $1) }
        let chunks = pieces.enumerated().map { index, piece in
            WireChunk(t: Int64(index * 10), bytes: Array("data: \(piece)\n\n".utf8))
        }
        let attempt = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 1000, status: 200, headers: [],
            chunks: chunks, failure: nil,
            response: DecodedResponse(events: events, content: pieces.joined(), finishReason: "stop", sawDone: true))
        let key = WorkKey(suite: "s", probe: "p\(seq)", probeHash: "h", sample: 0, streamed: true)
        return TranscriptRecord(
            seq: seq, prev: prev, probe: Probe(id: "p\(seq)", messages: [ChatMessage(role: "user", content: "q")]),
            transcript: Transcript(
                key: key, request: RecordedRequest(url: "u", headers: [], body: "{}", streamed: true),
                attempts: [attempt]))
    }

    /// Chained lines of records whose answers have these lengths.
    static func lines(lengths: [Int], seed: UInt64) throws -> [Data] {
        var random = SplitMix64(seed: seed)
        var previous = ArchiveChain.genesis
        return try lengths.enumerated().map { index, length in
            let line = try CanonicalJSON.encode(
                record(seq: index + 1, prev: previous, length: length, random: &random))
            previous = ArchiveChain.hash(ofLine: line)
            return line
        }
    }

    static let reference = ArchiveStream.ReadingLimits(streamedLine: nil)
    /// Blocks and limits small enough that lines of a few kilobytes are streamed, their long
    /// strings read back, and blocks cut escapes and characters everywhere.
    static let streaming: [ArchiveStream.ReadingLimits] = [
        .init(block: 7, streamedLine: 40, longString: 16),
        .init(block: 64, streamedLine: 3_000, longString: 100),
        .init(block: 1_000, streamedLine: 1_500, longString: 8),
        .init(block: 4_096, streamedLine: 0, longString: 1_024),
    ]

    /// Writes `lines` (joined by newlines, with a last one unless `torn`) and compares the walks.
    static func compare(
        _ lines: [Data], in directory: URL, torn: Bool = false, _ context: String
    ) throws -> Walk {
        let layout = ArchiveLayout(directory: directory)
        var file = Data(lines.joined(separator: [0x0A]))
        if !torn { file.append(0x0A) }
        try file.write(to: layout.transcripts)
        var expected = Walk()
        for scoringOnly in [false, true] {
            expected = walk(layout, limits: reference, scoringOnly: scoringOnly)
            #expect(expected.digest == (try FileDigester.digest(layout.transcripts)), "\(context)")
            for limits in streaming {
                let streamed = walk(layout, limits: limits, scoringOnly: scoringOnly)
                let same = streamed == expected
                #expect(
                    same,
                    "\(context), \(limits), scoring only \(scoringOnly): \(streamed.error ?? "") vs \(expected.error ?? "")"
                )
            }
        }
        return expected
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("streamed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func recordsOfEverySizeWalkAsWhenHeldWhole() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for seed in 0..<3 as Range<UInt64> {
            let lines = try Self.lines(lengths: [0, 5, 600, 20, 3_000, 1, 8_000, 40, 2_500], seed: seed)
            let walk = try Self.compare(lines, in: directory, "seed \(seed)")
            #expect(walk.records.count == lines.count && walk.error == nil && walk.summary?.tornTail == nil)
        }
    }

    /// A torn last line (cut anywhere: in a long string, in an escape, in a character), a line
    /// cut short in the middle, and one-byte edits of a streamed line: the same torn tail or the
    /// same error, with the same file and line, and the same records before it.
    @Test func tornAndBrokenLinesEndTheWalkAsWhenHeldWhole() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = try Self.lines(lengths: [10, 3_000, 4_000, 30, 5_000], seed: 7)
        var random = SplitMix64(seed: 0x70C)
        for _ in 0..<12 {
            var torn = lines
            let last = [UInt8](lines[lines.count - 1])
            torn[torn.count - 1] = Data(last[..<(1 + Int(random.next() % UInt64(last.count - 1)))])
            let walk = try Self.compare(torn, in: directory, torn: true, "torn at \(torn[torn.count - 1].count)")
            #expect(walk.summary?.tornTail?.line == lines.count)
        }
        var cut = lines
        cut[2] = cut[2].prefix(cut[2].count / 2)
        #expect(try Self.compare(cut, in: directory, "cut line 3").error != nil)
        // Edits of a streamed line in the middle, among them the lenient cases `JSONDecoder`
        // reads where the index declines (a broken escape in a raw chunk it does not decode).
        let middle = [UInt8](lines[2])
        var edits: [([UInt8], String)] = [
            (Self.replacing(middle, #"\n"#, with: #"\q"#), "invalid escape"),
            (Self.replacing(middle, "Freedom", with: #"\ud800m"#), "lone surrogate"),
            (Self.replacing(middle, "Freedom", with: "\u{01}reedom"), "control byte"),
            (Self.replacing(middle, #""content":"#, with: #""contenu":"#), "renamed key"),
        ]
        for edit in SingleByteEdit.drawn(from: [lines[2]], count: 60, seed: 0xED17) {
            edits.append(([UInt8](edit.line), "edit at \(edit.position)"))
        }
        for (edited, label) in edits {
            var damaged = lines
            damaged[2] = Data(edited)
            _ = try Self.compare(damaged, in: directory, label)
        }
    }

    /// The line as a file, for long strings to be read back from.
    struct LineSource: ExternalStringSource {
        var bytes: Data

        func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
            guard offset >= 0, offset + buffer.count <= bytes.count else { return false }
            bytes.copyBytes(to: buffer, from: offset..<(offset + buffer.count))
            return true
        }
    }

    /// The walk's fast path for a long line is the compact document, not the whole-line fallback:
    /// records the writer makes read from it, as they read whole.
    @Test func recordsReadFromTheCompactDocumentAsFromTheWholeLine() throws {
        for line in try Self.lines(lengths: [0, 300, 5_000, 40_000], seed: 3) {
            for userInfo in [[:], [Attempt.scoringOnly: true]] as [[CodingUserInfoKey: Bool]] {
                let whole = try #require(
                    IndexedJSONDecoder.decode(TranscriptRecord.self, from: line, userInfo: userInfo))
                var builder = CompactJSONBuilder(startingAt: 0)
                line.withUnsafeBytes { builder.append($0) }
                let compact = try #require(builder.finish())
                let read = IndexedJSONDecoder.decode(
                    TranscriptRecord.self, from: compact, reading: LineSource(bytes: line), userInfo: userInfo)
                let same = read == whole
                #expect(same, "\(line.count) bytes, \(userInfo)")
            }
        }
    }

    /// `bytes` with the first `target` after their middle replaced.
    static func replacing(_ bytes: [UInt8], _ target: String, with replacement: String) -> [UInt8] {
        let needle = Array(target.utf8)
        var index = bytes.count / 2
        while index + needle.count <= bytes.count {
            if Array(bytes[index..<(index + needle.count)]) == needle {
                return Array(bytes[..<index]) + Array(replacement.utf8) + Array(bytes[(index + needle.count)...])
            }
            index += 1
        }
        Issue.record("no \(target) after the middle")
        return bytes
    }
}
