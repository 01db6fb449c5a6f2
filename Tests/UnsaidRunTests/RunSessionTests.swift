import Foundation
import Synchronization
import Testing
import UnsaidArchive
import UnsaidSuite
import UnsaidTarget
import UnsaidTestSupport
import UnsaidTranscript
import UnsaidVerdict
@testable import UnsaidRun

/// A `ChatSender` that answers every request at once with a fixed non-streamed answer, remembers
/// the prompts it was sent, and can stop the run (as Ctrl-C does) when asked for a given prompt.
private final class ScriptedSender: ChatSender {
    private let sent = Mutex<[String]>([])
    private let answer: String
    /// The request that cancels the run: it is "sent", but the run stops before archiving it.
    private let stopAt: Int?

    /// What a streamed request gets instead of `answer`, when set.
    private let streamedAnswer: String?

    init(
        answer: String = "Freedom of speech is written into Article 35 of the Constitution.", stopAt: Int? = nil,
        streamedAnswer: String? = nil
    ) {
        self.answer = answer
        self.stopAt = stopAt
        self.streamedAnswer = streamedAnswer
    }

    var prompts: [String] { sent.withLock { $0 } }

    func send(_ item: WorkItem) async -> Transcript {
        let count = sent.withLock { sent in
            sent.append(item.probe.messages.last?.content ?? "")
            return sent.count
        }
        if count == stopAt { withUnsafeCurrentTask { $0?.cancel() } }
        let answer = item.key.streamed ? streamedAnswer ?? answer : answer
        return SampleTranscript.answered(answer, key: item.key)
    }
}

/// Counts what the end of the run streamed past, as the CLI's problem list does.
private struct Counted: RunTally {
    var records = 0
    var keys = Set<WorkKey>()
    mutating func add(probe: Probe, transcript: Transcript, verdict: Verdict) {
        records += 1
        keys.insert(transcript.key)
    }
}

@Suite("Run session: new runs, resume policy, final scoring")
struct RunSessionTests {
    let scratch: SuiteScratch
    let results: URL
    let ruleset: Ruleset

    init() throws {
        scratch = try SuiteScratch()
        results = URL(fileURLWithPath: scratch.path).appendingPathComponent("Results")
        ruleset = try Ruleset.bundled()
    }

    /// A suite of `count` probes that expect an answer, non-streamed.
    @discardableResult
    private func writeSuite(count: Int) throws -> String {
        var yaml =
            "id: session\nname: Session test suite\ndefaults:\n  category: censorship\n  expect: answer\n  stream: false\nprobes:\n"
        for index in 0..<count { yaml += "  - id: probe-\(index)\n    prompt: \"Question number \(index)?\"\n" }
        return try scratch.write("suite.yaml", yaml)
    }

    private func environment(_ sender: ScriptedSender) -> RunEnvironment {
        RunEnvironment(
            ruleset: ruleset,
            connect: { config in
                TargetConnection(
                    config: config, sender: sender,
                    redaction: RedactionPolicy(
                        explicit: config.redact, apiKey: nil,
                        headers: config.headers, baseURL: config.baseURL))
            }, gitCommit: { nil }, host: "test")
    }

    private func newRun(_ suite: String, runID: String = "r") throws -> NewRunRequest {
        let plan = RunPlanRequest(
            suites: try RunPlanning.loadSuites([suite], transforms: []), suitePaths: [suite],
            transforms: [], overrides: GenerationParameters(), streamMode: nil, selection: RunSelection())
        let target = TargetFlags().resolve(name: "m", baseURL: "http://127.0.0.1:9/v1", model: "m")
        return NewRunRequest(
            plan: plan, target: target, judge: nil, shard: nil, outputDirectory: results, runID: runID,
            concurrency: 1)
    }

    private func resume(_ directory: URL) -> ResumeRequest {
        ResumeRequest(
            directory: directory.path, model: nil, baseURL: nil, flags: TargetFlags(), concurrency: nil, judge: nil)
    }

    /// Runs a new session that `sender` stops at its `stopAt`-th request; returns the run directory.
    private func interruptedRun(_ suite: String, sender: ScriptedSender) async throws -> URL {
        let session = try RunSession.start(newRun(suite), environment: environment(sender))
        await #expect(throws: RunInterrupted.self) {
            _ = try await session.run(tally: Counted(), keepingMetrics: false)
        }
        return session.layout.directory
    }

    @Test func aNewRunArchivesEveryRequestOnceAndScoresTheArchive() async throws {
        let suite = try writeSuite(count: 5)
        let sender = ScriptedSender()
        let session = try RunSession.start(newRun(suite), environment: environment(sender))
        #expect(session.items.count == 5 && session.alreadyDone == 0 && session.concurrency == 1)
        let result = try await session.run(tally: Counted(), keepingMetrics: true)
        #expect(sender.prompts.sorted() == (0..<5).map { "Question number \($0)?" })
        #expect(result.tally.records == 5 && result.tally.keys.count == 5)
        #expect(result.scored.summary.counts[.answered] == 5)
        #expect(result.scored.tally?.added == 5)
        #expect(result.scored.tally?.overall.labels.values.reduce(0, +) == 5)
        #expect(result.manifest.status == .complete && result.manifest.completed == 5)
        #expect(ArchiveVerifier.verify(directory: result.directory).passed)
    }

    @Test func aNewRunsFinalVerdictsAreExactlyWhatScoringItsArchiveDerives() async throws {
        // Both modes, and the streamed answer refuses where the non-streamed one answers: every
        // verdict gets the whole-run mismatch finding, which the end of the run adds to the
        // verdicts judged as they were archived, without judging again.
        let suite = try writeSuite(count: 3)
        var request = try newRun(suite)
        request.plan.streamMode = .both
        let sender = ScriptedSender(streamedAnswer: "I'm sorry, but I can't help with that request.")
        let session = try RunSession.start(request, environment: environment(sender))
        let result = try await session.run(tally: Counted(), keepingMetrics: true)
        #expect(result.tally.records == 6 && result.tally.keys.count == 6)
        #expect(result.scored.crossModeMarked == 6)

        let rederivedURL = URL(fileURLWithPath: scratch.path).appendingPathComponent("rederived.jsonl")
        let rederived = try ArchiveScoring.score(
            session.layout, engine: VerdictEngine(ruleset: ruleset), to: rederivedURL)
        #expect(try Data(contentsOf: session.layout.verdicts) == Data(contentsOf: rederivedURL))
        #expect(result.scored.counts == rederived.counts && result.scored.summary == rederived.summary)
        #expect(result.scored.transcripts == rederived.transcripts)
        // Gathered as requests were archived (in completion order) against archive order.
        #expect(result.scored.tally != nil && result.scored.tally == rederived.tally)
        #expect(result.manifest.counts == rederived.counts)
        #expect(ArchiveVerifier.verify(directory: result.directory).passed)
    }

    @Test func withoutMetricsNoTallyIsKept() async throws {
        let suite = try writeSuite(count: 3)
        let session = try RunSession.start(newRun(suite), environment: environment(ScriptedSender()))
        let result = try await session.run(tally: Counted(), keepingMetrics: false)
        #expect(result.scored.tally == nil)
        #expect(result.scored.summary.total == 3)
    }

    @Test func anInterruptedRunSaysSoAndResumeSendsOnlyWhatIsMissing() async throws {
        let suite = try writeSuite(count: 6)
        let first = ScriptedSender(stopAt: 3)
        let directory = try await interruptedRun(suite, sender: first)
        let stopped = try ArchiveReader.readManifest(ArchiveLayout(directory: directory))
        #expect(stopped.status == .interrupted)
        #expect(stopped.completed == 2)

        let second = ScriptedSender()
        let session = try RunSession.resume(resume(directory), environment: environment(second))
        #expect(session.resumed == RunSession.Resumed(runID: "r", archived: 2, planned: 6, tornLine: nil))
        #expect(session.items.count == 4 && session.total == 6)
        let result = try await session.run(tally: Counted(), keepingMetrics: false)
        // The two archived before the stop are not sent again; the one cut off is.
        #expect(second.prompts == (2..<6).map { "Question number \($0)?" })
        #expect(result.tally.records == 6 && result.tally.keys.count == 6)
        #expect(result.manifest.status == .complete)
        #expect(ArchiveVerifier.verify(directory: directory).passed)
    }

    @Test func resumeRefusesAChangedSuiteAndChangesNothing() async throws {
        let suite = try writeSuite(count: 4)
        let directory = try await interruptedRun(suite, sender: ScriptedSender(stopAt: 2))
        try writeSuite(count: 5)
        let before = try contents(of: directory)
        let sender = ScriptedSender()
        #expect(throws: RunSetupError.self) {
            try RunSession.resume(resume(directory), environment: environment(sender))
        }
        do {
            _ = try RunSession.resume(resume(directory), environment: environment(sender))
        } catch let error as RunSetupError {
            #expect(
                error.description.hasPrefix(
                    "cannot resume: suite file \(suite) changed since the run started (SHA-256 now "))
        }
        #expect(try contents(of: directory) == before)
        #expect(sender.prompts.isEmpty)
    }

    /// Keys are kept as digests, so the refusal reads the archive again for the key it names:
    /// the smallest of those the plan does not hold, here two written after the stop.
    @Test func resumeNamesTheSmallestArchivedKeyThePlanDoesNotHold() async throws {
        let suite = try writeSuite(count: 4)
        let directory = try await interruptedRun(suite, sender: ScriptedSender(stopAt: 3))
        let contents = try ArchiveReader.read(directory)
        let template = try #require(contents.records.first)
        let writer = try ArchiveWriter(
            continuing: try ArchiveResume.inspect(directory), manifest: contents.manifest)
        for stray in ["zz-stray", "mm-stray"] {
            var probe = template.probe
            probe.id = stray
            var transcript = template.transcript
            transcript.key.probe = stray
            let verdict = try #require(contents.verdicts.first)
            _ = try await writer.append(probe: probe, transcript: transcript, verdict: verdict)
        }
        let before = try self.contents(of: directory)
        do {
            _ = try RunSession.resume(resume(directory), environment: environment(ScriptedSender()))
            Issue.record("a resume of an archive with requests the plan does not hold was not refused")
        } catch let error as RunSetupError {
            #expect(
                error.description
                    == "cannot resume: the archive holds \(WorkKey(suite: template.transcript.key.suite, probe: "mm-stray", probeHash: template.transcript.key.probeHash, sample: 0, streamed: template.transcript.key.streamed)), which the suites no longer plan"
            )
        }
        #expect(try self.contents(of: directory) == before)
    }

    @Test func resumeRefusesAnotherModelOrOtherHeaders() async throws {
        let suite = try writeSuite(count: 3)
        let directory = try await interruptedRun(suite, sender: ScriptedSender(stopAt: 2))
        let sender = ScriptedSender()
        var otherModel = resume(directory)
        otherModel.model = "other"
        #expect(throws: RunSetupError("cannot resume: the run was against model 'm', not 'other'")) {
            try RunSession.resume(otherModel, environment: environment(sender))
        }
        var headers = resume(directory)
        headers.flags.headers = ["X-Extra": "1"]
        #expect(throws: RunSetupError("cannot resume: pass the same --header options as the original run (names: )")) {
            try RunSession.resume(headers, environment: environment(sender))
        }
    }

    @Test func aCompleteRunIsNotResumed() async throws {
        let suite = try writeSuite(count: 2)
        let session = try RunSession.start(newRun(suite), environment: environment(ScriptedSender()))
        let directory = try await session.run(tally: Counted(), keepingMetrics: false).directory
        #expect(throws: RunSetupError.self) {
            try RunSession.resume(resume(directory), environment: environment(ScriptedSender()))
        }
    }

    @Test func aLiveRunIsLockedAgainstASecondWriter() throws {
        let suite = try writeSuite(count: 2)
        let session = try RunSession.start(newRun(suite), environment: environment(ScriptedSender()))
        #expect(throws: RunSetupError.self) {
            try RunSession.resume(resume(session.layout.directory), environment: environment(ScriptedSender()))
        }
    }

    @Test func aRunIDMustBeANameAndTheSelectionMustMatchSomething() throws {
        let suite = try writeSuite(count: 2)
        #expect(throws: RunSetupError.self) {
            try RunSession.start(newRun(suite, runID: "../escape"), environment: environment(ScriptedSender()))
        }
        var request = try newRun(suite)
        request.plan.selection = RunSelection(filters: ["nothing-*"])
        #expect(throws: RunSetupError("no probe matches the selection (\(suite))")) {
            try RunSession.start(request, environment: environment(ScriptedSender()))
        }
    }

    /// Every file of a run directory with its bytes.
    private func contents(of directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where name != ArchiveLock.fileName {
            files[name] = try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return files
    }
}
