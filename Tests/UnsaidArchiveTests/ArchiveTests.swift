import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidArchive

@Suite("Archive writer and reader")
struct ArchiveTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-archive-\(UUID().uuidString)")
    }

    private func manifest(planned: Int) -> Manifest {
        Manifest(
            runID: "test-run", tool: .init(gitCommit: nil), host: "test", startedAt: "2026-01-01T00:00:00.000Z",
            target: .init(
                name: "t", baseURL: "http://127.0.0.1:1/v1", model: "m", parameters: .init(), streamMode: "stream"),
            suites: [], arguments: .init(suitePaths: [], streamOverride: nil, apiKeyEnv: "K", headerNames: []),
            ruleset: .init(version: "0", sha256: "x"), planned: planned)
    }

    private func transcript(_ probe: String, content: String) -> Transcript {
        let key = WorkKey(suite: "s", probe: probe, probeHash: "h", sample: 0, streamed: false)
        let body = #"{"choices":[{"message":{"content":"\#(content)"},"finish_reason":"stop"}]}"#
        let attempt = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 1000, status: 200, headers: [],
            chunks: [WireChunk(t: 500, bytes: Array(body.utf8))], failure: nil,
            response: DecodedResponse(
                events: [ChatEvent(index: 0, t: 500, content: content, finishReason: "stop")],
                content: content, finishReason: "stop"))
        return Transcript(
            key: key,
            request: RecordedRequest(
                url: "http://127.0.0.1:1/v1/chat/completions", headers: [], body: "{}", streamed: false),
            attempts: [attempt])
    }

    private func writeRun(_ directory: URL, probes: [String]) async throws -> Manifest {
        var verdicts: [Verdict] = []
        let writer = try ArchiveWriter(
            creating: ArchiveLayout(directory: directory), manifest: manifest(planned: probes.count),
            ruleset: Data("{}".utf8))
        for name in probes {
            let probe = Probe(id: name, messages: [ChatMessage(role: "user", content: "q \(name)")])
            let transcript = transcript(name, content: "answer to \(name)")
            let verdict = Verdict(
                key: transcript.key, verdict: .answered, flags: [], evidence: [], attempt: 0,
                expect: .any, outcome: .unscored, ruleset: "0")
            try await writer.append(probe: probe, transcript: transcript, verdict: verdict)
            verdicts.append(verdict)
        }
        return try await writer.finish(verdicts: verdicts)
    }

    @Test func roundTripKeepsRecordsInOrderAndChainsThem() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try await writeRun(directory, probes: ["a", "b", "c"])

        let contents = try ArchiveReader.read(directory)
        #expect(contents.records.map(\.probe.id) == ["a", "b", "c"])
        #expect(contents.records.map(\.seq) == [1, 2, 3])
        #expect(contents.records[0].prev == String(repeating: "0", count: 64))
        #expect(contents.records[1].prev == contents.recordHashes[0])
        #expect(contents.tornTail == nil)
        #expect(manifest.chainHead == contents.recordHashes[2])
        #expect(manifest.completed == 3)
        #expect(manifest.counts == ["answered": 3])
        #expect(manifest.status == .complete)
        #expect(manifest.files["transcripts.jsonl"]?.lines == 3)
        #expect(contents.records[2].transcript.attempts[0].chunks[0].bytes.count > 0)
    }

    /// The file number of the manifest on disk: a manifest written again is a new file renamed
    /// into place, so the number changes.
    private func manifestFileNumber(_ directory: URL) throws -> Int? {
        let attributes = try FileManager.default.attributesOfItem(
            atPath: ArchiveLayout(directory: directory).manifest.path)
        return (attributes[.systemFileNumber] as? NSNumber)?.intValue
    }

    @Test func aCheckpointThatChangesNothingWritesNothing() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try ArchiveWriter(
            creating: ArchiveLayout(directory: directory), manifest: manifest(planned: 1), ruleset: Data("{}".utf8))
        let created = try #require(try manifestFileNumber(directory))
        // A new run's first checkpoint says what the created manifest says.
        try await writer.checkpoint(status: .running)
        #expect(try manifestFileNumber(directory) == created)
        // A new status is written.
        try await writer.checkpoint(status: .interrupted)
        let interrupted = try #require(try manifestFileNumber(directory))
        #expect(interrupted != created)
        #expect(try ArchiveReader.readManifest(ArchiveLayout(directory: directory)).status == .interrupted)
        // So is a record more, once; the same checkpoint again is not.
        let transcript = transcript("a", content: "answer")
        try await writer.append(
            probe: Probe(id: "a", messages: [ChatMessage(role: "user", content: "q")]), transcript: transcript,
            verdict: Verdict(
                key: transcript.key, verdict: .answered, flags: [], evidence: [], attempt: 0, expect: .any,
                outcome: .unscored, ruleset: "0"))
        try await writer.checkpoint(status: .interrupted)
        let appended = try #require(try manifestFileNumber(directory))
        #expect(appended != interrupted)
        #expect(try ArchiveReader.readManifest(ArchiveLayout(directory: directory)).completed == 1)
        try await writer.checkpoint(status: .interrupted)
        #expect(try manifestFileNumber(directory) == appended)
    }

    @Test func refusesToOverwriteAnExistingRun() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await writeRun(directory, probes: ["a"])
        #expect(throws: ArchiveError.alreadyExists(path: directory.path)) {
            try ArchiveWriter(
                creating: ArchiveLayout(directory: directory), manifest: manifest(planned: 1), ruleset: Data())
        }
    }

    @Test func tornLastLineIsReportedNotFatal() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await writeRun(directory, probes: ["a", "b"])
        let transcripts = ArchiveLayout(directory: directory).transcripts
        let whole = try Data(contentsOf: transcripts)
        var torn = whole
        torn.append(Data(#"{"seq":3,"prev":"abc","probe":{"#.utf8))
        try torn.write(to: transcripts)

        let contents = try ArchiveReader.read(directory)
        #expect(contents.records.count == 2)
        #expect(contents.tornTail == ArchiveContents.TornTail(validLength: whole.count, line: 3))
    }

    /// The walk reads lines in batches and prepares them on several threads: records, hashes and
    /// what was prepared must still come in file order, and a bad line anywhere (first or last of
    /// a batch, the file's last) must end the walk exactly where one record at a time would.
    @Test func theBatchedWalkGivesEveryRecordInOrderAndStopsAtTheFirstBadLine() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = 2 * ArchiveStream.batchLines + 22
        _ = try await writeRun(directory, probes: (1...count).map { "p\($0)" })
        let layout = ArchiveLayout(directory: directory)
        let whole = try Data(contentsOf: layout.transcripts)
        let lines = whole.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Data($0) }
        #expect(lines.count == count)

        var seen: [Int] = []
        var previous = ArchiveChain.genesis
        let summary = try ArchiveStream.transcripts(
            layout, preparing: { record, hash in (record.seq, hash, record.probe.id) }
        ) { record, hash, prepared in
            #expect(prepared.0 == record.seq && prepared.1 == hash && prepared.2 == record.probe.id)
            #expect(record.prev == previous)
            #expect(hash == SHA256Hex.digest(lines[record.seq - 1]))
            previous = hash
            seen.append(record.seq)
        }
        #expect(seen == Array(1...count))
        #expect(summary == .init(records: count, chainHead: SHA256Hex.digest(lines[count - 1]), tornTail: nil))

        for bad in [1, ArchiveStream.batchLines, ArchiveStream.batchLines + 1, 2 * ArchiveStream.batchLines, count] {
            var damaged = lines
            damaged[bad - 1] = Data("not a record".utf8)
            try Data(damaged.joined(separator: [0x0A]) + [0x0A]).write(to: layout.transcripts)
            var called = 0
            do {
                let summary = try ArchiveStream.transcripts(layout, preparing: { _, _ in () }) { _, _, _ in called += 1
                }
                // Only a bad last line is a torn tail rather than an error.
                #expect(bad == count)
                let validLength = lines[0..<(count - 1)].reduce(0) { $0 + $1.count + 1 }
                #expect(summary.tornTail == .init(validLength: validLength, line: count))
                #expect(summary.records == count - 1)
            } catch let error as ArchiveError {
                #expect(bad != count)
                #expect(error == .corrupt(file: layout.transcripts.path, line: bad, reason: "not a transcript record"))
            }
            #expect(called == bad - 1, "bad line \(bad)")
        }
    }

    @Test func editedMiddleLineBreaksTheChain() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await writeRun(directory, probes: ["a", "b", "c"])
        let transcripts = ArchiveLayout(directory: directory).transcripts
        let text = try String(contentsOf: transcripts, encoding: .utf8)
        try text.replacingOccurrences(of: "answer to a", with: "answer to A").write(
            to: transcripts, atomically: true, encoding: .utf8)

        #expect(
            throws: ArchiveError.corrupt(
                file: transcripts.path, line: 2,
                reason: "chain broken: prev does not match the hash of line 1")
        ) {
            try ArchiveReader.read(directory)
        }
    }

    @Test func newerManifestFormatGivesAnUpgradeMessage() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await writeRun(directory, probes: ["a"])
        let manifestURL = ArchiveLayout(directory: directory).manifest
        let text = try String(contentsOf: manifestURL, encoding: .utf8)
        try text.replacingOccurrences(of: #""formatVersion" : 1"#, with: #""formatVersion" : 99"#)
            .write(to: manifestURL, atomically: true, encoding: .utf8)
        #expect(throws: ArchiveError.unsupportedFormat(found: 99, supported: 1)) {
            try ArchiveReader.read(directory)
        }
    }
}
