#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidTranscript
import UnsaidArchive
import UnsaidReplay

/// What `unsaid run` says at the end: the problems by name with their causes, the exit code
/// `--fail-on` asks for, `--quiet`/`--json`, and no control sequences where they do not belong.
@Suite("unsaid run output", .serialized)
struct RunOutputTests {
    static let refusal = [
        #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"I'm sorry, but I can't help with that."},"finish_reason":null}]}"#
            + "\n\n",
        #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
        "data: [DONE]\n\n",
    ]

    /// A port that refuses connections: bound, never listening, held for the caller's scope.
    static func withDeadPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in(
            sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
            sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func deadEndpointNamesEachErrorWithItsCause() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: 12)
        try await Self.withDeadPort { port in
            let result = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", "http://127.0.0.1:\(port)/v1", "--model", "m", "--attempts",
                    "2",
                ],
                directory: work)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stdout.contains("errors (12):"))
            #expect(result.stdout.contains("cli/probe-0#0 (stream: on)  connection refused"), "\(result.stdout)")
            #expect(result.stdout.contains("  … and 2 more"))
            #expect(result.stdout.contains("retries: 12 on 12 requests (12× connect)"))
            // Not a terminal: plain lines, no colour, no line redraws.
            #expect(
                !result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}") && !result.stderr.contains("\r"))

            let never = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", "http://127.0.0.1:\(port)/v1", "--model", "m", "--attempts",
                    "1",
                    "--fail-on", "never", "--verbose",
                ], directory: work)
            #expect(never.status == 0, "\(never.stderr)")
            #expect(
                never.stdout.contains("cli/probe-11#0 (stream: on)  connection refused"), "--verbose lists every error")
            #expect(!never.stdout.contains("more"))
        }
    }

    @Test func unexpectedVerdictsAreNamedAndFailOnlyWhenAsked() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in .sse(events: Self.refusal, interval: .zero) }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 2)
        let base = ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m"]

        let lenient = try await CLIHarness.run(base, directory: work)
        #expect(lenient.status == 0, "by default only errors fail a run: \(lenient.stderr)")
        #expect(lenient.stdout.contains("not as expected (2):"))
        #expect(lenient.stdout.contains("cli/probe-0#0 (stream: on)  refused (expected answer)  "))
        #expect(lenient.stdout.contains("“I'm sorry, but I can't help with that.”"))

        let strict = try await CLIHarness.run(base + ["--fail-on", "unexpected", "--quiet"], directory: work)
        #expect(strict.status == 1)
        #expect(!strict.stdout.contains("verdict    count"), "--quiet drops the table")
        #expect(strict.stdout.contains("against expectations: 0 as expected, 2 not as expected, 0 unscored"))
        #expect(strict.stdout.contains("cli/probe-1#0 (stream: on)  refused"))
        #expect(strict.stderr.isEmpty, "--quiet prints no progress: \(strict.stderr)")

        let bad = try await CLIHarness.run(base + ["--fail-on", "sometimes"], directory: work)
        #expect(bad.status == 2)
    }

    @Test func jsonIsOneObjectOnStandardOutputWithRetriesCounted() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let counter = Counter()
        // Every request's first attempt is rate-limited, the second answered.
        let server = try await LoopbackServer.start { request in
            if await counter.next(request.body) == 0 {
                var response = ScriptedResponse.json(429, #"{"error":{"message":"slow down"}}"#)
                response.headers.append(HTTPHeader(name: "Retry-After", value: "0"))
                return response
            }
            return .sse(events: CLIHarness.answerEvents("Fine."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--json"], directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(JSONValue.parse(Data(result.stdout.utf8)), "stdout: \(result.stdout)")
        #expect(object["schema"]?.stringValue == "unsaid.run-summary/1")
        #expect(object["exitCode"]?.intValue == 0)
        let run = try #require(object["runs"]?.arrayValue?.first)
        #expect(run["requests"]?.intValue == 3)
        #expect(run["verdicts"]?["answered"]?.intValue == 3)
        #expect(run["retries"]?["attempts"]?.intValue == 3)
        #expect(run["retries"]?["reasons"]?["HTTP 429"]?.intValue == 3)
        // The human summary went to standard error.
        #expect(result.stderr.contains("retries: 3 on 3 requests (3× HTTP 429)"))
        #expect(result.stderr.contains("verdict    count"))
    }

    @Test func colourAndRedrawOnlyOnATerminalThatWantsThem() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in .sse(events: Self.refusal, interval: .zero) }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 2)
        let command = [CLIHarness.binary.path, "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m"]
            .map { "'\($0)'" }.joined(separator: " ")
        // `script` gives the binary a pseudo-terminal for standard output and standard error.
        func underTerminal(_ environment: [String: String]) async throws -> CLIHarness.Result {
            try await CLIHarness.run(
                ["-qec", command, "/dev/null"], environment: environment, directory: work,
                executable: URL(fileURLWithPath: "/usr/bin/script"))
        }
        let colour = try await underTerminal(["TERM": "xterm", "NO_COLOR": ""])
        #expect(colour.stdout.contains("\u{1B}[33mrefused\u{1B}[0m"), "\(colour.stdout)")
        #expect(colour.stdout.contains("\u{1B}[K"))
        let noColour = try await underTerminal(["TERM": "xterm", "NO_COLOR": "1"])
        #expect(!noColour.stdout.contains("\u{1B}[" + "33m") && noColour.stdout.contains("refused (expected answer)"))
        let dumb = try await underTerminal(["TERM": "dumb"])
        #expect(!dumb.stdout.contains("\u{1B}"), "TERM=dumb gets no control sequences at all")
        #expect(dumb.stdout.contains("[2/2] cli/probe-"))
    }
}

extension RunOutputTests {
    @Test func runsCountsArchivedRequestsAndVerifyAndRunsSpeakJSON() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("Fine."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--run-id", "r", "--quiet"],
            directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        // As a killed run leaves it: the manifest's last checkpoint says 0, three records are on disk.
        let layout = ArchiveLayout(directory: work.appendingPathComponent("Results/r"))
        var manifest = try ArchiveReader.readManifest(layout)
        manifest.status = .running
        manifest.completed = 0
        try ManifestFile.write(manifest, layout: layout)
        let runs = try await CLIHarness.run(["runs"], directory: work)
        #expect(runs.status == 0)
        #expect(runs.stdout.contains(" 3/3 "), "\(runs.stdout)")
        let listing = try #require(
            JSONValue.parse(Data(try await CLIHarness.run(["runs", "--json"], directory: work).stdout.utf8)))
        #expect(listing["runs"]?.arrayValue?.first?["completed"]?.intValue == 3)

        let verify = try await CLIHarness.run(["verify", "Results/r", "--json"], directory: work)
        #expect(verify.status == 1, "the manifest was edited")
        let report = try #require(JSONValue.parse(Data(verify.stdout.utf8)), "\(verify.stdout)")
        #expect(report["verified"]?.boolValue == false)
        #expect(report["checks"]?.arrayValue?.contains { $0["passed"]?.boolValue == false } == true)
    }
}

/// Counts requests per body, to script "first attempt fails, retry succeeds".
actor Counter {
    private var seen: [[UInt8]: Int] = [:]

    func next(_ body: [UInt8]) -> Int {
        defer { seen[body, default: 0] += 1 }
        return seen[body] ?? 0
    }
}
