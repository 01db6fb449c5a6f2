import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidReplay
import UnsaidReport
import UnsaidRun
import UnsaidSuite
import UnsaidSupport
import UnsaidTarget
import UnsaidTranscript
import UnsaidVerdict
import UnsaidFixture

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run probe suites against an OpenAI-compatible endpoint and archive the results.",
        discussion: """
            Sends every probe of the given suites to <base-url>/chat/completions, keeps the raw \
            response bytes with arrival times, scores each answer, and writes \
            <out>/<run-id>/manifest.json, transcripts.jsonl and verdicts.jsonl.

            The end of the run lists every request whose verdict is not what its probe expected \
            (with the evidence), every request that ended in an error (with its cause), and how \
            many attempts were retries.

            Exit codes: 0 the run finished; 1 the run finished but failed what --fail-on asks \
            (default: some request ended in an error: dead endpoint, HTTP error, stall, garbage) \
            or a --fail-under threshold; 2 usage or configuration error.
            """
    )

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("A suite file or a directory of suite files (repeatable).", valueName: "path"))
    var suite: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Endpoint base URL, e.g. http://127.0.0.1:8080/v1 (default: $OPENAI_BASE_URL).", valueName: "url"))
    var baseURL: String?

    @Option(name: .long, help: ArgumentHelp("Model name sent in each request (default: $OPENAI_MODEL).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp(
        "Environment variable holding the API key, sent as a Bearer token when set.", valueName: "name"))
    var apiKeyEnv: String = "OPENAI_API_KEY"

    @Option(name: .long, help: "Requests in flight at once, all on one libcurl event loop (default: 4, or the resumed run's).")
    var concurrency: Int?

    @OptionGroup(title: "Selection")
    var selecting: SelectionOptions

    @OptionGroup(title: "Sharding")
    var sharding: ShardOptions

    @Flag(name: .long, help: "Print how many requests the run would send (by category, language and mode) and the first ones exactly as they would be sent, redacted; send and write nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Directory that receives the run archive.", valueName: "dir"))
    var out: String = "Results"

    @Option(name: .long, help: ArgumentHelp("Name of the run directory (default: <date>-<time>-<model>-<random>).", valueName: "id"))
    var runID: String?

    @Option(name: .long, help: "Override max_tokens for every probe.")
    var maxTokens: Int?

    @Option(name: .long, help: "Override temperature for every probe.")
    var temperature: Double?

    @Option(name: .long, help: "Override top_p for every probe.")
    var topP: Double?

    @Option(name: .long, help: "Override the seed for every probe (samples of a repeated probe add their index).")
    var seed: Int?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Extra request header 'Name: value' (repeatable).", valueName: "header"))
    var header: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "A string that must never appear in the archive, e.g. a token embedded in a URL (repeatable).", valueName: "secret"))
    var redact: [String] = []

    @Option(name: .long, help: ArgumentHelp("Seconds allowed to establish a connection (default: 10).", valueName: "seconds"))
    var connectTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("Seconds allowed for a whole request (default: 300).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .long, help: ArgumentHelp("Seconds without a byte after which a stream counts as stalled (default: 60); streamed requests only, a non-streamed answer is bounded by --timeout.", valueName: "seconds"))
    var stallTimeout: Double?

    @Option(name: .long, help: "Attempts per request on connection errors, HTTP 429 and 5xx; 1 = no retry (default: 3).")
    var attempts: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Body bytes kept per answer; past it the transfer is stopped, what arrived is kept and scored (flag response_too_large).",
        valueName: "bytes"))
    var maxResponseBytes: Int = Attempt.defaultResponseCap

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Run against this target from the targets file (repeatable); one archive per target, then a comparison.",
        valueName: "name"))
    var target: [String] = []

    @Flag(name: .long, help: "Run against every target in the targets file.")
    var allTargets = false

    @Option(name: .long, help: ArgumentHelp("Targets file (default: ./unsaid.yaml).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "Exit 1 when a rate is below its threshold, e.g. 'censorship.answer_rate=0.9,controls.answer_rate=1.0' (scopes: overall, a category, topic:NAME, language:TAG; '<=' for rates that must stay low).",
        valueName: "thresholds"))
    var failUnder: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also write every exchange as a replay fixture (redacted) into this directory, for `unsaid replay serve`.",
        valueName: "dir"))
    var record: String?

    @Option(name: .long, help: ArgumentHelp(
        "Continue a run that stopped (crash, kill, Ctrl-C) in this archive directory; suites, selection, target, parameters, concurrency, rate limit, timeouts and attempts come from its manifest (the last four may be overridden).",
        valueName: "run"))
    var resume: String?

    @Option(name: .long, help: ArgumentHelp(
        "What makes the exit code 1: 'error' (default: a request could not be measured), 'unexpected' (also any verdict that contradicts its probe's expect), or 'never'.",
        valueName: "policy"))
    var failOn: FailurePolicy = .default

    @OptionGroup(title: "Output")
    var output: OutputOptions

    private var console: Console { Console(output) }

    @Option(name: .long, help: ArgumentHelp(
        "Ask this target from the targets file to judge each answer with the ruleset's rubric (temperature 0); its exchanges are archived in judgements.jsonl.",
        valueName: "name"))
    var judgeTarget: String?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Also send each probe through this rewrite, paired with the plain prompt (repeatable): pinyin, traditional, simplified, homoglyph, spaced[:zero-width], base64, leetspeak, translate-request[:LANG], template:TEXT-WITH-{prompt}.",
        valueName: "name[:arg]"))
    var transform: [String] = []

    func validate() throws {
        if resume != nil && !transform.isEmpty { throw ValidationError("--resume takes the transforms from the archive; drop --transform") }
        if resume == nil && suite.isEmpty { throw ValidationError("give at least one --suite (a file or a directory), or --resume DIR") }
        if resume != nil && !suite.isEmpty { throw ValidationError("--resume takes the suites from the archive; drop --suite") }
        if resume != nil && (runID != nil || selecting.isSet || maxTokens != nil || temperature != nil || topP != nil || seed != nil) {
            throw ValidationError("--resume continues with the archived settings; drop --run-id, --stream, selection options and parameter overrides")
        }
        if resume != nil && dryRun { throw ValidationError("--dry-run previews a new run; drop --resume") }
        if (!target.isEmpty || allTargets) && (baseURL != nil || model != nil) {
            throw ValidationError("--target/--all-targets take endpoints from the targets file; drop --base-url and --model")
        }
        if resume != nil && (!target.isEmpty || allTargets) { throw ValidationError("--resume continues one run; drop --target") }
        if let failUnder {
            do { _ = try Thresholds.parse(failUnder) } catch { throw ValidationError("--fail-under: \(error)") }
        }
    }

    /// Every number flag range-checked before anything starts: one line naming the flag (exit 2).
    /// `nan` would silently disable a timeout and `1e300` would trap converting it.
    private func checkNumbers() throws {
        let checks: [(String, String?)] = [
            ("--concurrency", concurrency.flatMap(NumberLimits.concurrency)),
            ("--attempts", attempts.flatMap(NumberLimits.attempts)),
            ("--connect-timeout", connectTimeout.flatMap(NumberLimits.seconds)),
            ("--timeout", timeout.flatMap(NumberLimits.seconds)),
            ("--stall-timeout", stallTimeout.flatMap(NumberLimits.seconds)),
            ("--max-tokens", maxTokens.flatMap(NumberLimits.maxTokens)),
            ("--temperature", temperature.flatMap(NumberLimits.temperature)),
            ("--top-p", topP.flatMap(NumberLimits.topP)),
        ]
        if maxResponseBytes < 1 { throw ConfigurationError("--max-response-bytes must be at least 1") }
        for case let (flag, problem?) in checks {
            throw ConfigurationError("\(flag) \(problem)")
        }
    }

    /// Everything a run needs once the archive is open.
    private struct Prepared {
        var layout: ArchiveLayout
        var archive: ArchiveWriter
        var items: [WorkItem]
        var alreadyDone: Int
        var sender: ConfiguredSender
        var ruleset: Ruleset
        var concurrency: Int
        var rateLimit: Double?
        var judge: ConfiguredSender?
        /// Held until the process ends: no other process may write this run meanwhile.
        var lock: ArchiveLock
    }

    func run() async throws {
        // Before anything is created: a SIGTERM or Ctrl-C from here on ends as a resumable interrupt.
        InterruptSignals.install()
        try checkNumbers()
        let shard = try sharding.resolve()
        if resume != nil && shard != nil { throw ConfigurationError("--resume takes the shard from the archive; drop --shard") }
        for value in transform {
            // A ConfigurationError, not a ValidationError: one line on stderr, no usage text.
            do { _ = try TransformSpec.parse(value) } catch { throw ConfigurationError("--transform: \(error)") }
        }
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset.bundled()
        } catch {
            throw ConfigurationError("the bundled ruleset cannot be read: \(error)")
        }
        if let resume {
            let outcome = try await execute(try prepareResume(directory: resume, ruleset: ruleset))
            try finish([outcome])
            return
        }
        let targets = try resolveTargets()
        let suites = try loadSuites(suite, transforms: transform)
        if judgeTarget != nil && ruleset.judge == nil {
            throw ConfigurationError("--judge-target: the ruleset \(ruleset.version) has no judge rubric (judge.json)")
        }
        let ids = targets.map { settings in runID.map { targets.count > 1 ? "\($0)-\(settings.name)" : $0 } }
        // Every id is checked before the first run starts: each becomes a directory name.
        for case let id? in ids {
            if let problem = SafeName.problem(with: id) { throw ConfigurationError("--run-id \(problem)") }
        }
        if dryRun {
            for settings in targets { try preview(target: settings, suites: suites, shard: shard?.shard) }
            return
        }
        var outcomes: [RunOutcome] = []
        for (settings, id) in zip(targets, ids) {
            outcomes.append(try await execute(try prepareNewRun(ruleset: ruleset, target: settings, suites: suites, runID: id,
                                                                shard: shard)))
        }
        if outcomes.count > 1 {
            do {
                let document = try ReportDocument.load(outcomes.map(\.directory))
                console.result("")
                console.result(MarkdownReport.render(document))
            } catch {
                printError("cannot compare the runs: \(error)")
            }
        }
        try finish(outcomes)
    }

    /// Applies `--fail-on` and `--fail-under` to every run and sets the exit code.
    private func finish(_ outcomes: [RunOutcome]) throws {
        try RunConclusion.finish(outcomes, failOn: failOn, thresholds: try failUnder.map(Thresholds.parse), console: console)
    }

    /// The endpoints to run against: named targets from the targets file, or the one given by flags.
    private func resolveTargets() throws -> [TargetSettings] {
        let headers = try parseHeaders()
        let environment = ProcessInfo.processInfo.environment
        if target.isEmpty && !allTargets {
            guard let baseURL = baseURL ?? environment["OPENAI_BASE_URL"], !baseURL.isEmpty else {
                throw ConfigurationError("no endpoint: pass --base-url URL, set OPENAI_BASE_URL, or use --target with a targets file")
            }
            guard let model = model ?? environment["OPENAI_MODEL"], !model.isEmpty else {
                throw ConfigurationError("no model: pass --model NAME or set OPENAI_MODEL")
            }
            return [settings(baseURL: baseURL, model: model, headers: headers)]
        }
        let path = config ?? "unsaid.yaml"
        let file: TargetsFile
        do {
            file = try TargetsFile.load(path: path)
            let entries = allTargets ? file.targets : try file.select(target, file: path)
            guard !entries.isEmpty else { throw ConfigurationError("\(path): no targets defined") }
            let defaults = settings(baseURL: "", model: "", headers: headers)
            return entries.map { TargetSettings(entry: $0, defaults: defaults) }
        } catch let error as SuiteError {
            throw ConfigurationError(error.description)
        }
    }

    /// Command-line overrides win over a target's own parameters, which win over the suite's.
    private func overrides(for settings: TargetSettings) -> GenerationParameters {
        GenerationParameters(temperature: temperature, topP: topP, maxTokens: maxTokens, seed: seed).overriding(settings.parameters)
    }

    private func preview(target settings: TargetSettings, suites: [Suite], shard: Shard?) throws {
        let whole = try Self.plan(suites, overrides: overrides(for: settings), streamMode: selecting.streamMode,
                              selection: selecting.selection)
        let items = shard.map { $0.slice(whole) } ?? whole
        do {
            console.result(try DryRunPreview.render(items: items, target: settings.name, sender: try makeSender(settings),
                                                    model: settings.model))
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("cannot build the requests: \(error)")
        }
    }

    private func prepareNewRun(ruleset: Ruleset, target settings: TargetSettings, suites: [Suite], runID: String?,
                               shard: ShardEnvironment.Resolved?) throws -> Prepared {
        let model = settings.model
        let overrides = overrides(for: settings)
        let streamMode = selecting.streamMode
        let selection = selecting.selection
        let whole = try Self.plan(suites, overrides: overrides, streamMode: streamMode, selection: selection)
        if whole.isEmpty { throw ConfigurationError("no probe matches the selection (\(suite.joined(separator: ", ")))") }
        // A shard's part may be empty (a small plan, many shards): it still writes a complete
        // archive, so merge sees every shard.
        let items = shard.map { $0.shard.slice(whole) } ?? whole
        let headers = settings.headers
        let sender = try makeSender(settings)

        let runID = (runID ?? ArchiveLayout.makeRunID(model: settings.name == model ? model : "\(settings.name)-\(model)"))
            + (shard.map { ShardOptions.runIDSuffix($0.shard) } ?? "")
        // Joined to --out as one directory name, so it must be a name, not a path.
        if let problem = SafeName.problem(with: runID) { throw ConfigurationError("--run-id \(problem)") }
        let layout = ArchiveLayout(directory: URL(fileURLWithPath: out).appendingPathComponent(runID))
        var manifest = Manifest(
            runID: runID, tool: .init(gitCommit: BuildInfo.gitCommit()), host: BuildInfo.host,
            startedAt: Timestamp.now(),
            target: .init(name: settings.name, baseURL: sender.redactedBaseURL, model: model, parameters: overrides,
                          streamMode: streamMode.map(Self.manifestName) ?? "per-probe"),
            suites: suites.map { .init(id: $0.id, version: $0.version, probes: $0.probes.count, sources: $0.sources) },
            arguments: .init(suitePaths: suite, streamOverride: streamMode.flatMap(Self.streamOverride),
                             apiKeyEnv: settings.apiKeyEnv, headerNames: headers.keys.sorted(),
                             streamMode: streamMode == .both ? .both : nil,
                             selection: selection.isEmpty ? nil : selection,
                             settings: .init(concurrency: settings.concurrency ?? concurrency ?? Defaults.concurrency,
                                             rateLimit: settings.rateLimit, connectTimeout: settings.connectTimeout,
                                             timeout: settings.totalTimeout, stallTimeout: settings.stallTimeout,
                                             attempts: settings.attempts),
                             transforms: transform.isEmpty ? nil : transform),
            ruleset: .init(version: ruleset.version, sha256: ruleset.sha256), planned: items.count)
        if let shard {
            manifest.shard = .init(shard: shard.shard, planDigest: PlanDigest.digest(whole.map(\.key)), wholePlan: whole.count,
                                   source: shard.source)
            console.log("shard \(shard.shard) from \(shard.source): \(items.count) of the plan's \(whole.count) requests")
        }
        let judge = try judgeTarget.map(makeJudge)
        if let judge {
            manifest.judge = .init(name: judge.settings.name, baseURL: judge.sender.redactedBaseURL, model: judge.settings.model)
        }
        let archive: ArchiveWriter
        let lock: ArchiveLock
        do {
            try FileManager.default.createDirectory(at: layout.directory, withIntermediateDirectories: true)
            lock = try ArchiveLock.acquire(layout.directory)
            archive = try ArchiveWriter(creating: layout, manifest: manifest, ruleset: ruleset.snapshot)
        } catch {
            throw ConfigurationError("\(error)")
        }
        return Prepared(layout: layout, archive: archive, items: items, alreadyDone: 0, sender: sender, ruleset: ruleset,
                        concurrency: settings.concurrency ?? concurrency ?? Defaults.concurrency, rateLimit: settings.rateLimit,
                        judge: judge?.sender, lock: lock)
    }

    /// Checks everything before touching the archive: a resume that must be refused leaves the
    /// directory exactly as it was.
    private func prepareResume(directory: String, ruleset: Ruleset) throws -> Prepared {
        let lock = try lockRunDirectory(directory)
        let contents: ResumePoint
        do {
            contents = try ArchiveResume.inspect(URL(fileURLWithPath: directory))
        } catch {
            throw ConfigurationError("cannot resume: \(error)")
        }
        let manifest = contents.manifest
        if let model, model != manifest.target.model {
            throw ConfigurationError("cannot resume: the run was against model '\(manifest.target.model)', not '\(model)'")
        }
        let recordedURL = manifest.target.baseURL
        if let baseURL, baseURL != recordedURL, !recordedURL.contains("[REDACTED]") {
            throw ConfigurationError("cannot resume: the run was against \(recordedURL), not \(RedactionPolicy().redact(url: baseURL))")
        }
        guard let endpoint = baseURL ?? (recordedURL.contains("[REDACTED]") ? nil : recordedURL) else {
            throw ConfigurationError("cannot resume: the archived base URL had a secret in it; pass --base-url again")
        }
        guard ruleset.sha256 == manifest.ruleset.sha256 else {
            throw ConfigurationError("cannot resume: the run was scored with ruleset \(manifest.ruleset.version) (\(manifest.ruleset.sha256.prefix(12))), this unsaid has \(ruleset.version) (\(ruleset.sha256.prefix(12))); start a new run")
        }
        let suites = try loadSuites(manifest.arguments.suitePaths, transforms: manifest.arguments.transforms ?? [])
        let recordedSources = Set(manifest.suites.flatMap(\.sources))
        for source in suites.flatMap(\.sources) where !recordedSources.contains(source) {
            throw ConfigurationError("cannot resume: suite file \(source.path) changed since the run started (SHA-256 now \(source.sha256.prefix(12)))")
        }
        let headers = try parseHeaders()
        guard headers.keys.sorted() == manifest.arguments.headerNames else {
            throw ConfigurationError("cannot resume: pass the same --header options as the original run (names: \(manifest.arguments.headerNames.joined(separator: ", ")))")
        }
        if let judge = manifest.judge, judgeTarget != judge.name {
            throw ConfigurationError("cannot resume: the run was judged by target '\(judge.name)'; pass --judge-target \(judge.name)")
        }
        if manifest.judge == nil, let judgeTarget {
            throw ConfigurationError("cannot resume: the run had no judge; drop --judge-target \(judgeTarget)")
        }
        let judge = try judgeTarget.map(makeJudge)
        let whole = try Self.plan(suites, overrides: manifest.target.parameters, streamMode: manifest.arguments.forcedStreamMode,
                              selection: manifest.arguments.selection ?? RunSelection())
        var plan = whole
        if let info = manifest.shard {
            // A shard resumes its own part of the same whole plan, or not at all.
            guard PlanDigest.digest(whole.map(\.key)) == info.planDigest, let shard = Shard(index: info.index, count: info.count) else {
                throw ConfigurationError("cannot resume: the suites no longer plan what shard \(info.name) was part of (plan digest differs)")
            }
            plan = shard.slice(whole)
        }
        let planned = Set(plan.map(\.key))
        // Follow-up turns are not in the plan: they are sent when an answer calls for them.
        if let stray = contents.plannedKeys.sorted().first(where: { !planned.contains($0) }) {
            throw ConfigurationError("cannot resume: the archive holds \(stray), which the suites no longer plan")
        }
        // Flags given now win; otherwise the run carries on as it was started.
        let recorded = manifest.arguments.settings
        let sender = try makeSender(TargetSettings(
            name: manifest.target.name, baseURL: endpoint, model: manifest.target.model,
            apiKeyEnv: manifest.arguments.apiKeyEnv, headers: headers, redact: redact,
            connectTimeout: connectTimeout ?? recorded?.connectTimeout ?? Defaults.connectTimeout,
            totalTimeout: timeout ?? recorded?.timeout ?? Defaults.timeout,
            stallTimeout: stallTimeout ?? recorded?.stallTimeout ?? Defaults.stallTimeout,
            attempts: attempts ?? recorded?.attempts ?? Defaults.attempts, maxResponseBytes: maxResponseBytes))

        // All checks passed: now repair the torn tail and continue the chain.
        let repaired: ResumePoint
        let archive: ArchiveWriter
        do {
            repaired = try ArchiveResume.repair(contents, engine: VerdictEngine(ruleset: ruleset))
            var continued = manifest
            continued.status = .running
            archive = try ArchiveWriter(continuing: repaired, manifest: continued)
        } catch {
            throw ConfigurationError("cannot resume: \(error)")
        }
        let remaining = ArchiveResume.remaining(plan, after: repaired)
        console.log("resuming \(manifest.runID): \(repaired.recordCount) of \(plan.count) requests already archived\(contents.tornTail.map { "; cut a torn record at line \($0.line)" } ?? "")")
        return Prepared(layout: repaired.layout, archive: archive, items: remaining, alreadyDone: repaired.recordCount,
                        sender: sender, ruleset: ruleset,
                        concurrency: concurrency ?? recorded?.concurrency ?? Defaults.concurrency, rateLimit: recorded?.rateLimit,
                        judge: judge?.sender, lock: lock)
    }

    private func execute(_ prepared: Prepared) async throws -> RunOutcome {
        let layout = prepared.layout
        let archive = prepared.archive
        try await archive.checkpoint(status: .running)
        let total = prepared.items.count + prepared.alreadyDone
        console.log("run \(layout.directory.lastPathComponent): \(prepared.items.count) of \(total) requests to \(prepared.sender.redactedBaseURL), concurrency \(prepared.concurrency)\(prepared.rateLimit.map { ", at most \($0) requests/min" } ?? "")")
        let reporter = ProgressReporter(console: console, total: total, alreadyDone: prepared.alreadyDone)
        reporter.start()
        let engine = RunEngine(sender: prepared.sender.sender, verdicts: VerdictEngine(ruleset: prepared.ruleset),
                               archive: archive, concurrency: prepared.concurrency,
                               rateLimiter: prepared.rateLimit.map { RateLimiter(perMinute: $0) },
                               judge: prepared.judge?.sender)
        do {
            _ = try await withInterruptHandling {
                try await engine.run(prepared.items, alreadyDone: prepared.alreadyDone) { reporter.update($0) }
            }
        } catch is CancellationError {
            reporter.finish()
            try await archive.checkpoint(status: .interrupted)
            FileHandle.standardError.write(Data("interrupted; completed requests are archived. Continue with: unsaid run --resume \(layout.directory.path)\n".utf8))
            throw ExitCode(130)
        }
        reporter.finish()

        // Final verdicts come from the archived transcripts themselves, in archive order, so
        // they are exactly what `unsaid verify` re-derives. The archive is read as a stream: what
        // is kept is the verdict counts, the problems and (for --fail-under) slim metric items,
        // never the transcripts, so memory does not grow with the run.
        var problems = RunProblems.Accumulator()
        let scored = try ArchiveScoring.score(
            layout, engine: VerdictEngine(ruleset: prepared.ruleset), to: layout.verdicts,
            judgements: try ArchiveReader.readManifest(layout).judge.map { _ in try JudgeRecords.read(layout.judgements) },
            keepingMetricItems: failUnder != nil
        ) { record, _, verdict in
            problems.add(ReportEntry(probe: record.probe, transcript: record.transcript, verdict: verdict))
        }
        try await archive.finish(scored: scored)
        if let record {
            try writeFixtures(layout: layout, to: URL(fileURLWithPath: record),
                              provider: prepared.sender.redactedBaseURL, redaction: prepared.sender.redaction)
        }

        let outcome = try RunOutcome(directory: layout.directory, summary: scored.summary,
                                     metrics: failUnder == nil ? nil : scored.metrics, problems: problems.problems)
        RunConclusion.show(outcome, console: console)
        return outcome
    }

    /// `--record`: each exchange as a fixture the replay server can serve, with the verdict it
    /// got as the fixture's expectation, so a user's CI can pin today's behaviour.
    private func writeFixtures(layout: ArchiveLayout, to directory: URL, provider: String,
                               redaction: RedactionPolicy) throws {
        var count = 0
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // The final verdicts are small; the records are streamed past them one at a time.
            var verdicts: [Verdict] = []
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in verdicts.append(verdict) }
            _ = try ArchiveStream.transcripts(layout) { record, _ in
                guard count < verdicts.count else { return }
                let verdict = verdicts[count]
                count += 1
                let key = record.transcript.key
                let meta = FixtureMeta(
                    name: FixtureWriter.name(for: key), description: "recorded by unsaid run: \(key)",
                    provider: provider, source: "recorded", expectedVerdict: verdict.verdict, expectedFlags: verdict.flags)
                _ = try FixtureWriter.write(probe: record.probe, transcript: record.transcript, meta: meta, to: directory,
                                            secrets: redaction.secrets)
            }
        } catch {
            throw ConfigurationError("cannot write fixtures to \(directory.path): \(error)")
        }
        console.log("recorded \(count) fixtures in \(directory.path)")
    }

    private static func plan(_ suites: [Suite], overrides: GenerationParameters, streamMode: StreamMode?,
                             selection: RunSelection) throws -> [WorkItem] {
        let items: [WorkItem]
        do {
            items = try RunPlan.items(for: suites, streamMode: streamMode)
        } catch let error as ProbeHashError {
            throw ConfigurationError(error.description)  // a suite problem: exit 2, before anything is sent
        }
        return selection.apply(items).map { item in
            var item = item
            item.parameters = overrides.overriding(item.parameters)
            return item
        }
    }

    /// The judge's sender: a target of the targets file, with this command's timeouts and
    /// attempts where the file sets none (and none of the run's `--header`s, which are for the
    /// target under test).
    private func makeJudge(_ name: String) throws -> (settings: TargetSettings, sender: ConfiguredSender) {
        let path = config ?? "unsaid.yaml"
        do {
            let file = try TargetsFile.load(path: path)
            guard let entry = try file.select([name], file: path).first else {
                throw ConfigurationError("--judge-target: no target '\(name)' in \(path)")
            }
            let settings = TargetSettings(entry: entry, defaults: self.settings(baseURL: "", model: "", headers: [:]))
            return (settings, try makeSender(settings))
        } catch let error as SuiteError {
            throw ConfigurationError("--judge-target: \(error.description)")
        }
    }

    private func settings(baseURL: String, model: String, headers: [String: String]) -> TargetSettings {
        TargetSettings(
            name: model, baseURL: baseURL, model: model, apiKeyEnv: apiKeyEnv, headers: headers,
            redact: redact, connectTimeout: connectTimeout ?? Defaults.connectTimeout, totalTimeout: timeout ?? Defaults.timeout,
            stallTimeout: stallTimeout ?? Defaults.stallTimeout, attempts: attempts ?? Defaults.attempts,
            maxResponseBytes: maxResponseBytes)
    }

    /// What the run flags default to when neither the command line nor a resumed run sets them.
    enum Defaults {
        static let concurrency = 4
        static let connectTimeout = 10.0
        static let timeout = 300.0
        static let stallTimeout = 60.0
        static let attempts = 3
    }

    /// The manifest's `target.streamMode` for a forced mode (names kept from older archives).
    static func manifestName(_ mode: StreamMode) -> String {
        switch mode {
        case .on: "stream"
        case .off: "no-stream"
        case .both: "both"
        }
    }

    static func streamOverride(_ mode: StreamMode) -> Bool? {
        switch mode {
        case .on: true
        case .off: false
        case .both: nil
        }
    }

    private func loadSuites(_ paths: [String], transforms: [String]) throws -> [Suite] {
        do {
            let suites = try SuiteLoader.load(paths: paths.map(InstalledResources.suitePath))
            return try TransformExpansion.expand(suites, with: transforms.map(TransformSpec.parse))
        } catch let errors as SuiteErrors {
            throw ConfigurationError("\(errors)")
        } catch let error as TransformSpecError {
            throw ConfigurationError("\(error)")
        }
    }

    private func parseHeaders() throws -> [String: String] {
        var headers: [String: String] = [:]
        for line in header {
            guard let colon = line.firstIndex(of: ":") else {
                throw ValidationError("--header '\(line)' is not of the form 'Name: value'")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ValidationError("--header '\(line)' has no name") }
            headers[name] = value
        }
        return headers
    }
}
