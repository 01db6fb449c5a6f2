import Foundation
import Testing
import UnsaidSuite
import UnsaidReplay

/// `unsaid.yaml` gets the suite files' treatment: aliases refused fast, typos and syntax errors
/// at their line and column.
@Suite("Targets file shape", .serialized)
struct TargetsFileShapeTests {
    private func check(_ yaml: String) async throws -> CLIHarness.Result {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try yaml.write(to: work.appendingPathComponent("unsaid.yaml"), atomically: true, encoding: .utf8)
        return try await CLIHarness.run(["targets", "check"], directory: work)
    }

    /// Nine levels of ten-fold aliases: 10^9 nodes once expanded. Used to spin at 100% CPU.
    @Test(.timeLimit(.minutes(1))) func billionLaughsIsRefusedWithALine() async throws {
        var yaml = "targets:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n    model: m\n    extra_body:\n"
        yaml += "      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "      l\(level): &l\(level) [\(previous)]\n"
        }
        let result = try await check(yaml)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: unsaid.yaml:7:"), "\(result.stderr)")
        #expect(result.stderr.contains("YAML aliases are not allowed"), "\(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test func aMisspelledKeyGetsDidYouMean() async throws {
        let result = try await check(
            "targets:\n  - name: a\n    base_url: http://127.0.0.1:9/v1\n    model: m\n    rate_limt: 5\n")
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "error: unsaid.yaml:5:5: targets[0]: unknown key 'rate_limt'; did you mean 'rate_limit'?\n",
            "\(result.stderr)")
        let nested = try await check(
            "targets:\n  - name: a\n    base_url: http://x/v1\n    model: m\n    timeouts: {stal: 5}\n")
        #expect(
            nested.stderr.contains("unsaid.yaml:5:16: targets[0].timeouts: unknown key 'stal'; did you mean 'stall'?"),
            "\(nested.stderr)")
    }

    @Test func aSyntaxErrorHasLineAndColumn() async throws {
        let result = try await check("targets:\n  - name: a\n    base_url: [unclosed\n    model: m\n")
        #expect(result.status == 2)
        #expect(
            result.stderr.range(of: #"^error: unsaid\.yaml:\d+:\d+: .*invalid YAML"#, options: .regularExpression)
                != nil,
            "\(result.stderr)")
    }
}

/// A signature file states its key's fingerprint; `verify` must compute it from the key instead.
@Suite("Signature fingerprints", .serialized)
struct SignatureFingerprintTests {
    @Test func aSignatureByAnotherKeyReportsTwoDifferentFingerprints() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("Fine."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        let run = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--run-id", "r"], directory: work)
        #expect(run.status == 0, "\(run.stderr)")
        let trusted = try await CLIHarness.run(["keygen", "--out", "trusted.key"], directory: work)
        let other = try await CLIHarness.run(["keygen", "--out", "other.key"], directory: work)
        let trustedPrint = try #require(
            trusted.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let otherPrint = try #require(
            other.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(trustedPrint != otherPrint)

        // Signed with the other key, then the file's stated fingerprint forged to the trusted one.
        let signed = try await CLIHarness.run(["sign", "Results/r", "--key", "other.key"], directory: work)
        #expect(signed.status == 0, "\(signed.stderr)")
        let signature = work.appendingPathComponent("Results/r/manifest.sig")
        let forged = try String(contentsOf: signature, encoding: .utf8).replacingOccurrences(
            of: otherPrint, with: trustedPrint)
        try forged.write(to: signature, atomically: true, encoding: .utf8)

        let verify = try await CLIHarness.run(["verify", "Results/r", "--pubkey", "trusted.key.pub"], directory: work)
        #expect(verify.status == 1)
        #expect(
            verify.stdout.contains("signed by key \(otherPrint), not by the trusted key \(trustedPrint)"),
            "\(verify.stdout)")
        let embeddedOnly = try await CLIHarness.run(["verify", "Results/r"], directory: work)
        #expect(embeddedOnly.status == 1)
        #expect(
            embeddedOnly.stdout.contains(
                "states key fingerprint \(trustedPrint), but its key's fingerprint is \(otherPrint)"),
            "\(embeddedOnly.stdout)")
    }
}
