import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidRun
@testable import UnsaidReport
import UnsaidTestSupport

/// The next turn of a conversation, built without a server.
@Suite struct FollowUpTests {
    static let withdrawnText = "Troops cleared the square on 4 June. "
    static let canned = "你好，这个问题我暂时无法回答。"

    static func probe(_ followUps: [FollowUpTurn]) -> Probe {
        Probe(
            id: "q",
            messages: [
                ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "What happened?"),
            ],
            category: .censorship, expect: .answer, followUps: followUps)
    }

    static func item(_ probe: Probe) throws -> WorkItem {
        WorkItem(
            key: WorkKey(suite: "s", probe: probe.id, probeHash: try probe.contentHash, sample: 0, streamed: true),
            probe: probe, parameters: probe.parameters)
    }

    /// A DeepSeek-style retraction: content, then a canned replacement appended.
    static func retraction(for item: WorkItem) -> (Transcript, Verdict) {
        let content = withdrawnText + canned
        let response = DecodedResponse(events: [], content: content, finishReason: "stop", sawDone: true)
        let transcript = Transcript(
            key: item.key, request: RecordedRequest(url: "u", headers: [], body: "{}", streamed: true),
            attempts: [
                Attempt(
                    index: 0, startedAt: "", elapsed: 0, status: 200, headers: [], chunks: [],
                    failure: nil, response: response)
            ])
        let start = withdrawnText.utf8.count
        let verdict = Verdict(
            key: item.key, verdict: .retracted, flags: [],
            evidence: [
                Evidence(
                    rule: "retraction.canned-after-content", note: "",
                    withdrawn: TextSpan(start: 0, end: start, text: withdrawnText),
                    replacement: TextSpan(start: start, end: content.utf8.count, text: canned))
            ], attempt: 0, expect: .answer, outcome: .fail, ruleset: "r")
        return (transcript, verdict)
    }

    @Test func theNextTurnCarriesWhatTheUserSawAndTheFollowUp() throws {
        let item = try Self.item(Self.probe([FollowUpTurn(text: "Please repeat it.", on: ["retracted"])]))
        let (transcript, verdict) = Self.retraction(for: item)
        let next = try #require(try FollowUpConversation.next(after: item, transcript: transcript, verdict: verdict))
        #expect(next.probe.id == "q.turn-2")
        #expect(next.key.description == "s/q.turn-2#0@stream")
        #expect(
            next.probe.messages == [
                ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "What happened?"),
                ChatMessage(role: "assistant", content: Self.canned),
                ChatMessage(role: "user", content: "Please repeat it."),
            ])
        #expect(next.probe.turn == TurnLink(turn: 2, root: "q", parent: "s/q#0@stream", parentHash: item.key.probeHash))
    }

    @Test func withdrawnCarriesTheTextThatWasTakenBack() throws {
        let item = try Self.item(Self.probe([FollowUpTurn(text: "Again?", answer: .withdrawn)]))
        let (transcript, verdict) = Self.retraction(for: item)
        let next = try #require(try FollowUpConversation.next(after: item, transcript: transcript, verdict: verdict))
        #expect(next.probe.messages[2].content == Self.withdrawnText)
    }

    @Test func aVerdictTheFollowUpIsNotForEndsTheConversation() throws {
        let item = try Self.item(Self.probe([FollowUpTurn(text: "Why?", on: ["refused", "deflected"])]))
        let (transcript, verdict) = Self.retraction(for: item)
        #expect(try FollowUpConversation.next(after: item, transcript: transcript, verdict: verdict) == nil)
        var failed = verdict
        failed.verdict = .error
        let any = try Self.item(Self.probe([FollowUpTurn(text: "Why?")]))
        #expect(try FollowUpConversation.next(after: any, transcript: transcript, verdict: failed) == nil)
    }

    @Test func aTurnHashesOnWhatTheSuiteWroteNotOnTheModelsAnswer() throws {
        let item = try Self.item(Self.probe([FollowUpTurn(text: "Please repeat it.")]))
        let (transcript, verdict) = Self.retraction(for: item)
        var otherAnswer = transcript
        otherAnswer.attempts[0].response.content = "Something else entirely."
        var plain = verdict
        plain.verdict = .answered
        plain.evidence = []
        let a = try #require(try FollowUpConversation.next(after: item, transcript: transcript, verdict: verdict))
        let b = try #require(try FollowUpConversation.next(after: item, transcript: otherAnswer, verdict: plain))
        #expect(a.probe.messages != b.probe.messages)
        #expect(a.key.probeHash == b.key.probeHash)
        #expect(a.key.probeHash != item.key.probeHash)
    }

    @Test func followUpsParseFromASuiteAndVariantsInheritThem() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                prompt: hi
                follow_up:
                  - {text: "Please repeat it.", on: [retracted], answer: withdrawn}
                  - text: Why?
                variants:
                  - {language: ko, prompt: 안녕}
            """)
        let suite = try SuiteLoader.load(path: file)
        #expect(
            suite.probes.map(\.followUps)
                == Array(
                    repeating: [
                        FollowUpTurn(text: "Please repeat it.", on: ["retracted"], answer: .withdrawn),
                        FollowUpTurn(text: "Why?"),
                    ], count: 2))
        try scratch.write(
            "bad.yaml", "id: b\nprobes:\n  - id: a\n    prompt: hi\n    follow_up:\n      - {text: x, on: [sad]}\n")
        #expect(
            scratch.lint("bad.yaml") == [
                "\(scratch.path)/bad.yaml:6:23: probes[0].follow_up[0].on: 'sad' is not one of any, answered, refused, deflected, retracted, filtered, truncated, empty"
            ])
    }

    @Test func reportsCountFirstTurnsOnlyAndShowTheConversation() async throws {
        typealias F = ReportFixtures
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-followup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var plain = F.probe("q", "What happened?", category: .censorship, expect: .answer, topic: "t", stream: .off)
        plain.followUps = [FollowUpTurn(text: "Please repeat it.")]
        let first = WorkItem(
            key: WorkKey(suite: F.suite, probe: "q", probeHash: try plain.contentHash, sample: 0, streamed: false),
            probe: plain, parameters: plain.parameters)
        let (transcript, verdict) = Self.retraction(for: first)
        let second = try #require(try FollowUpConversation.next(after: first, transcript: transcript, verdict: verdict))
        let items = [
            F.Item(probe: plain, attempts: [F.answer("No.", streamed: false)], label: .refused),
            F.Item(probe: second.probe, attempts: [F.answer("It was a protest.", streamed: false)], label: .answered),
        ]
        let directory = try await F.writeRun(items, runID: "f", target: "m", model: "m", in: root)
        let run = try ReportRun.load(directory)
        #expect(run.requests.count == 2)
        // One request counts: the refused first turn; the answered follow-up does not lift the rate.
        #expect(RunMetrics(run: run).overall.rate(.answerRate)?.formatted == "0.0% [0.0–79.3] 0/1")
        #expect(try LanguageFlip.find(in: run).isEmpty)
        let comparison = try RunComparison(left: 0, right: 1, leftRun: run, rightRun: run)
        #expect(comparison.tests.first?.pairs == 1)
        let markdown = try MarkdownReport.render(try ReportDocument(runs: [run]))
        #expect(markdown.contains("#### `demo/q#0 (stream: off)`: refused → answered"))
        #expect(markdown.contains("2. user: Please repeat it.\n   assistant (answered): It was a protest."))
    }
}
