import Foundation
import Testing
@testable import UnsaidCore

@Suite("Archive scoring across modes")
struct ArchiveScoringTests {
    private func record(_ seq: Int, probe: Probe, streamed: Bool, text: String) -> TranscriptRecord {
        let key = WorkKey(suite: "s", probe: probe.id, probeHash: probe.contentHash, sample: 0, streamed: streamed)
        var events = [ChatEvent(index: 0, t: 10, content: text), ChatEvent(index: 1, t: 20, finishReason: "stop")]
        if streamed { events.append(ChatEvent(index: 2, t: 30, done: true)) }
        let response = DecodedResponse(events: events, content: text, finishReason: "stop", sawDone: streamed)
        let attempt = Attempt(index: 0, startedAt: "t", elapsed: 40, status: 200, headers: [], chunks: [],
                              failure: nil, response: response)
        return TranscriptRecord(seq: seq, prev: "", probe: probe,
                                transcript: Transcript(key: key, request: RecordedRequest(url: "u", headers: [], body: "{}", streamed: streamed),
                                                       attempts: [attempt]))
    }

    @Test func streamedAnswerAndNonStreamedRefusalAreBothFlagged() throws {
        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let probe = Probe(id: "free-speech", messages: [ChatMessage(role: "user", content: "Is freedom of speech a legal right in China?")],
                          expect: .answer, stream: .both)
        let other = Probe(id: "control", messages: [ChatMessage(role: "user", content: "What is the capital of France?")], expect: .answer)
        let answer = "Article 35 of the Chinese constitution guarantees freedom of speech, although in practice it is limited by other laws."
        let records = [
            record(1, probe: probe, streamed: true, text: answer),
            record(2, probe: other, streamed: true, text: "The capital of France is Paris, on the Seine, home to about two million people."),
            record(3, probe: probe, streamed: false, text: "I can't help with that request."),
        ]
        let verdicts = ArchiveScoring.verdicts(for: records, engine: engine)
        #expect(verdicts.map(\.verdict) == [.answered, .answered, .refused])
        #expect(verdicts[0].flags.contains("stream_nonstream_mismatch"))
        #expect(verdicts[2].flags.contains("stream_nonstream_mismatch"))
        #expect(!verdicts[1].flags.contains("stream_nonstream_mismatch"))
    }
}
