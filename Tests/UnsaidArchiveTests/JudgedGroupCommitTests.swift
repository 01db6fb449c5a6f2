import Foundation
import Synchronization
import Testing
import UnsaidSuite
import UnsaidTranscript
import UnsaidVerdict
import UnsaidArchive
import UnsaidTestSupport

/// In a run with a judge, the group commit covers the judge exchanges too: each round syncs the
/// transcripts and then `judgements.jsonl`, and writing an answer with its exchange does not wait
/// for the disk. (Each exchange used to be synced on its own as it was written: a judged run
/// spent most of its time waiting on the disk.)
@Suite("Group commit of a judged run")
struct JudgedGroupCommitTests {
    /// The rounds the writer ran, held back until `open()`: the files each synced and how many
    /// exchanges `judgements.jsonl` held when its round began.
    private final class Rounds: Sendable {
        private let state = Mutex((held: true, synced: [(files: [String], exchanges: Int)]()))
        private let gate = DispatchSemaphore(value: 0)
        let judgements: URL

        init(judgements: URL) { self.judgements = judgements }

        var synced: [(files: [String], exchanges: Int)] { state.withLock { $0.synced } }

        func sync(_ files: [String], _ fsync: () throws -> Void) throws {
            if state.withLock({ $0.held }) {
                gate.wait()
                gate.signal()
            }
            let exchanges = ((try? Data(contentsOf: judgements)) ?? Data()).filter { $0 == 0x0A }.count
            try fsync()
            state.withLock { $0.synced.append((files, exchanges)) }
        }

        func open() {
            state.withLock { $0.held = false }
            gate.signal()
        }
    }

    @Test func aRoundSyncsTheTranscriptsThenTheExchangesAndAnAnswerCountsOnlyAfterIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-judged-commit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        let ruleset = try Ruleset.bundled()
        var manifest = SampleArchive.manifest(runID: "judged", planned: 3, ruleset: ruleset)
        manifest.judge = .init(name: "judge", baseURL: "http://127.0.0.1:1/v1", model: "j")
        let rounds = Rounds(judgements: layout.judgements)
        let writer = try ArchiveWriter(
            creating: layout, manifest: manifest, ruleset: ruleset.snapshot, syncing: { try rounds.sync($0, $1) })

        // Three answers with their exchanges are written while the disk holds every round back.
        for id in ["a", "b", "c"] {
            let probe = Probe(id: id, messages: [ChatMessage(role: "user", content: "question \(id)")])
            let key = WorkKey(suite: "s", probe: id, probeHash: try probe.contentHash, sample: 0, streamed: false)
            let judgeKey = WorkKey(suite: "judge", probe: id, probeHash: "h", sample: 0, streamed: false)
            let verdict = Verdict(
                key: key, verdict: .answered, flags: [], evidence: [], attempt: 0, expect: .any, outcome: .unscored,
                ruleset: ruleset.version)
            try await writer.write(
                probe: probe, transcript: SampleTranscript.answered("An answer to \(id).", key: key), verdict: verdict,
                judgement: SampleTranscript.answered(#"{"label": "answered", "reason": "It answers."}"#, key: judgeKey))
        }
        let counted = Task { try await writer.waitUntilDurable(through: 3) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(rounds.synced.isEmpty)

        rounds.open()
        try await counted.value
        let synced = rounds.synced
        #expect(!synced.isEmpty)
        for round in synced {
            #expect(round.files == [ArchiveLayout.transcriptsName, JudgeRecords.fileName], "\(round.files)")
        }
        // The round that let the third answer count synced a file holding all three exchanges.
        #expect(synced.last?.exchanges == 3)
        try await writer.checkpoint(status: .running)
        #expect(try JudgeIndex.read(layout.judgements).count == 3)
    }
}
