import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidReport
import UnsaidRun
import UnsaidSuite
import UnsaidTarget
import UnsaidTranscript
import UnsaidVerdict

extension FailurePolicy: ExpressibleByArgument {}

/// `--resume`, `--record`, `--fail-under`, `--fail-on`: where a run continues from, what it
/// leaves beside the archive, and what makes it fail.
struct RunOutcomeOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Exit 1 when a rate is below its threshold, e.g. 'censorship.answer_rate=0.9,controls.answer_rate=1.0' (scopes: overall, a category, topic:NAME, language:TAG; '<=' for rates that must stay low).",
            valueName: "thresholds"))
    var failUnder: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write every exchange as a replay fixture (redacted) into this directory, for `unsaid replay serve`.",
            valueName: "dir"))
    var record: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Continue a run that stopped (crash, kill, Ctrl-C) in this archive directory; suites, selection, target, parameters, concurrency, rate limit, timeouts and attempts come from its manifest (the last four may be overridden).",
            valueName: "run"))
    var resume: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "What makes the exit code 1: 'error' (default: a request could not be measured), 'unexpected' (also any verdict that contradicts its probe's expect), or 'never'.",
            valueName: "policy"))
    var failOn: FailurePolicy = .default

    func validate() throws {
        if let failUnder {
            do { _ = try Thresholds.parse(failUnder) } catch { throw ValidationError("--fail-under: \(error)") }
        }
    }

    var thresholds: Thresholds? { failUnder.flatMap { try? Thresholds.parse($0) } }
}

extension RunEnvironment {
    /// The bundled ruleset, the libcurl client, and this build and host for the manifest.
    static func production() throws -> RunEnvironment {
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset.bundled()
        } catch {
            throw ConfigurationError("the bundled ruleset cannot be read: \(error)")
        }
        return RunEnvironment(
            ruleset: ruleset, connect: { try libcurlConnection($0) }, gitCommit: { BuildInfo.gitCommit() },
            host: BuildInfo.host)
    }
}

extension RunProblems.Accumulator: RunTally {
    package mutating func add(probe: Probe, transcript: Transcript, verdict: Verdict) {
        add(ReportEntry(probe: probe, transcript: transcript, verdict: verdict))
    }
}

/// What one target's run left behind, gathered while its archive was scored as a stream: counts,
/// problems and, when thresholds need them, the run's figures — never the transcripts.
struct RunOutcome {
    var directory: URL
    var manifest: Manifest
    var summary: VerdictSummary
    /// Computed only for `--fail-under`.
    var metrics: RunMetrics?
    var problems: RunProblems
}

/// `unsaid run` on the terminal: the lines around a run, its progress, the verdict table, what
/// went wrong, thresholds, the exit code and, under `--json`, the one summary object.
struct RunView {
    let console: Console
    let outcomeOptions: RunOutcomeOptions

    /// `--dry-run`: what the run would send to `target`, sending and writing nothing.
    func preview(_ plan: RunPlanRequest, target: ResolvedTarget, shard: Shard?) throws {
        let whole = try plan.items(for: target)
        let items = shard.map { whole.filter(keys: $0.contains) } ?? whole
        do {
            console.result(
                try DryRunPreview.render(
                    items: items, target: target.config.name,
                    connection: try libcurlConnection(target.config)))
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("cannot build the requests: \(error)")
        }
    }

    /// Runs a prepared session with progress on standard error; Ctrl-C ends it as a resumable
    /// interrupt (exit 130).
    func execute(_ session: RunSession) async throws -> RunOutcome {
        if let part = session.shard {
            console.log(
                "shard \(part.shard) from \(part.source): \(part.requests) of the plan's \(part.wholePlan) requests")
        }
        if let resumed = session.resumed {
            console.log(
                "resuming \(resumed.runID): \(resumed.archived) of \(resumed.planned) requests already archived\(resumed.tornLine.map { "; cut a torn record at line \($0)" } ?? "")"
            )
        }
        console.log(
            "run \(session.layout.directory.lastPathComponent): \(session.items.count) of \(session.total) requests to \(session.target.redactedBaseURL), concurrency \(session.concurrency)\(session.rateLimit.map { ", at most \($0) requests/min" } ?? "")"
        )
        let reporter = ProgressReporter(console: console, total: session.total, alreadyDone: session.alreadyDone)
        reporter.start()
        let keepMetrics = outcomeOptions.failUnder != nil
        let fixtures = outcomeOptions.record.map { URL(fileURLWithPath: $0) }
        let result: RunResult<RunProblems.Accumulator>
        do {
            result = try await withInterruptHandling {
                try await session.run(
                    // `--json` lists every problem; the terminal prints a screenful of each list,
                    // or every problem with `--verbose`. Lists printed whole wait on disk.
                    tally: RunProblems.Accumulator(keeping: console.json ? nil : console.listLimit, spooling: true),
                    keepingMetrics: keepMetrics, fixtures: fixtures
                ) {
                    reporter.update($0)
                }
            }
        } catch let interrupted as RunInterrupted {
            reporter.finish()
            FileHandle.standardError.write(
                Data(
                    "interrupted; completed requests are archived. Continue with: unsaid run --resume \(interrupted.directory.path)\n"
                        .utf8))
            throw ExitCode(130)
        }
        reporter.finish()
        if let count = result.fixturesRecorded, let fixtures {
            console.log("recorded \(count) fixtures in \(fixtures.path)")
        }
        let outcome = RunOutcome(
            directory: result.directory, manifest: result.manifest, summary: result.scored.summary,
            metrics: keepMetrics ? result.scored.metrics : nil, problems: result.tally.problems)
        show(outcome)
        return outcome
    }

    /// Printed as each target's run ends.
    func show(_ outcome: RunOutcome) {
        let summary = outcome.summary
        if console.quiet {
            // The one line that says how it went, without the table.
            let table = summary.renderTable()
            if let last = table.split(separator: "\n").last { console.result(String(last)) }
        } else {
            console.result(summary.renderTable())
        }
        // Line by line: with `--verbose` a spooled list of any length is printed, never held.
        let lines = ReportWriter(flushingTo: { console.result($0) })
        outcome.problems.writeLines(limit: console.listLimit, style: console.style) { line in
            // Collecting into a writer that only prints does not throw.
            try? lines.write(line + "\n")
        }
        try? lines.finish()
        console.result("archive: \(outcome.directory.path)")
    }

    /// Several targets: the comparison of their runs.
    func compare(_ outcomes: [RunOutcome]) {
        guard outcomes.count > 1 else { return }
        do {
            let document = try ReportDocument.load(outcomes.map(\.directory))
            console.result("")
            console.result(try MarkdownReport.render(document))
        } catch {
            printError("cannot compare the runs: \(error)")
        }
    }

    /// Applies `--fail-on` and `--fail-under` to every run, prints the thresholds and (under
    /// `--json`) the summary object, and exits 1 when a run failed its gates.
    func finish(_ outcomes: [RunOutcome]) throws {
        let failOn = outcomeOptions.failOn
        var runs: [RunSummaryReport.Run] = []
        var anyFailed = false
        for outcome in outcomes {
            var failed = failOn.fails(outcome.problems)
            var gates: [RunSummaryReport.Gate] = []
            if let thresholds = outcomeOptions.thresholds, let metrics = outcome.metrics {
                let results = thresholds.evaluate(metrics)
                console.result("thresholds for \(outcome.directory.lastPathComponent):")
                for result in results {
                    console.result("  " + (result.passed ? "\(result)" : console.style.red("\(result)")))
                    gates.append(.init(result))
                }
                failed = failed || results.contains { !$0.passed }
            }
            anyFailed = anyFailed || failed
            runs.append(
                RunSummaryReport.Run(
                    manifest: outcome.manifest, directory: outcome.directory.path,
                    summary: outcome.summary, problems: outcome.problems,
                    thresholds: gates, failed: failed))
        }
        let code = anyFailed ? ExitCodes.finishedWithErrors : ExitCodes.done
        if console.json {
            do {
                // A megabyte at a time: the spooled lists come a row at a time.
                let writer = ReportWriter(flushingTo: { console.emit(piece: $0) })
                try RunSummaryReport(failOn: failOn, exitCode: code, runs: runs).write(writer.write)
                try writer.finish()
            } catch {
                printError("cannot encode the summary: \(error)")
            }
        }
        if anyFailed { throw ExitCode(code) }
    }
}

extension Console {
    /// How many items of a problem list to print: all with `--verbose`, otherwise a screenful.
    var listLimit: Int? { verbose ? nil : 10 }
}
