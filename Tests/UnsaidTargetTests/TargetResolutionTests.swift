import Foundation
import Testing
import UnsaidSuite
@testable import UnsaidTarget

/// One resolution step for every command: flags, an entry of the targets file and the defaults.
@Suite struct TargetResolutionTests {
    /// A targets file as a user writes it, loaded through the real parser.
    private func entries(_ yaml: String) throws -> [TargetEntry] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("targets-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return try TargetsFile.load(path: url.path).targets
    }

    @Test func targetsCheckAndRunResolveTheSameTimeoutsForTheSameEntry() throws {
        let targets = try entries(
            """
            targets:
              - {name: bare, base_url: "http://127.0.0.1:9/v1", model: m}
              - {name: partial, base_url: "http://127.0.0.1:9/v1", model: m, timeouts: {stall: 5}, attempts: 4}
            """)
        for entry in targets {
            let run = TargetFlags().resolve(entry).config
            let check = ResolvedTarget.check(entry).config
            #expect(check.timeouts == run.timeouts, "\(entry.name)")
            // The check reports what its one try met; a run retries as the file or default says.
            #expect(check.retry.maxAttempts == 1)
        }
        // Not merely equal: both are the documented defaults where the file is silent.
        #expect(ResolvedTarget.check(targets[0]).config.timeouts == TargetTimeouts(connect: 10, total: 300, stall: 60))
        #expect(ResolvedTarget.check(targets[1]).config.timeouts == TargetTimeouts(connect: 10, total: 300, stall: 5))
        #expect(TargetFlags().resolve(targets[1]).config.retry.maxAttempts == 4)
    }

    @Test func whatNoFlagSetsIsTheDefault() {
        let config = TargetFlags().resolve(name: "n", baseURL: "http://h/v1", model: "m").config
        #expect(config.apiKeyEnv == "OPENAI_API_KEY")
        #expect(config.includeUsage)
        #expect(config.timeouts == TargetTimeouts(connect: 10, total: 300, stall: 60))
        #expect(config.retry == RetryPolicy(maxAttempts: 3, baseDelay: 0.5, maxDelay: 30))
        #expect(config.headers.isEmpty && config.extraBody.isEmpty && config.redact.isEmpty)
        #expect(config.maxResponseBytes == 16 * 1024 * 1024)
    }

    @Test func theTargetsFileWinsOverFlagsAndFlagsFillWhatItLeavesOut() throws {
        let entry = try #require(
            entries(
                """
                targets:
                  - name: remote
                    base_url: "https://example.invalid/v1"
                    model: big
                    api_key_env: REMOTE_KEY
                    headers: {X-Team: file}
                    parameters: {temperature: 0}
                    extra_body: {ignore_eos: true}
                    concurrency: 2
                    rate_limit: 30
                    timeouts: {connect: 3}
                """
            ).first)
        let flags = TargetFlags(
            apiKeyEnv: "FLAG_KEY", headers: ["X-Team": "flag", "X-Run": "7"], redact: ["s3cret"],
            connectTimeout: 1, totalTimeout: 2, stallTimeout: 4, attempts: 5, maxResponseBytes: 100)
        let resolved = flags.resolve(entry)
        let config = resolved.config
        #expect(config.name == "remote" && config.model == "big" && config.baseURL == "https://example.invalid/v1")
        #expect(config.apiKeyEnv == "REMOTE_KEY")
        #expect(config.headers == ["X-Team": "file", "X-Run": "7"])
        #expect(config.redact == ["s3cret"])
        #expect(config.timeouts == TargetTimeouts(connect: 3, total: 2, stall: 4))
        #expect(config.retry.maxAttempts == 5)
        #expect(config.maxResponseBytes == 100)
        #expect(config.parameters == GenerationParameters(temperature: 0))
        #expect(config.extraBody == ["ignore_eos": .bool(true)])
        #expect(resolved.concurrency == 2 && resolved.rateLimit == 30)
    }

    @Test func aResumedRunKeepsItsRecordedSettingsWhereNoFlagIsGiven() {
        let recorded = TargetFlags(
            apiKeyEnv: "RUN_KEY", connectTimeout: 7, totalTimeout: 70, stallTimeout: 17, attempts: 2)
        let config = TargetFlags(totalTimeout: 99).filling(from: recorded).resolve(
            name: "n", baseURL: "http://h/v1", model: "m"
        ).config
        #expect(config.apiKeyEnv == "RUN_KEY")
        #expect(config.timeouts == TargetTimeouts(connect: 7, total: 99, stall: 17))
        #expect(config.retry.maxAttempts == 2)
    }

    @Test func aBaseURLThatIsNotHTTPIsOneLineWithItsSecretRedacted() {
        let config = TargetFlags(redact: ["tok123"]).resolve(name: "n", baseURL: "ftp://h/tok123", model: "m").config
        #expect(throws: TargetURLError.self) { try TargetConnection.libcurl(config) }
        do {
            _ = try TargetConnection.libcurl(config)
        } catch {
            #expect("\(error)" == "--base-url 'ftp://h/[REDACTED]' is not an http(s) URL")
        }
    }

    /// Each of these made every request of a run fail alike ("URL using bad/illegal format"),
    /// or, for a fragment, sent the requests to the base URL itself with a token left in the archive.
    @Test func baseURLsNoRequestCouldUseAreRefusedBeforeTheFirst() {
        let cases: [(String, String)] = [
            (
                "http://127.0.0.1:18091/v1 ",
                "--base-url 'http://127.0.0.1:18091/v1 ' has a space or control character in it"
            ),
            (
                "http://127.0.0.1:1/v1\nX: y",
                "--base-url 'http://127.0.0.1:1/v1\\nX: y' has a space or control character in it"
            ),
            ("http://127.0.0.1:99999/v1", "--base-url 'http://127.0.0.1:99999/v1' has port 99999, outside 1-65535"),
            (
                "http://127.0.0.1:1/v1#token=FragSecret55555",
                "--base-url 'http://127.0.0.1:1/v1#[REDACTED]' has a #fragment, which is never sent to the server"
            ),
        ]
        for (baseURL, message) in cases {
            let config = TargetFlags().resolve(name: "n", baseURL: baseURL, model: "m").config
            #expect(throws: TargetURLError.self) { try TargetConnection.libcurl(config) }
            do {
                _ = try TargetConnection.libcurl(config)
            } catch {
                #expect("\(error)" == message)
            }
        }
        let fine = TargetFlags().resolve(
            name: "n", baseURL: "https://api.example.com:8443/v1?api-version=1", model: "m")
        #expect(throws: Never.self) { try TargetConnection.libcurl(fine.config) }
    }
}
