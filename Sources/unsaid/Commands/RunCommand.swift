import ArgumentParser
import Foundation
import UnsaidReport
import UnsaidRun
import UnsaidSuite
import UnsaidSupport

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

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp("A suite file or a directory of suite files (repeatable).", valueName: "path"))
    var suite: [String] = []
    @OptionGroup var endpoint: EndpointOptions
    @Option(
        name: .long,
        help:
            "Requests in flight at once, all on one libcurl event loop (default: \(RunPlanning.defaultConcurrency), or the resumed run's)."
    )
    var concurrency: Int?
    @OptionGroup(title: "Selection") var selecting: SelectionOptions
    @OptionGroup(title: "Sharding") var sharding: ShardOptions
    @Flag(
        name: .long,
        help:
            "Print how many requests the run would send (by category, language and mode) and the first ones exactly as they would be sent, redacted; send and write nothing."
    )
    var dryRun = false
    @Option(name: .long, help: ArgumentHelp("Directory that receives the run archive.", valueName: "dir"))
    var out: String = "Results"
    @Option(
        name: .long,
        help: ArgumentHelp("Name of the run directory (default: <date>-<time>-<model>-<random>).", valueName: "id"))
    var runID: String?
    @OptionGroup var parameters: ParameterOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var targets: TargetsFileOptions
    @OptionGroup var outcome: RunOutcomeOptions
    @OptionGroup(title: "Output") var output: OutputOptions
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Ask this target from the targets file to judge each answer with the ruleset's rubric (temperature 0); its exchanges are archived in judgements.jsonl.",
            valueName: "name"))
    var judgeTarget: String?
    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Also send each probe through this rewrite, paired with the plain prompt (repeatable): pinyin, traditional, simplified, homoglyph, spaced[:zero-width], base64, leetspeak, translate-request[:LANG], template:TEXT-WITH-{prompt}.",
            valueName: "name[:arg]"))
    var transform: [String] = []

    func validate() throws {
        let resume = outcome.resume != nil
        // The first combination that contradicts itself, as a usage error.
        let contradictions = [
            (resume && !transform.isEmpty, "--resume takes the transforms from the archive; drop --transform"),
            (!resume && suite.isEmpty, "give at least one --suite (a file or a directory), or --resume DIR"),
            (resume && !suite.isEmpty, "--resume takes the suites from the archive; drop --suite"),
            (
                resume && (runID != nil || selecting.isSet || parameters.isSet),
                "--resume continues with the archived settings; drop --run-id, --stream, selection options and parameter overrides"
            ),
            (resume && dryRun, "--dry-run previews a new run; drop --resume"),
            (
                targets.isSet && endpoint.isSet,
                "--target/--all-targets take endpoints from the targets file; drop --base-url and --model"
            ),
            (resume && targets.isSet, "--resume continues one run; drop --target"),
        ]
        if let (_, message) = contradictions.first(where: \.0) { throw ValidationError(message) }
    }

    func run() async throws {
        // Before anything is created: a SIGTERM or Ctrl-C from here on ends as a resumable interrupt.
        InterruptSignals.install()
        // Every number flag range-checked before anything starts: one line naming the flag (exit 2).
        try checkRanges(
            [
                ("--max-response-bytes", connection.maxResponseBytes < 1 ? "must be at least 1" : nil),
                ("--concurrency", concurrency.flatMap(NumberLimits.concurrency)),
            ] + connection.problems + parameters.problems)
        let shard = try sharding.resolve()
        if outcome.resume != nil && shard != nil {
            throw ConfigurationError("--resume takes the shard from the archive; drop --shard")
        }
        for value in transform {
            // A ConfigurationError, not a ValidationError: one line on stderr, no usage text.
            do { _ = try TransformSpec.parse(value) } catch { throw ConfigurationError("--transform: \(error)") }
        }
        // A new run's suites are read on another thread while the bundled ruleset is read here:
        // each takes tens of milliseconds, and nothing else is busy yet. A suite's error still
        // surfaces where the suites are used, after every check that came before it.
        let suiteLoad =
            outcome.resume == nil
            ? Task.detached { [suite, transform] in try RunPlanning.loadSuites(suite, transforms: transform) } : nil
        let environment = try RunEnvironment.production()
        let headers = try connection.headers()
        let flags = connection.flags(apiKeyEnv: endpoint.apiKeyEnv, headers: headers)
        let view = RunView(console: Console(output), outcomeOptions: outcome)
        if let resume = outcome.resume {
            let request = ResumeRequest(
                directory: resume, model: endpoint.model, baseURL: endpoint.baseURL,
                // The archive names the key's variable; a resume does not change it.
                flags: connection.flags(apiKeyEnv: nil, headers: headers), concurrency: concurrency,
                judge: targets.judge(judgeTarget, flags: flags))
            return try view.finish([try await view.execute(try RunSession.resume(request, environment: environment))])
        }
        let resolved = targets.isSet ? try targets.resolve(flags) : [try endpoint.resolve(flags)]
        let suites = try await suiteLoad?.value ?? RunPlanning.loadSuites(suite, transforms: transform)
        let plan = RunPlanRequest(
            suites: suites, suitePaths: suite, transforms: transform,
            overrides: parameters.overrides, streamMode: selecting.streamMode, selection: selecting.selection)
        if judgeTarget != nil && environment.ruleset.judge == nil {
            throw ConfigurationError(
                "--judge-target: the ruleset \(environment.ruleset.version) has no judge rubric (judge.json)")
        }
        let ids = resolved.map { target in runID.map { resolved.count > 1 ? "\($0)-\(target.config.name)" : $0 } }
        // Every id is checked before the first run starts: each becomes a directory name.
        for case let id? in ids {
            if let problem = SafeName.problem(with: id) { throw ConfigurationError("--run-id \(problem)") }
        }
        if dryRun {
            for target in resolved { try view.preview(plan, target: target, shard: shard?.shard) }
            return
        }
        var outcomes: [RunOutcome] = []
        for (target, id) in zip(resolved, ids) {
            let request = NewRunRequest(
                plan: plan, target: target, judge: targets.judge(judgeTarget, flags: flags), shard: shard,
                outputDirectory: URL(fileURLWithPath: out), runID: id, concurrency: concurrency)
            outcomes.append(try await view.execute(try RunSession.start(request, environment: environment)))
        }
        view.compare(outcomes)
        try view.finish(outcomes)
    }
}
