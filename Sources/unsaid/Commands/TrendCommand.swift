import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidReport

struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract:
            "Line up runs of one suite against one target over time: rates per date, McNemar tests between runs, changed verdicts.",
        discussion: """
            Reads archives only. Give run directories, or a directory holding runs (every \
            subdirectory with a manifest.json). Runs are ordered by start time; all must be of the \
            same suites and the same target (exit 2 otherwise). Per category and topic: the answer \
            rate with a Wilson 95% interval on each date; between consecutive runs: exact McNemar \
            tests on paired requests and the requests whose verdict changed. Probes whose content \
            hash changed are listed apart and never compared. md prints tables; html draws the \
            rates as small multiples.
            """)

    @Argument(help: ArgumentHelp("Run directories, or directories of runs.", valueName: "run"))
    var runs: [String]

    @Option(name: .long, help: ArgumentHelp("md or html.", valueName: "format"))
    var format: String = "md"

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    func run() throws {
        guard ["md", "html"].contains(format) else {
            throw ConfigurationError("--format: 'md' or 'html', not '\(format)'")
        }
        guard !runs.isEmpty else { throw ConfigurationError("give at least two runs, or a directory of runs") }
        let trend: Trend
        do {
            trend = try Trend.load(runs.map { URL(fileURLWithPath: $0) })
        } catch let error as TrendError {
            throw ConfigurationError(error.description)
        } catch let error as ArchiveError {
            throw ConfigurationError(error.description)
        }
        let text = format == "html" ? TrendHTML.render(trend) : TrendMarkdown.render(trend)
        try ReportOutput.emit(text, to: out, what: "trend")
    }
}
