#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidTranscript
import UnsaidVerdict
import UnsaidArchive
@testable import UnsaidFixture
import UnsaidReplay

/// `unsaid run --judge-target` end to end: the judge is a replay server answering from recorded
/// judge exchanges (fixtures written below, one per judged answer), so the test needs no model.
@Suite("unsaid run with a judge", .serialized)
struct JudgeRunTests {
    /// What the model under test says to each question of the suite.
    static let answers = [
        "Question number 0?": "The square was cleared by troops on the night of 3 June 1989.",
        "Question number 1?": "I can't help with that request.",
    ]

    /// The model under test: probe-0 answers, probe-1 refuses, probe-2 is blocked by the
    /// provider before any text (a wire signal the judge is never asked about).
    private func startModel() async throws -> LoopbackServer {
        try await LoopbackServer.start { request in
            let prompt =
                JSONValue.parse(Data(request.body))?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            guard let answer = Self.answers[prompt] else {
                return .sse(
                    events: [
                        #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"content_filter"}]}"# + "\n\n",
                        "data: [DONE]\n\n",
                    ], interval: .zero)
            }
            let escaped = answer.replacingOccurrences(of: "\"", with: "\\\"")
            return .sse(
                events: [
                    #"data: {"choices":[{"index":0,"delta":{"content":"\#(escaped)"},"finish_reason":null}]}"# + "\n\n",
                    #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
                    "data: [DONE]\n\n",
                ], interval: .zero)
        }
    }

    /// A recorded judge exchange: the request the run will send about `question`/`answer`
    /// (built from the bundled rubric) and the judge's JSON reply `text`.
    private func judgeFixture(question: String, answer: String, text: String, name: String) throws -> Fixture {
        let ruleset = try Ruleset.bundled()
        let rules = try #require(ruleset.judge)
        let rubric = try #require(rules.rubric(for: "en"))
        let messages = rubric.messages(prompt: question, answer: answer)
        let body = JSONValue.object([
            "model": .string("judge-m"),
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }),
            "temperature": .double(rules.temperature), "max_tokens": .int(Int64(rules.maxTokens)),
            "stream": .bool(false),
        ])
        let reply = JSONValue.object([
            "choices": .array([
                .object([
                    "index": .int(0), "finish_reason": .string("stop"),
                    "message": .object(["role": .string("assistant"), "content": .string(text)]),
                ])
            ])
        ])
        let bytes = try CanonicalJSON.encode(reply)
        let attempt = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 1000, status: 200,
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            chunks: [WireChunk(t: 500, bytes: bytes)], failure: nil,
            response: DecodedResponse(content: text, finishReason: "stop"))
        let request = RecordedRequest(
            url: "http://recorded/v1/chat/completions", headers: [],
            body: String(decoding: try CanonicalJSON.encode(body), as: UTF8.self), streamed: false)
        let key = WorkKey(suite: "judge", probe: name, probeHash: "", sample: 0, streamed: false)
        return Fixture(
            meta: FixtureMeta(name: name, description: "recorded judge reply", provider: "openai", source: "recorded"),
            probe: Probe(id: name, messages: messages),
            transcript: Transcript(key: key, request: request, attempts: [attempt]))
    }

    /// Writes the judge's recordings into `work/<directory>` and the targets file naming it.
    private func startJudge(in work: URL, directory: String, replies: [String]) async throws -> ReplayServer {
        let folder = work.appendingPathComponent(directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, (question, reply)) in zip(Self.answers.keys.sorted(), replies).enumerated() {
            let answer = Self.answers[question] ?? ""
            let fixture = try judgeFixture(question: question, answer: answer, text: reply, name: "judge-\(index)")
            try fixture.encoded().write(to: folder.appendingPathComponent("judge-\(index).json"))
        }
        return try await ReplayServer.start(serving: folder, speed: .max)
    }

    private func writeTargets(in work: URL, judgeURL: String) throws {
        try "targets:\n  - name: judge\n    base_url: \(judgeURL)\n    model: judge-m\n    attempts: 1\n"
            .write(to: work.appendingPathComponent("unsaid.yaml"), atomically: true, encoding: .utf8)
    }

    /// A judged run killed mid-way, with a judge exchange torn by the crash, resumes from where its
    /// transcripts and exchanges stopped: the judge chain continues (its head, its count), every
    /// exchange judges a record of the run, none twice, and verify passes.
    @Test func aKilledJudgedRunResumesItsJudgeChain() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // The first three questions are answered at once, the rest (until the kill) a few seconds
        // an event: however slowly this process runs among the other tests, the run is mid-way
        // when it is killed. The resumed run gets every answer at once.
        let pace = Pace()
        let model = try await LoopbackServer.start { request in
            let prompt =
                JSONValue.parse(Data(request.body))?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            let early = ["Question number 0?", "Question number 1?", "Question number 2?"].contains(prompt)
            let slow = await pace.slow && !early
            return .sse(
                events: CLIHarness.answerEvents("The answer."), interval: slow ? .seconds(4) : .zero)
        }
        defer { Task { try? await model.shutdown() } }
        let reply = String(
            decoding: try CanonicalJSON.encode(
                JSONValue.object([
                    "choices": .array([
                        .object([
                            "index": .int(0), "finish_reason": .string("stop"),
                            "message": .object([
                                "role": .string("assistant"),
                                "content": .string(#"{"label": "answered", "reason": "It answers."}"#),
                            ]),
                        ])
                    ])
                ])), as: UTF8.self)
        let judge = try await LoopbackServer.start { _ in .json(200, reply) }
        defer { Task { try? await judge.shutdown() } }
        try writeTargets(in: work, judgeURL: judge.baseURL)
        let count = 10
        let suite = try CLIHarness.writeSuite(in: work, count: count)
        let launched = try CLIHarness.launch(
            [
                "run", "--suite", suite, "--base-url", model.baseURL, "--model", "m", "--concurrency", "2",
                "--run-id", "judged", "--judge-target", "judge",
            ],
            directory: work)
        let run = work.appendingPathComponent("Results/judged")
        let layout = ArchiveLayout(directory: run)
        // Wait (bounded by a generous deadline, not asserted) until three exchanges are on disk.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = (try? Data(contentsOf: layout.judgements))?.filter { $0 == 0x0A }.count ?? 0
            if lines >= 3 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(launched.process.processIdentifier, SIGKILL)
        await launched.wait()
        #expect(launched.process.terminationReason == .uncaughtSignal)
        await pace.hurry()
        let handle = try FileHandle(forWritingTo: layout.judgements)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"judged":"torn","key":{"#.utf8))
        try handle.close()
        let before = try JudgeRecords.read(layout.judgements)
        #expect(before.tornTail != nil)
        #expect(before.records.count >= 3 && before.records.count < count, "\(before.records.count)")

        // The judge must be named again (the targets file may have changed); without it, one line.
        let unnamed = try await CLIHarness.run(["run", "--resume", run.path], directory: work)
        #expect(unnamed.status == 2)
        #expect(
            unnamed.stderr == "error: cannot resume: the run was judged by target 'judge'; pass --judge-target judge\n")
        let resume = try await CLIHarness.run(
            ["run", "--resume", run.path, "--judge-target", "judge"], directory: work)
        #expect(resume.status == 0, "\(resume.stderr)")
        let after = try ArchiveReader.read(run)
        let exchanges = try #require(after.judgements)
        #expect(exchanges.tornTail == nil)
        #expect(after.records.count == count)
        #expect(Array(exchanges.records.prefix(before.records.count)) == before.records)
        #expect(exchanges.records.map(\.seq) == Array(1...exchanges.records.count))
        #expect(after.manifest.judge?.records == exchanges.records.count)
        #expect(after.manifest.judge?.chainHead == exchanges.chainHead)
        // Each exchange judges a record of the run, and none is judged twice; at most the one
        // request the kill caught between its record and its exchange has none.
        let judged = exchanges.records.map(\.judged)
        #expect(Set(judged).count == judged.count)
        #expect(Set(judged).isSubset(of: Set(after.recordHashes)))
        #expect(judged.count >= count - 1, "\(judged.count)")
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("ok   judge chain: \(judged.count) judge exchanges with judge-m"))
    }

    private func verdictsByProbe(_ run: URL) throws -> [String: Verdict] {
        Dictionary(uniqueKeysWithValues: try ArchiveReader.read(run).verdicts.map { ($0.key.probe, $0) })
    }

    @Test func judgeDecidesTextVerdictsNeverWireOnesAndVerifyReplaysIt() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let model = try await startModel()
        defer { Task { try? await model.shutdown() } }
        // probe-0 (rules: answered) the judge calls deflected; probe-1 (rules: refused) it agrees with.
        let judge = try await startJudge(
            in: work, directory: "judge",
            replies: [
                #"{"label": "deflected", "reason": "It describes the aftermath, not what was asked."}"#,
                "```json\n{\"label\": \"Refused\", \"reason\": \"Declines outright.\"}\n```",
            ])
        defer { Task { try? await judge.shutdown() } }
        try writeTargets(in: work, judgeURL: judge.baseURL)
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", model.baseURL, "--model", "m", "--run-id", "j", "--judge-target",
                "judge",
            ],
            directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let run = work.appendingPathComponent("Results/j")

        let verdicts = try verdictsByProbe(run)
        #expect(verdicts["probe-0"]?.verdict == .deflected)
        #expect(verdicts["probe-0"]?.flags == [.needsReview])
        #expect(verdicts["probe-0"]?.outcome == .fail)
        #expect(verdicts["probe-0"]?.evidence.last?.rule == "judge.deflected")
        #expect(verdicts["probe-1"]?.verdict == .refused)
        #expect(verdicts["probe-1"]?.flags == [])
        #expect(verdicts["probe-1"]?.evidence.last?.note == "judge agrees: Declines outright.")
        #expect(verdicts["probe-2"]?.verdict == .filtered)
        #expect(verdicts["probe-2"]?.rules.contains { $0.hasPrefix("judge.") } == false)

        // The judge's exchanges are archived, chained, and linked to what they judged.
        let contents = try ArchiveReader.read(run)
        let judgements = try #require(contents.judgements)
        #expect(judgements.records.map(\.key.probe).sorted() == ["probe-0", "probe-1"])
        #expect(contents.manifest.judge?.model == "judge-m")
        #expect(contents.manifest.judge?.chainHead == judgements.chainHead)
        let sent = try #require(JSONValue.parse(Data((judgements.records.first?.transcript.request.body ?? "").utf8)))
        #expect(sent["temperature"]?.intValue == 0)
        #expect(sent["stream"]?.boolValue == false)

        // Offline, with the judge gone: verify and rescore re-derive every verdict byte for byte.
        try await judge.shutdown()
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("ok   judge chain: 2 judge exchanges with judge-m"))
        let rescore = try await CLIHarness.run(["rescore", run.path], directory: work)
        #expect(rescore.stdout.contains("0 of 3 verdicts differ"), "\(rescore.stdout)")
        let version = try Ruleset.bundled().version
        #expect(
            try Data(contentsOf: run.appendingPathComponent("verdicts.\(version).jsonl"))
                == Data(contentsOf: run.appendingPathComponent("verdicts.jsonl")))
        let withoutJudge = try await CLIHarness.run(["rescore", run.path, "--no-judge"], directory: work)
        #expect(withoutJudge.stdout.contains("1 of 3 verdicts differ"), "\(withoutJudge.stdout)")

        // A changed judge answer is caught.
        let file = run.appendingPathComponent("judgements.jsonl")
        let original = try String(contentsOf: file, encoding: .utf8)
        try original.replacingOccurrences(of: "deflected", with: "answered__").write(
            to: file, atomically: true, encoding: .utf8)
        let tampered = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("judgements.jsonl"), "\(tampered.stderr)")

        // The review loop picks up the disagreement.
        try original.write(to: file, atomically: true, encoding: .utf8)
        let review = try await CLIHarness.run(["review", run.path, "--list"], directory: work)
        #expect(review.stdout.hasSuffix("1 verdicts flagged needs_review, 0 labelled\n"), "\(review.stdout)")
        #expect(
            review.stdout.contains(
                "cli/probe-0#0 (stream: on)  (en)\nmachine: deflected (decided by judge)  flags: needs_review"),
            "\(review.stdout)")
    }

    @Test func aGarbageJudgeLeavesTheVerdictToTheRules() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let model = try await startModel()
        defer { Task { try? await model.shutdown() } }
        let judge = try await startJudge(
            in: work, directory: "garbage",
            replies: [
                "I think this one is answered, mostly.", #"{"label": "maybe", "reason": "unsure"}"#,
            ])
        defer { Task { try? await judge.shutdown() } }
        try writeTargets(in: work, judgeURL: judge.baseURL)
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", model.baseURL, "--model", "m", "--run-id", "g", "--judge-target",
                "judge",
            ],
            directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let run = work.appendingPathComponent("Results/g")
        let verdicts = try verdictsByProbe(run)
        #expect(verdicts["probe-0"]?.verdict == .answered)
        #expect(verdicts["probe-1"]?.verdict == .refused)
        for probe in ["probe-0", "probe-1"] {
            #expect(verdicts[probe]?.flags == [.judgeUnavailable])
            #expect(
                verdicts[probe]?.evidence.last?.note.hasPrefix("the judge's answer is not the rubric's JSON") == true)
        }
        #expect(verdicts["probe-2"]?.flags.contains(.judgeUnavailable) == false)
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func aDeadJudgeIsRecordedAndLeavesTheVerdictToTheRules() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let model = try await startModel()
        defer { Task { try? await model.shutdown() } }
        // A port nothing listens on, kept bound for the whole test.
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
        try writeTargets(in: work, judgeURL: "http://127.0.0.1:\(Int(UInt16(bigEndian: address.sin_port)))/v1")
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", model.baseURL, "--model", "m", "--run-id", "d", "--judge-target",
                "judge",
            ],
            directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let run = work.appendingPathComponent("Results/d")
        let verdicts = try verdictsByProbe(run)
        #expect(verdicts["probe-0"]?.verdict == .answered)
        #expect(verdicts["probe-1"]?.verdict == .refused)
        #expect(verdicts["probe-0"]?.flags == [.judgeUnavailable])
        #expect(verdicts["probe-0"]?.evidence.last?.note.hasPrefix("judge unreachable:") == true)
        let judgements = try #require(try ArchiveReader.read(run).judgements)
        #expect(judgements.records.map { $0.transcript.finalAttempt?.failure?.kind } == [.connect, .connect])
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        let unknown = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", model.baseURL, "--model", "m", "--judge-target", "nobody"],
            directory: work)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no target named 'nobody'"), "\(unknown.stderr)")
    }
}

/// Whether the model under test answers slowly (until the test says otherwise).
private actor Pace {
    private(set) var slow = true

    func hurry() { slow = false }
}
