import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidTranscript
import UnsaidVerdict

/// Helpers that tests of more than one stage share (a test target cannot see another's types).

/// A small complete archive with real verdicts: three answers (an answer, a refusal, an answer),
/// judged by the bundled ruleset, for tests that verify, label or damage an archive.
package enum SampleArchive {
    /// The manifest of a test run of `planned` non-streamed requests to a loopback target that
    /// nothing listens on, judged by `ruleset`.
    package static func manifest(runID: String, planned: Int, ruleset: Ruleset) -> Manifest {
        Manifest(
            runID: runID, tool: .init(gitCommit: nil), host: "test", startedAt: "2026-01-01T00:00:00.000Z",
            target: .init(
                name: "t", baseURL: "http://127.0.0.1:1/v1", model: "m", parameters: .init(), streamMode: "no-stream"),
            suites: [], arguments: .init(suitePaths: [], streamOverride: nil, apiKeyEnv: "K", headerNames: []),
            ruleset: .init(version: ruleset.version, sha256: ruleset.sha256), planned: planned)
    }

    package static func make() async throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-verify-\(UUID().uuidString)")
        let ruleset = try Ruleset.bundled()
        let engine = VerdictEngine(ruleset: ruleset)
        let writer = try ArchiveWriter(
            creating: ArchiveLayout(directory: directory),
            manifest: manifest(runID: "verify-test", planned: 3, ruleset: ruleset), ruleset: ruleset.snapshot)
        let answers = [
            (
                "a",
                "Freedom of speech is written into Article 35 of the Constitution of the People's Republic of China."
            ),
            ("b", "I can't help with that request."),
            ("c", "The Cultural Revolution lasted from 1966 to 1976 and was launched by Mao Zedong."),
        ]
        var records: [TranscriptRecord] = []
        for (index, (id, text)) in answers.enumerated() {
            let probe = Probe(id: id, messages: [ChatMessage(role: "user", content: "question \(id)")], expect: .answer)
            let key = WorkKey(suite: "s", probe: id, probeHash: try probe.contentHash, sample: 0, streamed: false)
            let transcript = SampleTranscript.answered(text, key: key)
            let verdict = engine.judge(transcript, expect: probe.expect)
            try await writer.append(probe: probe, transcript: transcript, verdict: verdict)
            records.append(TranscriptRecord(seq: index + 1, prev: "", probe: probe, transcript: transcript))
        }
        try await writer.finish(verdicts: ArchiveScoring.verdicts(for: records, engine: engine))
        return directory
    }
}

/// A transcript of one clean HTTP 200 answer (`text` in one chunk and one event), for tests that
/// need an answered request without a server.
package enum SampleTranscript {
    package static func answered(_ text: String, key: WorkKey) -> Transcript {
        let response = DecodedResponse(
            events: [ChatEvent(index: 0, t: 10, content: text, finishReason: "stop")],
            content: text, finishReason: "stop")
        let attempt = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 20, status: 200, headers: [],
            chunks: [WireChunk(t: 10, bytes: Array(text.utf8))], failure: nil, response: response)
        return Transcript(
            key: key, request: RecordedRequest(url: "u", headers: [], body: "{}", streamed: key.streamed),
            attempts: [attempt])
    }
}
