import Foundation
import Testing
import UnsaidSuite
import UnsaidReplay

/// Numbers are checked where they are parsed: one line naming the flag or file:line:col, exit 2,
/// never a trap and never a silently disabled limit.
@Suite("Numbers are checked at parse time", .serialized)
struct NumberLimitTests {
    @Test(arguments: [
        ("--timeout", "1e300"), ("--stall-timeout", "nan"), ("--connect-timeout", "-1"), ("--timeout", "inf"),
        ("--max-tokens", "-5"), ("--temperature", "99"), ("--top-p", "-1"), ("--attempts", "0"),
        ("--concurrency", "100000"),
    ])
    func outOfRangeFlagsAreOneLineNamingTheFlag(flag: String, value: String) async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        let result = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "\(flag)=\(value)"],
            directory: work)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: \(flag) must be "), "\(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("Results").path))
    }

    @Test(arguments: [
        ("    timeouts: {connect: 10, stall: -3}\n", "targets[0].timeouts.stall", 5),
        ("    timeouts: {total: .nan}\n", "targets[0].timeouts.total", 5),
        ("    attempts: -2\n", "targets[0].attempts", 5),
        ("    parameters:\n      temperature: 99\n", "targets[0].parameters.temperature", 6),
        ("    parameters: {max_tokens: -5}\n", "targets[0].parameters.max_tokens", 5),
    ])
    func outOfRangeTargetsFileValuesNameFileLineAndColumn(extra: String, field: String, line: Int) async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try ("targets:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n    model: m\n" + extra)
            .write(to: work.appendingPathComponent("unsaid.yaml"), atomically: true, encoding: .utf8)
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        for arguments in [["run", "--suite", suite, "--target", "a"], ["targets", "check"]] {
            let result = try await CLIHarness.run(arguments, directory: work)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: unsaid.yaml:\(line):"), "\(result.stderr)")
            #expect(result.stderr.contains(field) && result.stderr.contains("must be"), "\(result.stderr)")
            #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(result.stderr)")
        }
    }

    /// `X-Unsaid-Fault: stall=1e300` used to trap converting to a Duration and kill `replay serve`.
    @Test func anAbsurdStallFaultIsRefusedAndTheReplayServerLivesOn() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let live = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("Recorded."), interval: .zero)
        }
        defer { Task { try? await live.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        let recorded = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", live.baseURL, "--model", "m", "--record", "fixtures", "--run-id",
                "rec",
            ],
            directory: work)
        #expect(recorded.status == 0, "\(recorded.stderr)")

        let serve = try CLIHarness.launch(
            ["replay", "serve", "fixtures", "--port", "0", "--speed", "max"], directory: work)
        defer { if serve.process.isRunning { serve.process.terminate() } }
        var baseURL: String?
        let deadline = Date().addingTimeInterval(60)
        while baseURL == nil, Date() < deadline, serve.process.isRunning {
            let banner = String(decoding: (try? Data(contentsOf: serve.stdoutURL)) ?? Data(), as: UTF8.self)
            baseURL = banner.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init)
            try await Task.sleep(for: .milliseconds(50))
        }
        let url = try #require(baseURL)
        let faulted = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", url, "--model", "m", "--run-id", "faulted", "--attempts", "1",
                "--header", "X-Unsaid-Fault: stall=1e300",
            ],
            directory: work)
        // The request is refused (HTTP 400, an errored probe: exit 1), and the server is still up.
        #expect(faulted.status == 1, "\(faulted.stderr)")
        let transcripts = try String(
            contentsOf: work.appendingPathComponent("Results/faulted/transcripts.jsonl"), encoding: .utf8)
        #expect(transcripts.contains("\"status\":400") && transcripts.contains("stall"))
        #expect(serve.process.isRunning)
        let again = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", url, "--model", "m", "--run-id", "again"], directory: work)
        #expect(again.status == 0, "\(again.stderr)")
        serve.process.terminate()
        await serve.wait()
    }
}
