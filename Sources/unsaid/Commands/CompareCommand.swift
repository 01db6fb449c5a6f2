import ArgumentParser
import Foundation
import UnsaidCore

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
            """)

    @Argument(help: ArgumentHelp("Two or more run directories, e.g. Results/<runA> Results/<runB>.", valueName: "run"))
    var runs: [String]

    @Option(name: .long, help: ArgumentHelp("md, html, csv, junit or json.", valueName: "format"))
    var format: ReportFormat = .md

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    func validate() throws {
        guard runs.count >= 2 else { throw ValidationError("compare needs at least two runs") }
    }

    func run() throws {
        try ReportOutput.write(runs: runs, format: format, out: out)
    }
}
