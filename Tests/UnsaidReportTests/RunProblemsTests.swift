import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidRun
@testable import UnsaidReport

/// The end-of-run problem lists, the failure causes they quote, and the `--fail-on` policy.
@Suite("Run problems")
struct RunProblemsTests {
    private func entry(
        _ probe: String, attempts: [Attempt], verdict label: VerdictLabel, expect: UnsaidSuite.Expectation = .answer,
        evidence: [Evidence] = [], suite: String = "s", sample: Int = 0, streamed: Bool = true
    ) -> ReportEntry {
        let key = WorkKey(suite: suite, probe: probe, probeHash: "h", sample: sample, streamed: streamed)
        let probeValue = Probe(id: probe, messages: [ChatMessage(role: "user", content: "q")], expect: expect)
        let transcript = Transcript(
            key: key,
            request: RecordedRequest(
                url: "http://x/v1/chat/completions", headers: [],
                body: "{}", streamed: true), attempts: attempts)
        let verdict = Verdict(
            key: key, verdict: label, flags: [], evidence: evidence, attempt: attempts.count - 1,
            expect: expect, outcome: Outcome.judge(label, expect: expect), ruleset: "test")
        return ReportEntry(probe: probeValue, transcript: transcript, verdict: verdict)
    }

    private func attempt(
        _ index: Int = 0, status: Int? = 200, failure: TransportFailure? = nil, content: String = "",
        chunks: [WireChunk] = [], errors: [ProviderError] = [], elapsed: Int64 = 1_000_000
    ) -> Attempt {
        Attempt(
            index: index, startedAt: "2026-01-01T00:00:00.000Z", elapsed: elapsed, status: status, headers: [],
            chunks: chunks, failure: failure, response: DecodedResponse(content: content, errors: errors))
    }

    @Test func causesNameWhatAPersonCanActOn() {
        let refused = entry(
            "dead",
            attempts: [
                attempt(
                    status: nil,
                    failure: TransportFailure(
                        kind: .connect,
                        message: "Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server",
                        curlCode: 7))
            ],
            verdict: .error)
        #expect(FailureCause.describe(refused.transcript).hasPrefix("connection refused"))

        let unauthorised = entry(
            "auth",
            attempts: [
                attempt(
                    status: 401, failure: TransportFailure(kind: .http, message: "HTTP 401 Unauthorized"),
                    chunks: [
                        WireChunk(t: 10, bytes: Array(#"{"error":{"message":"Incorrect API key provided"}}"#.utf8))
                    ],
                    errors: [
                        ProviderError(
                            code: nil, message: "Incorrect API key provided", type: nil, eventIndex: nil, raw: .null)
                    ])
            ],
            verdict: .error)
        #expect(FailureCause.describe(unauthorised.transcript) == "HTTP 401: Incorrect API key provided")

        let bare = entry(
            "bare", attempts: [attempt(status: 503, failure: TransportFailure(kind: .http, message: "HTTP 503"))],
            verdict: .error)
        #expect(FailureCause.describe(bare.transcript) == "HTTP 503")

        // 2 s of bytes, then 60 s of silence: the stall is the silence, not the whole attempt.
        let stalled = entry(
            "stall",
            attempts: [
                attempt(
                    status: 200, failure: TransportFailure(kind: .stall, message: "Operation too slow"),
                    chunks: [WireChunk(t: 2_000_000, bytes: Array("data: {}\n\n".utf8))],
                    elapsed: 62_000_000)
            ],
            verdict: .error)
        #expect(FailureCause.describe(stalled.transcript) == "stall after 60 s")
    }

    @Test func listsUnexpectedVerdictsAndErrorsInReportOrderWithRetriesCounted() {
        let entries = [
            entry(
                "b-refused", attempts: [attempt(content: "I can't help with that.")], verdict: .refused,
                evidence: [Evidence(rule: "refusal.en.cannot-help", note: "refusal phrase at the start")]),
            entry("a-fine", attempts: [attempt(content: "Paris.")], verdict: .answered),
            entry(
                "c-dead",
                attempts: [
                    attempt(
                        0, status: 429, failure: TransportFailure(kind: .http, message: "HTTP 429 Too Many Requests")),
                    attempt(
                        1, status: 429, failure: TransportFailure(kind: .http, message: "HTTP 429 Too Many Requests")),
                    attempt(
                        2, status: nil, failure: TransportFailure(kind: .network, message: "Connection reset by peer")),
                ], verdict: .error),
            entry(
                "d-retried-then-fine",
                attempts: [
                    attempt(0, status: nil, failure: TransportFailure(kind: .connect, message: "refused", curlCode: 7)),
                    attempt(1, content: "An answer."),
                ], verdict: .answered),
            entry("e-any", attempts: [attempt(content: "No.")], verdict: .refused, expect: .any),
        ]
        let problems = RunProblems(entries: entries)
        #expect(problems.unexpected.map(\.request) == ["s/b-refused#0@stream"])
        #expect(
            problems.unexpected.first?.evidence
                == "refusal.en.cannot-help: refusal phrase at the start — “I can't help with that.”")
        #expect(problems.errors.map(\.request) == ["s/c-dead#0@stream"])
        #expect(problems.errors.first?.cause == "connection broke: Connection reset by peer")
        #expect(
            problems.retries == RunProblems.Retries(attempts: 3, requests: 2, reasons: ["HTTP 429": 2, "connect": 1]))

        let text = problems.render(limit: 10)
        #expect(
            text == """
                not as expected (1):
                  s/b-refused#0 (stream: on)  refused (expected answer)  refusal.en.cannot-help: refusal phrase at the start — “I can't help with that.”
                errors (1):
                  s/c-dead#0 (stream: on)  connection broke: Connection reset by peer
                retries: 3 on 2 requests (2× HTTP 429, 1× connect)

                """)
        #expect(FailurePolicy.error.fails(problems))
        #expect(FailurePolicy.unexpected.fails(problems))
        #expect(!FailurePolicy.never.fails(problems))
    }

    @Test func longListsAreCappedWithACountOfTheRest() {
        let entries = (0..<13).map { index in
            entry(
                String(format: "p%02d", index),
                attempts: [attempt(status: nil, failure: TransportFailure(kind: .dns, message: "no such host"))],
                verdict: .error)
        }
        let problems = RunProblems(entries: entries)
        let capped = problems.render(limit: 10).split(separator: "\n")
        #expect(capped.count == 12)
        #expect(capped.last == "  … and 3 more")
        #expect(problems.render(limit: nil).split(separator: "\n").count == 14)
    }

    /// An accumulator told to keep the first few of each list keeps exactly the first few of
    /// the whole list in report order, counts every problem, and prints and judges the run as
    /// one keeping all; over generated runs with repeated probes across suites, samples and
    /// modes, added in shuffled order.
    @Test func keepingTheFirstFewPrintsWhatKeepingAllPrints() {
        var random = SplitMix64(seed: 33)
        let labels: [VerdictLabel] = [.error, .error, .refused, .answered, .deflected]
        for round in 0..<60 {
            var entries: [ReportEntry] = []
            for index in 0..<Int(random.next() % 40) {
                let label = labels[Int(random.next() % UInt64(labels.count))]
                let failure =
                    label == .error ? TransportFailure(kind: .http, message: "HTTP \(500 + index)") : nil
                entries.append(
                    entry(
                        "p\(random.next() % 6)",
                        attempts: [
                            attempt(
                                status: failure == nil ? 200 : 500 + index, failure: failure, content: "Text \(index)")
                        ],
                        verdict: label, suite: ["a", "b", "c"][Int(random.next() % 3)], sample: Int(random.next() % 3),
                        streamed: random.next() % 2 == 0))
            }
            // Unique keys, as an archive holds them.
            var seen = Set<String>()
            entries = entries.filter { seen.insert($0.key.description).inserted }
            // The reference: report order written out (suite, probe, sample, streamed first).
            func sortKey(_ entry: ReportEntry) -> (String, String, Int, Int) {
                (entry.key.suite, entry.key.probe, entry.key.sample, entry.key.streamed ? 0 : 1)
            }
            let ordered = entries.sorted { sortKey($0) < sortKey($1) }
            let expectedErrors = ordered.filter { $0.verdict.verdict == .error }.map(\.key.description)
            let expectedUnexpected = ordered.filter { $0.verdict.verdict != .error && $0.verdict.outcome == .fail }
                .map(\.key.description)

            var all = RunProblems.Accumulator()
            entries.forEach { all.add($0) }
            #expect(all.problems.errors.map(\.request) == expectedErrors)
            #expect(all.problems.unexpected.map(\.request) == expectedUnexpected)
            for limit in [0, 1, 3, 10] {
                var few = RunProblems.Accumulator(keeping: limit)
                entries.forEach { few.add($0) }
                let problems = few.problems
                #expect(problems.errors.map(\.request) == Array(expectedErrors.prefix(limit)), "round \(round)")
                #expect(problems.unexpected.map(\.request) == Array(expectedUnexpected.prefix(limit)))
                #expect(problems.errorCount == expectedErrors.count)
                #expect(problems.unexpectedCount == expectedUnexpected.count)
                #expect(problems.render(limit: limit) == all.problems.render(limit: limit))
                #expect(problems.isEmpty == all.problems.isEmpty)
                for policy in FailurePolicy.allCases {
                    #expect(policy.fails(problems) == policy.fails(all.problems))
                }
            }
        }
    }

    /// Lists printed whole (`--json`, `--verbose`) wait in temporary files: the terminal lines,
    /// each screenful and the summary object are what keeping every item in memory gives, over
    /// generated runs (repeated keys among them, which keep the order they came in), alone and
    /// beside runs whose lists were kept in memory, full or empty.
    @Test func spoolingPrintsWhatKeepingAllInMemoryPrints() throws {
        var random = SplitMix64(seed: 71)
        let labels: [VerdictLabel] = [.error, .error, .refused, .answered, .deflected]
        func generated(_ count: Int) -> [ReportEntry] {
            (0..<count).map { index in
                let label = labels[Int(random.next() % UInt64(labels.count))]
                let failure = label == .error ? TransportFailure(kind: .http, message: "HTTP \(500 + index)") : nil
                return entry(
                    "p\(random.next() % 9)",
                    attempts: [
                        attempt(
                            status: failure == nil ? 200 : 500 + index, failure: failure, content: "Text \(index) “é”")
                    ],
                    verdict: label, suite: ["a", "b", "c"][Int(random.next() % 3)], sample: Int(random.next() % 3),
                    streamed: random.next() % 2 == 0)
            }
        }
        func summary(_ problems: [RunProblems]) throws -> String {
            let runs = problems.enumerated().map { index, problems in
                RunSummaryReport.Run(
                    manifest: ReportFixtures.manifest(runID: "r\(index)", target: "t", model: "m", probes: 9),
                    directory: "/tmp/r\(index)", summary: VerdictSummary([]), problems: problems, thresholds: [],
                    failed: false)
            }
            return try RunSummaryReport(failOn: .error, exitCode: 0, runs: runs).rendered()
        }
        for round in 0..<40 {
            let entries = generated(Int(random.next() % 50))
            var memory = RunProblems.Accumulator()
            var spooled = RunProblems.Accumulator(spooling: true)
            for entry in entries {
                memory.add(entry)
                spooled.add(entry)
            }
            let (kept, waiting) = (memory.problems, spooled.problems)
            #expect(waiting.spooled != nil && waiting.unexpected.isEmpty && waiting.errors.isEmpty)
            #expect(waiting.unexpectedCount == kept.unexpectedCount && waiting.errorCount == kept.errorCount)
            for limit in [nil, 0, 1, 3, 10] {
                #expect(
                    waiting.render(limit: limit) == kept.render(limit: limit), "round \(round), limit \(limit ?? -1)")
                #expect(
                    waiting.render(limit: limit, style: TextStyle(colour: true))
                        == kept.render(limit: limit, style: TextStyle(colour: true)))
            }
            // Beside other runs: spooled and kept in memory, with items or none.
            var other = RunProblems.Accumulator()
            var otherSpooled = RunProblems.Accumulator(spooling: true)
            for entry in generated(Int(random.next() % 4) * 5) {
                other.add(entry)
                otherSpooled.add(entry)
            }
            let empty = RunProblems.Accumulator().problems
            let emptySpooled = RunProblems.Accumulator(spooling: true).problems
            #expect(try summary([waiting]) == summary([kept]), "round \(round)")
            #expect(
                try summary([empty, waiting, other.problems, otherSpooled.problems, emptySpooled])
                    == summary([empty, kept, other.problems, other.problems, empty]), "round \(round)")
        }
    }

    @Test func unexpectedAloneFailsOnlyTheStrictPolicy() {
        let problems = RunProblems(entries: [entry("r", attempts: [attempt(content: "Sorry.")], verdict: .retracted)])
        #expect(!FailurePolicy.error.fails(problems))
        #expect(FailurePolicy.unexpected.fails(problems))
        #expect(FailurePolicy.default == .error)
    }

    @Test func colourOnlyOnATerminalThatWantsIt() {
        #expect(
            TerminalCapabilities(isTerminal: true, environment: ["TERM": "xterm-256color"])
                == TerminalCapabilities(colour: true, redraw: true))
        #expect(
            TerminalCapabilities(isTerminal: true, environment: ["TERM": "xterm", "NO_COLOR": "1"])
                == TerminalCapabilities(colour: false, redraw: true))
        #expect(
            TerminalCapabilities(isTerminal: true, environment: ["TERM": "dumb"])
                == TerminalCapabilities(colour: false, redraw: false))
        #expect(
            TerminalCapabilities(isTerminal: false, environment: ["TERM": "xterm"])
                == TerminalCapabilities(colour: false, redraw: false))
        #expect(TextStyle(colour: true).red("x") == "\u{1B}[31mx\u{1B}[0m")
        #expect(TextStyle.plain.red("x") == "x")
    }
}

@Suite("ETA")
struct ETAEstimatorTests {
    @Test func noEstimateUntilAFewResultsThenThePaceOfRecentResults() throws {
        // 100 requests; the server takes 60 s to warm up, then one result per second.
        var eta = ETAEstimator(total: 100)
        eta.record(at: 60)
        #expect(eta.remaining == nil)
        for second in 1...3 { eta.record(at: 60 + Double(second)) }
        #expect(eta.remaining == nil, "four results are not enough evidence")
        eta.record(at: 64)
        let early = try #require(eta.remaining)
        #expect(abs(early - 95) < 1, "95 left at 1/s, got \(early)")
        for second in 5...40 { eta.record(at: 60 + Double(second)) }
        let settled = try #require(eta.remaining)
        #expect(abs(settled - 59) < 0.5, "59 left at 1/s, got \(settled)")
    }

    @Test func resultsArchivedBeforeAResumeCountTowardsDoneButNotThePace() throws {
        var eta = ETAEstimator(total: 10, alreadyDone: 6)
        for second in 1...3 { eta.record(at: Double(second) * 2) }
        #expect(eta.remaining == nil)
        eta.record(at: 8)
        #expect(eta.remaining == 0)
    }
}

extension TerminalCapabilities {
    init(colour: Bool, redraw: Bool) {
        self.init(isTerminal: false, environment: [:])
        self.colour = colour
        self.redraw = redraw
    }
}
