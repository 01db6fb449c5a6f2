import Foundation
import Testing
import UnsaidSuite
import UnsaidReplay

/// Several targets in one command, the comparison at the end, `--fail-under`, and `targets check`.
@Suite("Targets file, comparison and CI gating")
struct TargetsTests {
    private static let refusal = [
        #"data: {"choices":[{"index":0,"delta":{"content":"I can't help with that request."},"finish_reason":null}]}"#
            + "\n\n",
        #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
        "data: [DONE]\n\n",
    ]

    @Test func twoTargetsGiveTwoArchivesAComparisonAndAThresholdFailure() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let open = try await LoopbackServer.start { _ in
            .sse(
                events: CLIHarness.answerEvents("The events of 1989 are well documented by historians."),
                interval: .zero)
        }
        let strict = try await LoopbackServer.start { _ in .sse(events: Self.refusal, interval: .zero) }
        defer {
            Task {
                try? await open.shutdown(); try? await strict.shutdown()
            }
        }
        try """
        targets:
          - name: open
            base_url: \(open.baseURL)
            model: open-model
          - name: strict
            base_url: \(strict.baseURL)
            model: strict-model
            rate_limit: 6000
            concurrency: 2
        """.write(to: work.appendingPathComponent("unsaid.yaml"), atomically: true, encoding: .utf8)
        let suite = try CLIHarness.writeSuite(in: work, count: 4)

        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--all-targets", "--run-id", "cmp", "--fail-under",
                "censorship.answer_rate=0.9",
            ],
            directory: work)
        #expect(result.status == 1, "\(result.stderr)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("Results").path)
            .sorted()
        #expect(runs == ["cmp-open", "cmp-strict"])
        #expect(result.stdout.contains("ok   category:censorship.answer_rate>=0.9: 100.0%"))
        #expect(result.stdout.contains("FAIL category:censorship.answer_rate>=0.9: 0.0%"))
        // The comparison names both models and the McNemar test on the four discordant pairs.
        #expect(result.stdout.contains("McNemar"))
        #expect(result.stdout.contains("open-model") && result.stdout.contains("strict-model"))

        let passing = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--target", "open", "--run-id", "only-open", "--fail-under",
                "censorship.answer_rate=0.9",
            ],
            directory: work)
        #expect(passing.status == 0, "\(passing.stderr)")
    }

    @Test func unknownTargetIsAConfigurationError() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try "targets:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n    model: m\n"
            .write(to: work.appendingPathComponent("unsaid.yaml"), atomically: true, encoding: .utf8)
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        let result = try await CLIHarness.run(["run", "--suite", suite, "--target", "b"], directory: work)
        #expect(result.status == 2)
        #expect(result.stderr == "error: unsaid.yaml: no target named 'b' (known: a)\n")
    }

    @Test func targetsCheckReportsEachTargetInOneTable() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let good = try await LoopbackServer.start { _ in .sse(events: CLIHarness.answerEvents("OK"), interval: .zero) }
        let locked = try await LoopbackServer.start { _ in
            .json(401, #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#)
        }
        let jsonOnly = try await LoopbackServer.start { _ in
            .json(
                200, #"{"choices":[{"index":0,"message":{"role":"assistant","content":"OK"},"finish_reason":"stop"}]}"#)
        }
        defer {
            Task {
                try? await good.shutdown(); try? await locked.shutdown(); try? await jsonOnly.shutdown()
            }
        }
        try """
        targets:
          - {name: good, base_url: "\(good.baseURL)", model: g}
          - {name: locked, base_url: "\(locked.baseURL)", model: l}
          - {name: json-only, base_url: "\(jsonOnly.baseURL)", model: j}
        """.write(to: work.appendingPathComponent("unsaid.yaml"), atomically: true, encoding: .utf8)
        let result = try await CLIHarness.run(["targets", "check"], directory: work)
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[1].hasPrefix("good ") && lines[1].contains(" yes ") && !lines[1].contains("no ("))
        #expect(lines[2].hasPrefix("locked ") && lines[2].contains("rejected") && lines[2].contains("401"))
        #expect(lines[3].hasPrefix("json-only ") && lines[3].contains("no (answered JSON)"))
    }

    /// A server that echoes the Authorization header (split over two writes, one character
    /// JSON-escaped) and sends terminal escape sequences: `targets check` prints neither.
    @Test func targetsCheckPrintsNoEchoedSecretAndNoEscapeSequences() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let key = "sk-check-0123456789"
        let echo = try await LoopbackServer.start { request in
            let authorization = request.headers.first(named: "Authorization") ?? ""
            let escaped = authorization.replacingOccurrences(of: "-", with: "\\u002d")
            let text = Array("Echo: \(escaped) \u{1B}[2J\u{1B}]0;title\u{07}".utf8)
            let event =
                Array(#"data: {"choices":[{"index":0,"delta":{"content":""#.utf8)
                + Array(
                    String(decoding: text, as: UTF8.self).unicodeScalars.map {
                        $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : String($0)
                    }.joined().utf8)
                + Array(#""},"finish_reason":"stop"}]}"#.utf8) + Array("\n\ndata: [DONE]\n\n".utf8)
            var response = ScriptedResponse.sse(events: [], interval: .zero)
            response.parts = [
                .bytes(Array(event[..<30]), delay: .zero), .bytes(Array(event[30...]), delay: .milliseconds(2)),
            ]
            return response
        }
        defer { Task { try? await echo.shutdown() } }
        try "targets:\n  - {name: echo, base_url: \"\(echo.baseURL)\", model: e, api_key_env: CHECK_KEY}\n"
            .write(to: work.appendingPathComponent("unsaid.yaml"), atomically: true, encoding: .utf8)
        let result = try await CLIHarness.run(["targets", "check"], environment: ["CHECK_KEY": key], directory: work)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Echo: Bearer [REDACTED]"), "\(result.stdout)")
        for output in [result.stdout, result.stderr] {
            #expect(!output.contains("0123456789"))
            #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        }
    }
}
