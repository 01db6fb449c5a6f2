import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidTarget

@Suite("Targets file")
struct TargetsFileTests {
    private func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-targets-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func readsEveryField() throws {
        let path = try write(
            """
            targets:
              - name: a
                base_url: http://127.0.0.1:8080/v1
                model: m
                api_key_env: A_KEY
                headers: {X-Team: audit}
                parameters: {temperature: 0, top_p: 0.5, max_tokens: 64, seed: 3}
                extra_body: {safe_mode: false}
                concurrency: 2
                rate_limit: 30
                timeouts: {connect: 1, stall: 5}
                attempts: 4
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let target = try #require(TargetsFile.load(path: path).targets.first)
        #expect(target.apiKeyEnv == "A_KEY")
        #expect(target.headers == ["X-Team": "audit"])
        #expect(
            target.parameters?.generation == GenerationParameters(temperature: 0, topP: 0.5, maxTokens: 64, seed: 3))
        #expect(target.extraBody == ["safe_mode": .bool(false)])
        #expect(target.concurrency == 2 && target.rateLimit == 30 && target.attempts == 4)
        #expect(target.timeouts == TargetEntry.Timeouts(connect: 1, total: nil, stall: 5))
    }

    @Test func missingFieldNamesItsPath() throws {
        let path = try write("targets:\n  - name: a\n    base_url: http://x/v1\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Positioned at the target that lacks the field.
        #expect(
            throws: SuiteError(
                file: path, line: 2, column: 5, field: "targets[0].model", message: "required field is missing")
        ) {
            try TargetsFile.load(path: path)
        }
    }

    @Test func duplicateNamesAndBadLimitsAreRejected() throws {
        let duplicate = try write(
            "targets:\n  - {name: a, base_url: u, model: m}\n  - {name: a, base_url: u, model: n}\n")
        let badRate = try write("targets:\n  - {name: a, base_url: u, model: m, rate_limit: 0}\n")
        defer {
            try? FileManager.default.removeItem(atPath: duplicate); try? FileManager.default.removeItem(atPath: badRate)
        }
        #expect(
            throws: SuiteError(
                file: duplicate, line: 3, column: 12, field: "targets[1].name", message: "duplicate target name 'a'")
        ) {
            try TargetsFile.load(path: duplicate)
        }
        #expect(
            throws: SuiteError(
                file: badRate, line: 2, column: 50, field: "targets[0].rate_limit",
                message: "must be a number of requests per minute greater than 0 and at most 1000000, got 0.0")
        ) {
            try TargetsFile.load(path: badRate)
        }
    }
}
