import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidReport

extension ReportFormat: ExpressibleByArgument {}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write a report of a run (optionally compared with others) as Markdown, HTML, CSV, JUnit XML or JSON.",
        discussion: """
            Reads the archives only, never the network. md: summary, rates with Wilson 95% intervals, \
            comparisons and flips. html: one self-contained file with charts, a filterable table of \
            every request and its highlighted evidence. csv: one row per attempt with every verdict \
            field. junit: one test case per request; a verdict that contradicts the probe's expect is \
            a failure, a transport error an error. json: the full metrics object (docs/report-schema.md).
            """)

    @Argument(help: ArgumentHelp("The run to report on, e.g. Results/<run-id>.", valueName: "run"))
    var runDirectory: String

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("Other runs to compare with (same suite), e.g. Results/<other-run>.", valueName: "run"))
    var compare: [String] = []

    @Option(name: .long, help: ArgumentHelp("md, html, csv, junit or json.", valueName: "format"))
    var format: ReportFormat = .md

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    func run() throws {
        try ReportOutput.write(runs: [runDirectory] + compare, format: format, out: out)
    }
}

/// Loads the archives, renders and writes; archive problems are configuration errors (exit 2).
enum ReportOutput {
    ///
    /// The report is written as it is rendered (`ReportWriter`), never held whole: to standard
    /// output, or to a temporary file beside `out` that replaces it once complete, as an atomic
    /// write does.
    static func write(runs: [String], format: ReportFormat, out: String?) throws {
        try checkOutput(out)
        let document = try load(runs: runs)
        guard let out else {
            try format.render(document, to: ReportWriter { FileHandle.standardOutput.write(Data($0.utf8)) })
            return
        }
        let target = URL(fileURLWithPath: out)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: temporary)
        else {
            // Where no file can be made, the whole report is written as before, for its error.
            try emit(try format.render(document), to: out, what: "report")
            return
        }
        let cannotWrite = { (error: any Error) in
            ConfigurationError("\(out): cannot write the report (\(error.localizedDescription))")
        }
        do {
            defer { try? handle.close() }
            try format.render(
                document,
                to: ReportWriter { text in
                    do { try handle.write(contentsOf: Data(text.utf8)) } catch { throw cannotWrite(error) }
                })
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ConfigurationError("\(out): cannot write the report (\(reason))")
        }
        FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
    }

    /// Writes `text` to standard output, or atomically to the file `out` (saying so on standard
    /// error); `what` names it in the error when the file cannot be written.
    static func emit(_ text: String, to out: String?, what: String) throws {
        try checkOutput(out)
        guard let out else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw ConfigurationError("\(out): cannot write the \(what) (\(error.localizedDescription))")
        }
        FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
    }

    /// Refuses an `--out` that would replace a file of a run archive (`ArchiveLayout.outputProblem`).
    static func checkOutput(_ out: String?) throws {
        if let out, let problem = ArchiveLayout.outputProblem(out) { throw ConfigurationError(problem) }
    }

    /// The archives as one document; a comparison of runs that share no request is refused.
    static func load(runs: [String]) throws -> ReportDocument {
        let document: ReportDocument
        do {
            document = try ReportDocument.load(runs.map { URL(fileURLWithPath: $0) })
        } catch let error as ArchiveError {
            throw ConfigurationError(error.description)
        }
        for comparison in document.comparisons {
            if let reason = RunComparison.whyNothingPairs(
                comparison, leftRun: document.runs[comparison.left],
                rightRun: document.runs[comparison.right])
            {
                throw ConfigurationError(reason)
            }
        }
        return document
    }
}
