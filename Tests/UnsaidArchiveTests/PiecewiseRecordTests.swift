import Foundation
import Testing
@testable import UnsaidArchive
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidTranscript
@testable import UnsaidVerdict

/// Records too large to hold whole are written a piece at a time (`CanonicalJSON.writeLine`,
/// `ArchiveWriter.appendInPieces`); the bytes in the file must be exactly the line `Encodable`
/// writes, the chain hash and file digest exactly those of that line, and a record that declines
/// part-way must leave nothing behind.
@Suite struct PiecewiseRecordTests {
    /// The pieces joined, against the `Encodable` reference plus newline, for many piece sizes
    /// (small ones put piece edges inside keys, escapes and multi-byte characters).
    @Test func piecesJoinToTheEncodableLine() throws {
        var random = SplitMix64(seed: 0x9_1ECE)
        for seq in 1...150 {
            let record = RecordGenerator.record(seq: seq, using: &random)
            let reference = try CanonicalJSON.encodeThroughEncodable(record) + [0x0A]
            let pieceSize = 64 + Int(random.next() % 700)
            var joined = Data()
            var pieces = 0
            var lastFlags: [Bool] = []
            let wrote = CanonicalJSON.writeLine(record, inPiecesOf: pieceSize) { piece, last in
                joined.append(contentsOf: piece)
                pieces += 1
                lastFlags.append(last)
            }
            #expect(wrote, "record \(seq)")
            #expect(joined == reference, "record \(seq), pieces of \(pieceSize)")
            #expect(lastFlags.last == true && lastFlags.dropLast().allSatisfy { !$0 }, "record \(seq)")
            if reference.count > 2 * pieceSize { #expect(pieces > 1, "record \(seq) was not split") }
        }
    }

    @Test func aDecliningRecordSaysSo() {
        let probe = Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")])
        var event = ChatEvent(index: 1, t: 9)
        event.annotations = ["timings": .object(["rate": .double(.nan)])]
        let events = [ChatEvent(index: 0, t: 1, content: String(repeating: "long text ", count: 2000)), event]
        let record = RecordGenerator.record(probe: probe, events: events)
        var handed = 0
        let wrote = CanonicalJSON.writeLine(record, inPiecesOf: 256) { piece, _ in handed += piece.count }
        #expect(!wrote)
        // Pieces went out before the writer reached the number: the caller has something to undo.
        #expect(handed > 0)
    }

    private func manifest() -> Manifest {
        Manifest(
            runID: "test-run", tool: .init(gitCommit: nil), host: "test", startedAt: "2026-01-01T00:00:00.000Z",
            target: .init(
                name: "t", baseURL: "http://127.0.0.1:1/v1", model: "m", parameters: .init(), streamMode: "stream"),
            suites: [], arguments: .init(suitePaths: [], streamOverride: nil, apiKeyEnv: "K", headerNames: []),
            ruleset: .init(version: "0", sha256: "x"), planned: 3)
    }

    /// A record of a ~6 MB answer (past the size written in pieces) between two small ones.
    private func bigRecord(probe: Probe, annotations: [String: JSONValue]? = nil) -> TranscriptRecord {
        let piece = "Freedom of expression is \"protected\" on paper — 言论自由. "
        let sse = #"data: {"choices":[{"index":0,"delta":{"content":"\#(piece)"},"finish_reason":null}]}"# + "\n\n"
        let count = 2 * ArchiveWriter.recordSizeWrittenInPieces / sse.utf8.count
        var events = (0..<count).map { ChatEvent(index: $0, t: Int64($0), content: piece) }
        events[count - 1].annotations = annotations
        var record = RecordGenerator.record(probe: probe, events: events)
        record.transcript.attempts[0].chunks = (0..<count).map { WireChunk(t: Int64($0), bytes: Data(sse.utf8)) }
        record.transcript.attempts[0].response.content = String(repeating: piece, count: count)
        return record
    }

    private func verdict(for transcript: Transcript) -> Verdict {
        Verdict(
            key: transcript.key, verdict: .answered, flags: [], evidence: [], attempt: 0, expect: .any,
            outcome: .unscored, ruleset: "0")
    }

    /// A new run in a directory of its own (removed by the caller), a probe and a small transcript.
    private func newRun(seed: UInt64) throws -> (ArchiveLayout, ArchiveWriter, Probe, Transcript) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-pieces-\(UUID())")
        let layout = ArchiveLayout(directory: directory)
        let writer = try ArchiveWriter(creating: layout, manifest: manifest(), ruleset: Data("{}".utf8))
        let probe = Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")])
        var random = SplitMix64(seed: seed)
        return (layout, writer, probe, RecordGenerator.record(seq: 1, using: &random).transcript)
    }

    @Test func aLargeRecordIsWrittenAsTheSameLineAndChained() async throws {
        let (layout, writer, probe, small) = try newRun(seed: 77)
        defer { try? FileManager.default.removeItem(at: layout.directory) }
        let big = bigRecord(probe: probe).transcript
        #expect(
            TranscriptRecord(seq: 2, prev: "", probe: probe, transcript: big).canonicalSizeHint
                > ArchiveWriter.recordSizeWrittenInPieces)
        var verdicts: [Verdict] = []
        for transcript in [small, big, small] {
            try await writer.append(probe: probe, transcript: transcript, verdict: verdict(for: transcript))
            verdicts.append(verdict(for: transcript))
        }
        let sealed = try await writer.finish(verdicts: verdicts)

        // The file, line by line, is the reference encoding of the three records, chained.
        let file = try Data(contentsOf: layout.transcripts)
        var expected = Data()
        var prev = ArchiveChain.genesis
        for (index, transcript) in [small, big, small].enumerated() {
            let line = try CanonicalJSON.encodeThroughEncodable(
                TranscriptRecord(seq: index + 1, prev: prev, probe: probe, transcript: transcript))
            expected.append(line)
            expected.append(0x0A)
            prev = ArchiveChain.hash(ofLine: line)
        }
        #expect(file.count > 2 * ArchiveWriter.recordPieceSize)
        #expect(file == expected)
        #expect(sealed.chainHead == prev)
        // The digest kept piece by piece is the file's, read back.
        #expect(sealed.files[ArchiveLayout.transcriptsName] == (try FileDigester.digest(layout.transcripts)))
        #expect(try ArchiveReader.read(layout.directory).records.map(\.transcript) == [small, big, small])
    }

    @Test func aLargeRecordThatCannotBeEncodedLeavesNothingBehind() async throws {
        let (layout, writer, probe, small) = try newRun(seed: 78)
        defer { try? FileManager.default.removeItem(at: layout.directory) }
        try await writer.append(probe: probe, transcript: small, verdict: verdict(for: small))
        let before = try Data(contentsOf: layout.transcripts)
        // A NaN in the last event's annotations: megabytes of chunks are written before it.
        let broken = bigRecord(probe: probe, annotations: ["timings": .object(["rate": .double(.nan)])]).transcript
        await #expect(throws: (any Error).self) {
            try await writer.append(probe: probe, transcript: broken, verdict: verdict(for: broken))
        }
        #expect(try Data(contentsOf: layout.transcripts) == before)
    }
}
