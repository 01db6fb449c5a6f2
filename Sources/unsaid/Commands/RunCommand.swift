import ArgumentParser
import Foundation
import UnsaidCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run probe suites against an OpenAI-compatible endpoint and archive the results.",
        discussion: """
            Sends every probe of the given suites to <base-url>/chat/completions, keeps the raw \
            response bytes with arrival times, scores each answer, and writes \
            <out>/<run-id>/manifest.json, transcripts.jsonl and verdicts.jsonl.

            Exit codes: 0 the run finished; 1 the run finished but some requests ended in an error \
            (dead endpoint, HTTP error, garbage); 2 usage or configuration error.
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

    @Option(name: .long, help: "Requests in flight at once (all share one libcurl event loop).")
    var concurrency: Int = 4

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp(
        "Force streamed (--stream) or non-streamed (--no-stream) requests for every probe; default: each probe's own setting."))
    var stream: Bool?

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

    @Option(name: .long, help: ArgumentHelp("Seconds allowed to establish a connection.", valueName: "seconds"))
    var connectTimeout: Double = 10

    @Option(name: .long, help: ArgumentHelp("Seconds allowed for a whole request.", valueName: "seconds"))
    var timeout: Double = 300

    @Option(name: .long, help: ArgumentHelp("Seconds without a byte after which a stream counts as stalled.", valueName: "seconds"))
    var stallTimeout: Double = 60

    @Option(name: .long, help: "Attempts per request on connection errors, HTTP 429 and 5xx (1 = no retry).")
    var attempts: Int = 3

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
        "Continue a run that stopped (crash, kill, Ctrl-C) in this archive directory; suites, target and parameters come from its manifest.",
        valueName: "run"))
    var resume: String?

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
        if resume != nil && (runID != nil || stream != nil || maxTokens != nil || temperature != nil || topP != nil || seed != nil) {
            throw ValidationError("--resume continues with the archived settings; drop --run-id, --stream and parameter overrides")
        }
        if (!target.isEmpty || allTargets) && (baseURL != nil || model != nil) {
            throw ValidationError("--target/--all-targets take endpoints from the targets file; drop --base-url and --model")
        }
        if resume != nil && (!target.isEmpty || allTargets) { throw ValidationError("--resume continues one run; drop --target") }
        if let failUnder {
            do { _ = try Thresholds.parse(failUnder) } catch { throw ValidationError("--fail-under: \(error)") }
        }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if attempts < 1 { throw ValidationError("--attempts must be at least 1") }
        if maxResponseBytes < 1 { throw ValidationError("--max-response-bytes must be at least 1") }
        for value in [connectTimeout, timeout, stallTimeout] where value <= 0 {
            throw ValidationError("timeouts must be positive")
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
    }

    func run() async throws {
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
        var outcomes: [RunOutcome] = []
        for settings in targets {
            let id = runID.map { targets.count > 1 ? "\($0)-\(settings.name)" : $0 }
            outcomes.append(try await execute(try prepareNewRun(ruleset: ruleset, target: settings, suites: suites, runID: id)))
        }
        if outcomes.count > 1 {
            do {
                let document = try ReportDocument.load(outcomes.map(\.directory))
                print("")
                print(MarkdownReport.render(document), terminator: "")
            } catch {
                printError("cannot compare the runs: \(error)")
            }
        }
        try finish(outcomes)
    }

    /// What one target's run left behind.
    private struct RunOutcome {
        var directory: URL
        var hasErrors: Bool
        var metrics: RunMetrics
    }

    /// Applies `--fail-under` to every run and sets the exit code.
    private func finish(_ outcomes: [RunOutcome]) throws {
        var failed = false
        if let failUnder {
            let thresholds = try Thresholds.parse(failUnder)
            for outcome in outcomes {
                let results = thresholds.evaluate(outcome.metrics)
                print("thresholds for \(outcome.directory.lastPathComponent):")
                for result in results { print("  \(result)") }
                failed = failed || results.contains { !$0.passed }
            }
        }
        if failed || outcomes.contains(where: \.hasErrors) {
            throw ExitCode(ExitCodes.finishedWithErrors)
        }
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

    private func prepareNewRun(ruleset: Ruleset, target settings: TargetSettings, suites: [Suite], runID: String?) throws -> Prepared {
        let model = settings.model
        // Command-line overrides win over a target's own parameters, which win over the suite's.
        let overrides = GenerationParameters(temperature: temperature, topP: topP, maxTokens: maxTokens, seed: seed)
            .overriding(settings.parameters)
        let items = Self.plan(suites, overrides: overrides, streamOverride: stream)
        let headers = settings.headers
        let sender = try makeSender(settings)

        let runID = runID ?? ArchiveLayout.makeRunID(model: settings.name == model ? model : "\(settings.name)-\(model)")
        let layout = ArchiveLayout(directory: URL(fileURLWithPath: out).appendingPathComponent(runID))
        var manifest = Manifest(
            runID: runID, tool: .init(gitCommit: BuildInfo.gitCommit()), host: BuildInfo.host,
            startedAt: Timestamp.now(),
            target: .init(name: settings.name, baseURL: sender.redactedBaseURL, model: model, parameters: overrides,
                          streamMode: stream.map { $0 ? "stream" : "no-stream" } ?? "per-probe"),
            suites: suites.map { .init(id: $0.id, version: $0.version, probes: $0.probes.count, sources: $0.sources) },
            arguments: .init(suitePaths: suite, streamOverride: stream, apiKeyEnv: settings.apiKeyEnv,
                             headerNames: headers.keys.sorted(), transforms: transform.isEmpty ? nil : transform),
            ruleset: .init(version: ruleset.version, sha256: ruleset.sha256), planned: items.count)
        let judge = try judgeTarget.map(makeJudge)
        if let judge {
            manifest.judge = .init(name: judge.settings.name, baseURL: judge.sender.redactedBaseURL, model: judge.settings.model)
        }
        let archive: ArchiveWriter
        do {
            archive = try ArchiveWriter(creating: layout, manifest: manifest, ruleset: ruleset.snapshot)
        } catch {
            throw ConfigurationError("\(error)")
        }
        return Prepared(layout: layout, archive: archive, items: items, alreadyDone: 0, sender: sender, ruleset: ruleset,
                        concurrency: settings.concurrency ?? concurrency, rateLimit: settings.rateLimit, judge: judge?.sender)
    }

    /// Checks everything before touching the archive: a resume that must be refused leaves the
    /// directory exactly as it was.
    private func prepareResume(directory: String, ruleset: Ruleset) throws -> Prepared {
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
            throw ConfigurationError("cannot resume: the run was against \(recordedURL), not \(baseURL)")
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
        let plan = Self.plan(suites, overrides: manifest.target.parameters, streamOverride: manifest.arguments.streamOverride)
        let planned = Set(plan.map(\.key))
        // Follow-up turns are not in the plan: they are sent when an answer calls for them.
        if let stray = contents.plannedKeys.sorted().first(where: { !planned.contains($0) }) {
            throw ConfigurationError("cannot resume: the archive holds \(stray), which the suites no longer plan")
        }
        let sender = try makeSender(TargetSettings(
            name: manifest.target.name, baseURL: endpoint, model: manifest.target.model,
            apiKeyEnv: manifest.arguments.apiKeyEnv, headers: headers, redact: redact,
            connectTimeout: connectTimeout, totalTimeout: timeout, stallTimeout: stallTimeout, attempts: attempts,
            maxResponseBytes: maxResponseBytes))

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
        FileHandle.standardError.write(Data("resuming \(manifest.runID): \(repaired.recordCount) of \(plan.count) requests already archived\(contents.tornTail.map { "; cut a torn record at line \($0.line)" } ?? "")\n".utf8))
        return Prepared(layout: repaired.layout, archive: archive, items: remaining, alreadyDone: repaired.recordCount,
                        sender: sender, ruleset: ruleset, concurrency: concurrency, rateLimit: nil, judge: judge?.sender)
    }

    private func execute(_ prepared: Prepared) async throws -> RunOutcome {
        let layout = prepared.layout
        let archive = prepared.archive
        try await archive.checkpoint(status: .running)
        let total = prepared.items.count + prepared.alreadyDone
        FileHandle.standardError.write(Data("run \(layout.directory.lastPathComponent): \(prepared.items.count) of \(total) requests to \(prepared.sender.redactedBaseURL), concurrency \(prepared.concurrency)\(prepared.rateLimit.map { ", at most \($0) requests/min" } ?? "")\n".utf8))
        let reporter = ProgressReporter()
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
        // they are exactly what `unsaid verify` re-derives. The archive is read as a stream.
        let judgements = await archive.manifest.judge != nil ? try JudgeRecords.read(layout.judgements) : nil
        let scored = try ArchiveScoring.score(layout, engine: VerdictEngine(ruleset: prepared.ruleset), to: layout.verdicts,
                                              judgements: judgements)
        try await archive.finish(scored: scored)
        if let record {
            try writeFixtures(layout: layout, to: URL(fileURLWithPath: record), provider: prepared.sender.redactedBaseURL)
        }

        let summary = scored.summary
        print(summary.renderTable(), terminator: "")
        print("archive: \(layout.directory.path)")
        return RunOutcome(directory: layout.directory, hasErrors: summary.hasErrors, metrics: scored.metrics)
    }

    /// `--record`: each exchange as a fixture the replay server can serve, with the verdict it
    /// got as the fixture's expectation, so a user's CI can pin today's behaviour.
    private func writeFixtures(layout: ArchiveLayout, to directory: URL, provider: String) throws {
        var written = 0
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Only the verdicts' labels and flags are held; transcripts are read one at a time.
            var expectations: [(VerdictLabel, [String])] = []
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in expectations.append((verdict.verdict, verdict.flags)) }
            try ArchiveStream.transcripts(layout) { record, _ in
                guard written < expectations.count else { return }
                let (label, flags) = expectations[written]
                written += 1
                let key = record.transcript.key
                let meta = FixtureMeta(
                    name: FixtureWriter.name(for: key), description: "recorded by unsaid run: \(key)",
                    provider: provider, source: "recorded", expectedVerdict: label, expectedFlags: flags)
                _ = try FixtureWriter.write(probe: record.probe, transcript: record.transcript, meta: meta, to: directory,
                                            secrets: redact)
            }
        } catch {
            throw ConfigurationError("cannot write fixtures to \(directory.path): \(error)")
        }
        FileHandle.standardError.write(Data("recorded \(written) fixtures in \(directory.path)\n".utf8))
    }

    private static func plan(_ suites: [Suite], overrides: GenerationParameters, streamOverride: Bool?) -> [WorkItem] {
        RunPlan.items(for: suites, streamOverride: streamOverride).map { item in
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
            redact: redact, connectTimeout: connectTimeout, totalTimeout: timeout, stallTimeout: stallTimeout,
            attempts: attempts, maxResponseBytes: maxResponseBytes)
    }

    private func loadSuites(_ paths: [String], transforms: [String]) throws -> [Suite] {
        do {
            let suites = try SuiteLoader.load(paths: paths)
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
