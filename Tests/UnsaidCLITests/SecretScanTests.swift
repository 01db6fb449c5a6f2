import Foundation
import Testing
import UnsaidCore
import UnsaidReplay

/// API keys, credential headers, keys in query strings and `--redact` strings must never appear
/// in any byte the run writes or prints — even when the server echoes them back.
@Suite("Secrets never reach the archive")
struct SecretScanTests {
    @Test func fullStreamedRunWithRecognisableSecretsLeavesNoTrace() async throws {
        let apiKey = "sk-unsaid-FAKE-KEY-0123456789abcdef"
        let headerSecret = "hdr-secret-ABCDEF123456"
        let querySecret = "query-secret-998877665544"
        let customSecret = "custom-secret-555444333"
        let secrets = [apiKey, headerSecret, querySecret, customSecret]

        let log = RequestLog()
        let server = try await LoopbackServer.start { request in
            await log.record(request)
            // A hostile or buggy server echoes every secret back, in the body and in a header.
            var response = ScriptedResponse.sse(
                events: CLIHarness.answerEvents("echo \(apiKey) \(headerSecret) \(querySecret) \(customSecret)"),
                interval: .milliseconds(5))
            response.headers.append(HTTPHeader(name: "X-Echo", value: "\(apiKey) \(headerSecret)"))
            return response
        }
        defer { Task { try? await server.shutdown() } }
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", "\(server.baseURL)?api-key=\(querySecret)", "--model", "m",
             "--api-key-env", "UNSAID_TEST_KEY", "--header", "X-Api-Key: \(headerSecret)", "--redact", customSecret,
             "--stream", "on"],
            environment: ["UNSAID_TEST_KEY": apiKey], directory: work)
        #expect(result.status == 0, "\(result.stderr)")

        // The secrets were really used on the wire …
        let headers = await log.headers
        #expect(headers.first?.first(named: "Authorization") == "Bearer \(apiKey)")
        #expect(headers.first?.first(named: "X-Api-Key") == headerSecret)
        #expect(await log.uris.first?.contains(querySecret) == true)

        // … and appear in no file of the run, nor in what the command printed.
        let run = try CLIHarness.runDirectory(in: work.appendingPathComponent("Results"))
        let files = try FileManager.default.contentsOfDirectory(atPath: run.path)
        #expect(files.contains("transcripts.jsonl"))
        var scanned = [("stdout", Data(result.stdout.utf8)), ("stderr", Data(result.stderr.utf8))]
        for name in files { scanned.append((name, try Data(contentsOf: run.appendingPathComponent(name)))) }
        for (name, data) in scanned {
            for secret in secrets {
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret) leaked into \(name)")
            }
        }
        // The redaction is visible, so an auditor knows something was removed.
        let transcripts = try String(contentsOf: run.appendingPathComponent("transcripts.jsonl"), encoding: .utf8)
        #expect(transcripts.contains("[REDACTED]"))
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
    }
}
