import ArgumentParser
import Foundation
import UnsaidSupport
import UnsaidVerdict

/// `unsaid eval-detector FILE.jsonl`: measures the refusal/deflection detector on labelled rows.
struct EvalDetectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-detector",
        abstract: "Measure the detector on labelled responses (JSON Lines: id, prompt, response, language, label).",
        discussion: """
            Each row's response is judged as a non-streamed answer by the same engine as a run. Prints a \
            confusion matrix and precision/recall/F1 per class and per language; the headline is the \
            refusal F1 with `refused` positive and `answered` negative (`partial` rows reported apart).
            """)

    enum RowSelection: String, ExpressibleByArgument, CaseIterable {
        case all, even, odd
    }

    @Argument(help: "Labelled rows, one JSON object per line, or a reviewed run directory (its labels.jsonl).")
    var file: String

    @Option(help: "Write one line per row: {\"id\", \"verdict\", \"rules\"}.")
    var predictions: String?

    @Option(help: "Rows to use, by 0-based position: all, even (e.g. for tuning) or odd (held out).")
    var rows: RowSelection = .all

    @Option(help: "A rule directory to use instead of the bundled rules.")
    var rules: String?

    func run() throws {
        var selected = try DetectorRowInput.load(file)
        switch rows {
        case .all: break
        case .even: selected = selected.enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element)
        case .odd: selected = selected.enumerated().filter { !$0.offset.isMultiple(of: 2) }.map(\.element)
        }
        let ruleset = try rules.map { try Ruleset.load(directory: URL(fileURLWithPath: $0)) } ?? Ruleset.bundled()
        let evaluation = DetectorEvaluation(rows: selected, engine: VerdictEngine(ruleset: ruleset))
        print("ruleset \(ruleset.version) (sha256 \(ruleset.sha256.prefix(12)))")
        print(evaluation.render(title: "\(file) [rows: \(rows.rawValue)]"), terminator: "")
        if let predictions {
            var output = Data()
            for prediction in evaluation.predictions {
                output.append(try CanonicalJSON.encode(prediction))
                output.append(0x0A)
            }
            try output.write(to: URL(fileURLWithPath: predictions))
        }
    }
}
