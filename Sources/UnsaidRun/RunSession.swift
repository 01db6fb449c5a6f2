import Foundation
import Synchronization
import UnsaidArchive
import UnsaidSuite
import UnsaidSupport
import UnsaidTarget
import UnsaidTranscript
import UnsaidVerdict

/// One run of one target, from an open archive to its final verdicts: `start` (a new run) or
/// `resume` (one that stopped) prepare it and hold the archive's lock; `run` sends what is left,
/// scores the archive and returns the results. It prints nothing: what it did is in its
/// properties and in the `RunResult`, for the command to show.
package struct RunSession: Sendable {
    package let layout: ArchiveLayout
    /// What is sent now (on a resume: what the archive does not hold yet), in plan order.
    package let items: PlannedRequests
    /// Records already in the archive (a resume), counted toward progress.
    package let alreadyDone: Int
    package let target: TargetConnection
    package let judge: TargetConnection?
    package let concurrency: Int
    /// Requests per minute at most.
    package let rateLimit: Double?
    /// What a resume found, for the line that says so.
    package let resumed: Resumed?
    /// Which part of a sharded plan this run sends, for the line that says so.
    package let shard: ShardPart?

    let ruleset: Ruleset
    let archive: ArchiveWriter
    /// Held while the session lives: no other process may write this run meanwhile.
    let lock: ArchiveLock

    package struct Resumed: Sendable, Equatable {
        package var runID: String
        /// Records in the archive after repair, follow-up turns included.
        package var archived: Int
        /// Requests the (shard's) plan holds.
        package var planned: Int
        /// Where a torn last record was cut, if one was.
        package var tornLine: Int?
    }

    package struct ShardPart: Sendable, Equatable {
        package var shard: Shard
        package var source: String
        package var requests: Int
        package var wholePlan: Int
    }

    /// Requests of the whole run: sent now plus already archived.
    package var total: Int { items.count + alreadyDone }

    // MARK: New run

    /// Plans the run, checks its id, resolves the judge, then creates the archive and locks it.
    package static func start(_ request: NewRunRequest, environment: RunEnvironment) throws -> RunSession {
        let ruleset = environment.ruleset
        let plan = request.plan
        let config = request.target.config
        let overrides = plan.overrides.overriding(config.parameters)
        let whole = try plan.items(for: request.target)
        if whole.isEmpty {
            throw RunSetupError("no probe matches the selection (\(plan.suitePaths.joined(separator: ", ")))")
        }
        // A shard's part may be empty (a small plan, many shards): it still writes a complete
        // archive, so merge sees every shard.
        let items = request.shard.map { part in whole.filter(keys: part.shard.contains) } ?? whole
        let connection = try environment.connect(config)

        let model = config.model
        let runID =
            (request.runID ?? ArchiveLayout.makeRunID(model: config.name == model ? model : "\(config.name)-\(model)"))
            + (request.shard.map { RunPlanning.runIDSuffix(index: $0.shard.index, count: $0.shard.count) } ?? "")
        // Joined to --out as one directory name, so it must be a name, not a path.
        if let problem = SafeName.problem(with: runID) { throw RunSetupError("--run-id \(problem)") }
        let layout = ArchiveLayout(directory: request.outputDirectory.appendingPathComponent(runID))
        let streamMode = plan.streamMode
        let concurrency = request.target.concurrency ?? request.concurrency ?? RunPlanning.defaultConcurrency
        var manifest = Manifest(
            runID: runID, tool: .init(gitCommit: environment.gitCommit()), host: environment.host,
            startedAt: Timestamp.now(),
            target: .init(
                name: config.name, baseURL: connection.redactedBaseURL, model: model, parameters: overrides,
                streamMode: streamMode.map(RunPlanning.manifestName) ?? "per-probe"),
            suites: plan.suites.map {
                .init(id: $0.id, version: $0.version, probes: $0.probes.count, sources: $0.sources)
            },
            arguments: .init(
                suitePaths: plan.suitePaths, streamOverride: streamMode.flatMap(RunPlanning.streamOverride),
                apiKeyEnv: config.apiKeyEnv, headerNames: config.headers.keys.sorted(),
                streamMode: streamMode == .both ? .both : nil,
                selection: plan.selection.isEmpty ? nil : plan.selection,
                settings: .init(
                    concurrency: concurrency, rateLimit: request.target.rateLimit,
                    connectTimeout: config.timeouts.connect, timeout: config.timeouts.total,
                    stallTimeout: config.timeouts.stall, attempts: config.retry.maxAttempts),
                transforms: plan.transforms.isEmpty ? nil : plan.transforms),
            ruleset: .init(version: ruleset.version, sha256: ruleset.sha256), planned: items.count)
        var shardPart: ShardPart?
        if let shard = request.shard {
            manifest.shard = .init(
                shard: shard.shard, planDigest: PlanDigest.digest(whole.keys), wholePlan: whole.count,
                source: shard.source)
            shardPart = ShardPart(
                shard: shard.shard, source: shard.source, requests: items.count, wholePlan: whole.count)
        }
        let judge = try request.judge.map { try environment.connect($0.resolve().config) }
        if let judge {
            manifest.judge = .init(name: judge.config.name, baseURL: judge.redactedBaseURL, model: judge.config.model)
        }
        let archive: ArchiveWriter
        let lock: ArchiveLock
        do {
            try FileManager.default.createDirectory(at: layout.directory, withIntermediateDirectories: true)
            lock = try ArchiveLock.acquire(layout.directory)
            archive = try ArchiveWriter(
                creating: layout, manifest: manifest, ruleset: ruleset.snapshot,
                gathering: GroupCommit.Gathering(concurrency: concurrency))
        } catch {
            throw RunSetupError("\(error)")
        }
        return RunSession(
            layout: layout, items: items, alreadyDone: 0, target: connection, judge: judge,
            concurrency: concurrency, rateLimit: request.target.rateLimit, resumed: nil, shard: shardPart,
            ruleset: ruleset, archive: archive, lock: lock)
    }

    // MARK: Running

    /// Sends the items, then finishes the verdicts, seals the archive and, with `fixtures`, writes
    /// every exchange as a replay fixture.
    ///
    /// A new run judges each answer once, as it is archived: `tally` and (when asked) the slim
    /// metric items are gathered then, and the end only adds the whole-run findings to the
    /// provisional verdicts (`ArchiveScoring.finalise`). A resumed run derives its final verdicts
    /// from the archived transcripts as a stream instead (`ArchiveScoring.score`, exactly what
    /// `unsaid verify` re-derives), because the records from before the stop were never seen by
    /// this process. Either way memory does not grow with the transcripts.
    ///
    /// Cancelling the task stops the sending: the manifest then says `interrupted` and this
    /// throws `RunInterrupted`.
    package func run<Tally: RunTally>(
        tally: Tally, keepingMetrics: Bool, fixtures: URL? = nil,
        progress: @escaping @Sendable (RunProgress) -> Void = { _ in }
    ) async throws -> RunResult<Tally> {
        try await archive.checkpoint(status: .running)
        let fresh = alreadyDone == 0
        let gathered = GatheredRequests(tally: tally, keepingMetrics: keepingMetrics)
        let engine = RunEngine(
            sender: target.sender, verdicts: VerdictEngine(ruleset: ruleset), archive: archive,
            concurrency: concurrency, rateLimiter: rateLimit.map { RateLimiter(perMinute: $0) },
            judge: judge?.sender, onArchived: { if fresh { gathered.add($0) } })
        do {
            try await engine.run(items, alreadyDone: alreadyDone, progress: progress)
        } catch is CancellationError {
            // Still inside the cancelled task: the checkpoint waits on the group commit with a
            // continuation, which cancellation does not cut short.
            try await archive.checkpoint(status: .interrupted)
            throw RunInterrupted(directory: layout.directory)
        }

        let (gatheredTally, metrics) = gathered.take()
        let scored: ScoredArchive
        var tally = tally
        if fresh,
            let finalised = try ArchiveScoring.finalise(
                layout, transcripts: await archive.written, tally: metrics,
                pairingModes: items.mixesModes)
        {
            (scored, tally) = (finalised, gatheredTally)
        } else {
            scored = try ArchiveScoring.score(
                layout, engine: VerdictEngine(ruleset: ruleset), to: layout.verdicts,
                judgements: try ArchiveReader.readManifest(layout).judge.map { _ in
                    try JudgeIndex.read(layout.judgements)
                }
            ) { record, _, verdict in
                tally.add(probe: record.probe, transcript: record.transcript, verdict: verdict)
            }
        }
        try await archive.finish(scored: scored)
        let recorded = try fixtures.map {
            try FixtureRecording.write(
                layout, to: $0, provider: target.redactedBaseURL, secrets: target.redaction.secrets)
        }
        return RunResult(
            directory: layout.directory, manifest: try ArchiveReader.readManifest(layout), scored: scored,
            tally: tally, fixturesRecorded: recorded)
    }
}

/// What a new run keeps of each request as it is archived: the caller's tally and, when asked,
/// the figures' sums (`MetricTally`).
private final class GatheredRequests<Tally: RunTally>: Sendable {
    private struct State {
        var tally: Tally
        var metrics: MetricTally?
    }
    private let state: Mutex<State>

    init(tally: Tally, keepingMetrics: Bool) {
        self.state = Mutex(State(tally: tally, metrics: keepingMetrics ? MetricTally() : nil))
    }

    func add(_ request: ArchivedRequest) {
        state.withLock { state in
            state.tally.add(probe: request.probe, transcript: request.transcript, verdict: request.verdict)
            state.metrics?.add(probe: request.probe, verdict: request.verdict)
        }
    }

    /// The tally, and the figures' sums when they were kept.
    func take() -> (Tally, MetricTally?) {
        state.withLock { state in (state.tally, state.metrics) }
    }
}
