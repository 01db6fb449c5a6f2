import ArgumentParser
import Foundation
import UnsaidReport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs of the same suite: rates with intervals, exact McNemar tests, flipped verdicts.",
        discussion: """
            Pairs requests by suite, probe, probe content hash, sample and mode (a probe whose \
            content changed is listed and not compared), then prints per-category, topic and \
            language rates per model with Wilson 95% intervals, an exact McNemar test for each pair \
            of runs, the requests whose verdict flips with an excerpt of each answer, questions a \
            model treats differently by language, and per-probe consistency for repeated samples.

            Exits 2 with one line when two runs share no request at all (different suites, one \
            streamed and one not, every probe changed): such a comparison would show no difference \
            only because nothing was compared. Otherwise the summary line says how many requests \
            were left out and why.
            """)

    @Argument(help: ArgumentHelp("Two or more run directories, e.g. Results/<runA> Results/<runB>.", valueName: "run"))
    var runs: [String]

    @Option(name: .long, help: ArgumentHelp("md, html, csv, junit or json.", valueName: "format"))
    var format: ReportFormat = .md

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    @OptionGroup(title: "Output")
    var output: OutputOptions

    func validate() throws {
        guard runs.count >= 2 else { throw ValidationError("compare needs at least two runs") }
        if output.json && format != .md && format != .json {
            throw ValidationError("--json prints the JSON report; drop --format \(format.rawValue)")
        }
    }

    func run() throws {
        if output.quiet && !output.json {
            // One line per pair of runs: how much paired, the overall test, how many flips.
            let document = try ReportOutput.load(runs: runs)
            for comparison in document.comparisons {
                let left = document.runs[comparison.left].label, right = document.runs[comparison.right].label
                let p = comparison.tests.first.map { String(format: "%.4f", $0.pValue) } ?? "–"
                print(
                    "\(left) vs \(right): \(ReportFormatting.pairingSummary(comparison, left: left, right: right)) McNemar p \(p); \(comparison.flips.count) flipped."
                )
            }
            return
        }
        try ReportOutput.write(runs: runs, format: output.json ? .json : format, out: out)
    }
}
