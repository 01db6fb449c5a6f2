import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidReport
import UnsaidVerdict

extension FailurePolicy: ExpressibleByArgument {}

/// What one target's run left behind, gathered while its archive was scored as a stream: counts,
/// problems and, when thresholds need them, the run's figures — never the transcripts.
struct RunOutcome {
    var directory: URL
    var manifest: Manifest
    var summary: VerdictSummary
    /// Computed only for `--fail-under`.
    var metrics: RunMetrics?
    var problems: RunProblems

    init(directory: URL, summary: VerdictSummary, metrics: RunMetrics?, problems: RunProblems) throws {
        self.directory = directory
        self.manifest = try ArchiveReader.readManifest(ArchiveLayout(directory: directory))
        self.summary = summary
        self.metrics = metrics
        self.problems = problems
    }
}

/// The end of `unsaid run`: the verdict table, what went wrong, thresholds, the exit code and,
/// under `--json`, the one summary object.
enum RunConclusion {
    /// Printed as each target's run ends.
    static func show(_ outcome: RunOutcome, console: Console) {
        let summary = outcome.summary
        let style = console.style
        if console.quiet {
            // The one line that says how it went, without the table.
            let table = summary.renderTable()
            if let last = table.split(separator: "\n").last { console.result(String(last)) }
        } else {
            console.result(summary.renderTable())
        }
        console.result(outcome.problems.render(limit: console.listLimit, style: style))
        console.result("archive: \(outcome.directory.path)")
    }

    /// Applies `--fail-on` and `--fail-under` to every run, prints the thresholds and (under
    /// `--json`) the summary object, and exits 1 when a run failed its gates.
    static func finish(_ outcomes: [RunOutcome], failOn: FailurePolicy, thresholds: Thresholds?, console: Console) throws {
        var runs: [RunSummaryReport.Run] = []
        var anyFailed = false
        for outcome in outcomes {
            var failed = failOn.fails(outcome.problems)
            var gates: [RunSummaryReport.Gate] = []
            if let thresholds, let metrics = outcome.metrics {
                let results = thresholds.evaluate(metrics)
                console.result("thresholds for \(outcome.directory.lastPathComponent):")
                for result in results {
                    console.result("  " + (result.passed ? "\(result)" : console.style.red("\(result)")))
                    gates.append(.init(check: "\(result)", passed: result.passed))
                }
                failed = failed || results.contains { !$0.passed }
            }
            anyFailed = anyFailed || failed
            runs.append(RunSummaryReport.Run(manifest: outcome.manifest, directory: outcome.directory.path,
                                             summary: outcome.summary, problems: outcome.problems,
                                             thresholds: gates, failed: failed))
        }
        let code = anyFailed ? ExitCodes.finishedWithErrors : ExitCodes.done
        if console.json {
            do {
                console.emit(json: try RunSummaryReport(failOn: failOn, exitCode: code, runs: runs).rendered())
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
