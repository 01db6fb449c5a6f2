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
        evidence: [Evidence] = []
    ) -> ReportEntry {
        let key = WorkKey(suite: "s", probe: probe, probeHash: "h", sample: 0, streamed: true)
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
