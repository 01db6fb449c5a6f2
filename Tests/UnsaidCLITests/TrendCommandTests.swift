import Foundation
import Testing
import UnsaidSuite
import UnsaidReplay

/// `unsaid trend` through the binary: two runs of one suite line up; a run of another suite is
/// refused with one line and exit 2.
@Suite struct TrendCommandTests {
    @Test func runsOfOneSuiteLineUpAndAnotherSuiteIsRefused() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("The answer."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        _ = try CLIHarness.writeSuite(in: work, count: 2)
        try "id: other\nprobes:\n  - {id: x, prompt: hi}\n".write(
            to: work.appendingPathComponent("other.yaml"), atomically: true, encoding: .utf8)
        for (suite, id) in [("suite.yaml", "first"), ("suite.yaml", "second"), ("other.yaml", "third")] {
            let result = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m",
                    "--out", "Results", "--run-id", id,
                ], directory: work)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let trend = try await CLIHarness.run(["trend", "Results/first", "Results/second"], directory: work)
        #expect(trend.status == 0, "\(trend.stderr)")
        #expect(trend.stdout.hasPrefix("# Unsaid trend: cli on m (m)\n"))
        #expect(trend.stdout.contains("No paired request changed verdict."))
        let mixed = try await CLIHarness.run(["trend", "Results"], directory: work)
        #expect(mixed.status == 2)
        #expect(mixed.stderr == "error: runs of different suites: first has cli, third has other\n")
    }
}
