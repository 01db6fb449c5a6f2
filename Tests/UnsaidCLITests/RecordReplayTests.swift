import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidArchive
import UnsaidFixture
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
        let cutShort = [
            #"data: {"choices":[{"index":0,"delta":{"content":"The history is well documented, and the archives"},"finish_reason":null}]}"#
                + "\n\n"
        ]
        let live = try await LoopbackServer.start { request in
            let prompt =
                JSONValue.parse(Data(request.body))?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            if prompt.contains("1") { return .sse(events: refusal, interval: .zero) }
            // A stream that ends without a finish reason or `[DONE]`: a verdict with flags.
            if prompt.contains("2") { return .sse(events: Array(cutShort), interval: .zero) }
            return .sse(events: CLIHarness.answerEvents("The history is well documented."), interval: .zero)
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
        // Each fixture expects the verdict its own request got (records and verdicts are paired
        // by position in the archive, in completion order, not by name).
        let archived = try ArchiveReader.read(work.appendingPathComponent("Results/live")).verdicts
        for name in fixtures {
            let fixture = try Fixture.load(from: work.appendingPathComponent("fixtures/\(name)"))
            let verdict = try #require(archived.first { $0.key == fixture.transcript.key })
            #expect(fixture.meta.expectedVerdict == verdict.verdict, "\(name)")
            #expect(fixture.meta.expectedFlags == verdict.flags, "\(name)")
        }

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
        // Substance and then a cut stream is a retraction by the wire rule, with its flag.
        #expect(liveVerdicts.map(\.verdict) == [.answered, .refused, .retracted])
        #expect(liveVerdicts.map(\.flags) == [[], [], [.streamCut]])
        #expect(replayedVerdicts == liveVerdicts)
    }
}
