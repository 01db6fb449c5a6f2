import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidArchive

@Suite("Archive scoring across modes")
struct ArchiveScoringTests {
    private func record(_ seq: Int, probe: Probe, streamed: Bool, text: String) throws -> TranscriptRecord {
        let key = WorkKey(suite: "s", probe: probe.id, probeHash: try probe.contentHash, sample: 0, streamed: streamed)
        var events = [ChatEvent(index: 0, t: 10, content: text), ChatEvent(index: 1, t: 20, finishReason: "stop")]
        if streamed { events.append(ChatEvent(index: 2, t: 30, done: true)) }
        let response = DecodedResponse(events: events, content: text, finishReason: "stop", sawDone: streamed)
        let attempt = Attempt(
            index: 0, startedAt: "t", elapsed: 40, status: 200, headers: [], chunks: [],
            failure: nil, response: response)
        return TranscriptRecord(
            seq: seq, prev: "", probe: probe,
            transcript: Transcript(
                key: key, request: RecordedRequest(url: "u", headers: [], body: "{}", streamed: streamed),
                attempts: [attempt]))
    }

    @Test func streamedAnswerAndNonStreamedRefusalAreBothFlagged() throws {
        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let probe = Probe(
            id: "free-speech",
            messages: [ChatMessage(role: "user", content: "Is freedom of speech a legal right in China?")],
            expect: .answer, stream: .both)
        let other = Probe(
            id: "control", messages: [ChatMessage(role: "user", content: "What is the capital of France?")],
            expect: .answer)
        let answer =
            "Article 35 of the Chinese constitution guarantees freedom of speech, although in practice it is limited by other laws."
        let records = [
            try record(1, probe: probe, streamed: true, text: answer),
            try record(
                2, probe: other, streamed: true,
                text: "The capital of France is Paris, on the Seine, home to about two million people."),
            try record(3, probe: probe, streamed: false, text: "I can't help with that request."),
        ]
        let verdicts = ArchiveScoring.verdicts(for: records, engine: engine)
        #expect(verdicts.map(\.verdict) == [.answered, .answered, .refused])
        #expect(verdicts[0].flags.contains(.streamNonstreamMismatch))
        #expect(verdicts[2].flags.contains(.streamNonstreamMismatch))
        #expect(!verdicts[1].flags.contains(.streamNonstreamMismatch))
    }

    /// The streamed scorer (used by run, rescore and verify) against the in-memory one: the same
    /// verdicts file byte for byte, cross-mode marks included.
    @Test func streamedScoringWritesTheSameBytesAsScoringLoadedRecords() async throws {
        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let (layout, _, _) = try await provisionalArchive()
        let directory = layout.directory
        defer { try? FileManager.default.removeItem(at: directory) }
        let stored = try ArchiveReader.read(directory, tolerateBrokenVerdicts: true).records
        let expected = try VerdictFile.encode(ArchiveScoring.verdicts(for: stored, engine: engine))
        let output = directory.appendingPathComponent("scored.jsonl")
        let scored = try ArchiveScoring.score(layout, engine: engine, to: output)
        #expect(try Data(contentsOf: output) == expected)
        #expect(scored.crossModeMarked == 2)
        #expect(scored.transcripts.records == 4)
        #expect(scored.counts == ["answered": 3, "refused": 1])
        // The figures' sums, gathered before the cross-mode marks, are those of the final
        // verdicts: the marks change flags and evidence, never labels or outcomes.
        var finalVerdicts: [Verdict] = []
        try ArchiveStream.verdicts(output) { verdict, _ in finalVerdicts.append(verdict) }
        #expect(finalVerdicts.filter { $0.flags.contains(.streamNonstreamMismatch) }.count == 2)
        var final = MetricTally()
        for (record, verdict) in zip(stored, finalVerdicts) { final.add(probe: record.probe, verdict: verdict) }
        #expect(scored.tally == final && final.added == 4)
    }

    /// An archive as a run leaves it before its end: four records, each with the provisional
    /// verdict judged before it was archived; the streamed and non-streamed answers to
    /// `free-speech` disagree.
    private func provisionalArchive() async throws -> (ArchiveLayout, ArchiveWriter, [TranscriptRecord]) {
        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let probe = Probe(
            id: "free-speech",
            messages: [ChatMessage(role: "user", content: "Is freedom of speech a legal right in China?")],
            expect: .answer, stream: .both)
        let other = Probe(
            id: "control", messages: [ChatMessage(role: "user", content: "What is the capital of France?")],
            expect: .answer)
        let records = [
            try record(
                1, probe: probe, streamed: true,
                text: "Article 35 of the Chinese constitution guarantees freedom of speech, within limits."),
            try record(2, probe: other, streamed: true, text: "The capital of France is Paris, on the Seine."),
            try record(3, probe: other, streamed: false, text: "The capital of France is Paris."),
            try record(4, probe: probe, streamed: false, text: "I can't help with that request."),
        ]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-finalise-\(UUID().uuidString)")
        let layout = ArchiveLayout(directory: directory)
        let manifest = Manifest(
            runID: "r", tool: .init(gitCommit: nil), host: "h", startedAt: "2026-01-01T00:00:00.000Z",
            target: .init(
                name: "t", baseURL: "http://127.0.0.1:1/v1", model: "m", parameters: .init(), streamMode: "per-probe"),
            suites: [], arguments: .init(suitePaths: [], streamOverride: nil, apiKeyEnv: "K", headerNames: []),
            ruleset: .init(version: "0", sha256: "x"), planned: records.count)
        let writer = try ArchiveWriter(creating: layout, manifest: manifest, ruleset: Data("{}".utf8))
        for record in records {
            try await writer.append(
                probe: record.probe, transcript: record.transcript,
                verdict: engine.judge(record.transcript, probe: record.probe))
        }
        return (layout, writer, records)
    }

    /// A new run's transcripts digest is kept as records are written; it must be what reading
    /// the file back gives (size, line count and SHA-256).
    @Test func theTranscriptsDigestKeptWhileWritingIsTheFilesDigest() async throws {
        let (layout, writer, records) = try await provisionalArchive()
        defer { try? FileManager.default.removeItem(at: layout.directory) }
        let manifest = try await writer.finish(verdicts: [])
        let kept = try #require(manifest.files[ArchiveLayout.transcriptsName])
        #expect(kept == (try FileDigester.digest(layout.transcripts)))
        #expect(kept.lines == records.count)
    }

    /// The end of a new run adds the whole-run findings to the verdicts judged as records were
    /// archived: the file must be the one scoring the transcripts derives, byte for byte.
    @Test func finalisingProvisionalVerdictsGivesWhatScoringTheTranscriptsDerives() async throws {
        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let (layout, writer, records) = try await provisionalArchive()
        defer { try? FileManager.default.removeItem(at: layout.directory) }
        let expected = try VerdictFile.encode(ArchiveScoring.verdicts(for: records, engine: engine))
        #expect(try Data(contentsOf: layout.verdicts) != expected)

        var tally = MetricTally()
        for record in records {
            tally.add(probe: record.probe, verdict: engine.judge(record.transcript, probe: record.probe))
        }
        let written = await writer.written
        let finalised = try #require(
            try ArchiveScoring.finalise(layout, transcripts: written, tally: tally))
        #expect(try Data(contentsOf: layout.verdicts) == expected)
        #expect(finalised.crossModeMarked == 2)
        #expect(finalised.counts == ["answered": 3, "refused": 1])
        #expect(finalised.transcripts.records == 4)
        let rescored = try ArchiveScoring.score(
            layout, engine: engine, to: layout.directory.appendingPathComponent("rescored.jsonl"))
        #expect(finalised.summary == rescored.summary && finalised.transcripts == rescored.transcripts)
        #expect(finalised.tally == rescored.tally)
    }

    /// Without pairing (a plan that sends every request one way) the index is not built: on an
    /// archive that does hold both modes nothing is marked, which shows the switch is obeyed; the
    /// run only passes it when no pair can exist.
    @Test func finalisingWithoutPairingMarksNothing() async throws {
        let (layout, writer, _) = try await provisionalArchive()
        defer { try? FileManager.default.removeItem(at: layout.directory) }
        let before = try Data(contentsOf: layout.verdicts)
        let finalised = try #require(
            try ArchiveScoring.finalise(layout, transcripts: await writer.written, tally: nil, pairingModes: false)
        )
        #expect(finalised.crossModeMarked == 0)
        #expect(try Data(contentsOf: layout.verdicts) == before)
        #expect(finalised.counts == ["answered": 3, "refused": 1])
    }

    @Test func provisionalVerdictsThatDoNotMatchTheRecordsAreNotFinalised() async throws {
        let (layout, writer, _) = try await provisionalArchive()
        defer { try? FileManager.default.removeItem(at: layout.directory) }
        let written = await writer.written
        // One verdict line short of the records, as a crash between the two writes could leave it.
        let lines = try Data(contentsOf: layout.verdicts).split(separator: 0x0A)
        try Data(lines.dropLast().joined(separator: [0x0A]) + [0x0A]).write(to: layout.verdicts)
        let before = try Data(contentsOf: layout.verdicts)
        #expect(try ArchiveScoring.finalise(layout, transcripts: written, tally: nil) == nil)
        // A torn verdict line is not a verdict either.
        try (before + Data("{\"key\":".utf8)).write(to: layout.verdicts)
        #expect(try ArchiveScoring.finalise(layout, transcripts: written, tally: nil) == nil)
        // A tally that does not cover every record is refused rather than taken as the run's.
        try Data(lines.joined(separator: [0x0A]) + [0x0A]).write(to: layout.verdicts)
        var one = MetricTally()
        one.add(
            probe: Probe(id: "x", messages: []),
            verdict: .init(
                key: WorkKey(suite: "s", probe: "x", probeHash: "h", sample: 0, streamed: false),
                verdict: .answered,
                flags: [], evidence: [], attempt: 0, expect: .answer, outcome: .pass, ruleset: ""))
        #expect(try ArchiveScoring.finalise(layout, transcripts: written, tally: one) == nil)
    }

    /// `rescore`, `verify` and resume read records without the raw chunks of attempts that are
    /// not HTTP errors; the verdicts must be the same as from whole records. The HTTP 400 here is
    /// `filtered` only because of its raw body, so a reader that dropped every chunk would differ.
    @Test func scoringWithoutSuccessfulBodiesGivesTheSameVerdicts() async throws {
        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let (layout, writer, _) = try await provisionalArchive()
        defer { try? FileManager.default.removeItem(at: layout.directory) }
        let probe = Probe(id: "blocked", messages: [ChatMessage(role: "user", content: "question")], expect: .answer)
        func attempt(status: Int?, body: String, failure: TransportFailure?) -> Attempt {
            let chunks = body.isEmpty ? [] : [WireChunk(t: 5, bytes: Array(body.utf8))]
            return Attempt(
                index: 0, startedAt: "t", elapsed: 9, status: status, headers: [], chunks: chunks,
                failure: failure, response: ChatResponseDecoder.decode(chunks: chunks, streamed: false))
        }
        let attempts = [
            attempt(status: 400, body: "Content Exists Risk", failure: nil),
            attempt(status: nil, body: "", failure: TransportFailure(kind: .connect, message: "refused")),
        ]
        for (index, attempt) in attempts.enumerated() {
            let key = WorkKey(
                suite: "s", probe: "blocked", probeHash: try probe.contentHash, sample: index, streamed: false)
            let transcript = Transcript(
                key: key, request: RecordedRequest(url: "u", headers: [], body: "{}", streamed: false),
                attempts: [attempt])
            try await writer.append(
                probe: probe, transcript: transcript, verdict: engine.judge(transcript, probe: probe))
        }
        let whole = layout.directory.appendingPathComponent("whole.jsonl")
        let lean = layout.directory.appendingPathComponent("lean.jsonl")
        var chunkCounts: [Int] = []
        let wholeScored = try ArchiveScoring.score(layout, engine: engine, to: whole)
        let leanScored = try ArchiveScoring.score(layout, engine: engine, to: lean, scoringOnly: true) { record, _, _ in
            chunkCounts.append(record.transcript.attempts.map(\.chunks.count).reduce(0, +))
        }
        #expect(try Data(contentsOf: lean) == Data(contentsOf: whole))
        #expect(leanScored.counts == wholeScored.counts)
        #expect(wholeScored.counts["filtered"] == 1)
        // Only the HTTP error kept its body.
        #expect(chunkCounts == [0, 0, 0, 0, 1, 0])
    }
}
