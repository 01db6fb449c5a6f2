import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// `unsaid run --record DIR` then `replay serve DIR` reproduces the run: what a user does to pin
/// a provider's behaviour in their own CI.
@Suite("Record and replay through the CLI")
struct RecordReplayTests {
    @Test func recordedRunReplaysToTheSameVerdicts() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let refusal = [
            #"data: {"choices":[{"index":0,"delta":{"content":"I can't help with that request."},"finish_reason":null}]}"#
                + "\n\n",
            #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
            "data: [DONE]\n\n",
        ]
        let live = try await LoopbackServer.start { request in
            let prompt =
                JSONValue.parse(Data(request.body))?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            return prompt.contains("1")
                ? .sse(events: refusal, interval: .zero)
                : .sse(events: CLIHarness.answerEvents("The history is well documented."), interval: .zero)
        }
        defer { Task { try? await live.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let recorded = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", live.baseURL, "--model", "m", "--record", "fixtures", "--run-id",
                "live",
            ],
            directory: work)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("fixtures").path)
            .filter { $0.hasSuffix(".json") && !$0.contains(".verdict.") }.sorted()
        #expect(fixtures == ["probe-0-0-stream.json", "probe-1-0-stream.json", "probe-2-0-stream.json"])

        let replay = try await ReplayServer.start(serving: work.appendingPathComponent("fixtures"), speed: .max)
        defer { Task { try? await replay.shutdown() } }
        let replayed = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", replay.baseURL, "--model", "m", "--run-id", "replayed"],
            directory: work)
        #expect(replayed.status == 0, "\(replayed.stderr)")

        // Records are archived in completion order, so compare by request.
        let liveVerdicts = try ArchiveReader.read(work.appendingPathComponent("Results/live")).verdicts.sorted {
            $0.key < $1.key
        }
        let replayedVerdicts = try ArchiveReader.read(work.appendingPathComponent("Results/replayed")).verdicts.sorted {
            $0.key < $1.key
        }
        #expect(liveVerdicts.map(\.verdict) == [.answered, .refused, .answered])
        #expect(replayedVerdicts == liveVerdicts)
    }
}
