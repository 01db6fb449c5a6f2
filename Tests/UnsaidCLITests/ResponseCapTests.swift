import Foundation
import Testing
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// `--max-response-bytes`: a runaway answer is stopped in the client, what arrived is kept and
/// scored, and the run goes on.
@Suite("Response-size cap end to end", .serialized)
struct ResponseCapTests {
    @Test func aFiftyMegabyteAnswerIsStoppedAtTheCapKeptScoredAndFlagged() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // 500 events of ~100 KB each: about 50 MB that would never end on its own terms.
        let filler = String(repeating: "Freedom of expression is protected on paper. ", count: 2_250)
        var events: [String] = [
            #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Here is a factual answer. "},"finish_reason":null}]}"#
                + "\n\n"
        ]
        for _ in 0..<500 {
            events.append(
                #"data: {"choices":[{"index":0,"delta":{"content":"\#(filler)"},"finish_reason":null}]}"# + "\n\n")
        }
        events.append(#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n")
        events.append("data: [DONE]\n\n")
        let served = Data(events.joined().utf8)
        #expect(served.count > 50_000_000)
        let response = ScriptedResponse.sse(events: events, interval: .zero)
        events = []
        let server = try await LoopbackServer.start { _ in response }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 2)
        // Small, so scoring what arrived stays quick in a debug build on a loaded machine.
        let cap = 256 << 10

        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--stream", "on",
                "--max-response-bytes", String(cap), "--run-id", "capped",
            ], directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let run = work.appendingPathComponent("Results/capped")
        let contents = try ArchiveReader.read(run)
        #expect(contents.manifest.status == .complete)
        #expect(contents.records.count == 2)
        for record in contents.records {
            let attempt = try #require(record.transcript.finalAttempt)
            #expect(attempt.responseCap == cap)
            #expect(attempt.failure == nil)
            // Exactly the first `cap` bytes the server sent, nothing after.
            let kept = attempt.chunks.joinedBytes
            #expect(kept.count == cap)
            #expect(kept == served.prefix(cap))
            #expect(attempt.response.content.hasPrefix("Here is a factual answer. Freedom of expression"))
        }
        for verdict in contents.verdicts {
            #expect(verdict.flags.contains(.responseTooLarge), "\(verdict.flags)")
            // The client cut it, not the provider: never read as a withdrawn answer.
            #expect(!verdict.flags.contains(.streamCut))
            #expect(verdict.verdict != .retracted && verdict.verdict != .truncated && verdict.verdict != .error)
        }
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func aCapBelowOneIsAUsageError() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--max-response-bytes",
                "0",
            ],
            directory: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--max-response-bytes must be at least 1"))
    }
}
