import ArgumentParser
import Foundation
import UnsaidSupport
import UnsaidVerdict

/// `unsaid detector train|crossval`: the learned layer of the detector, from labelled rows.
struct DetectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Train the detector's learned classifier on labelled answers, or measure it source by source.",
        subcommands: [DetectorTrainCommand.self, DetectorCrossValidateCommand.self])
}

/// Options both subcommands share: the labelled inputs, the base rules and the training settings.
struct DetectorTrainingOptions: ParsableArguments {
    @Argument(
        help:
            "Labelled rows, JSON Lines: id, prompt, response, language, label (answered|refused|deflected|partial), optional source; or a reviewed run directory (its labels.jsonl)."
    )
    var files: [String]

    @Option(help: "The rule directory to start from (default: the bundled rules).")
    var rules: String?

    @Option(help: "Seed of the shuffling; the same data and seed give byte-identical weights.")
    var seed: UInt64 = 1

    @Option(help: "Passes over the data.")
    var epochs: Int = 30

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one labelled file") }
        guard (1...1000).contains(epochs) else { throw ValidationError("--epochs must be between 1 and 1000") }
    }

    /// Reads every input — a labels file (one error naming file:line for a broken row) or a reviewed
    /// run directory (its labels.jsonl) — with the SHA-256 of the labels it read.
    func load() throws -> (rows: [DetectorRow], inputs: [(name: String, sha256: String)]) {
        var rows: [DetectorRow] = []
        var inputs: [(name: String, sha256: String)] = []
        for path in files {
            rows += try DetectorRowInput.load(path)
            var isDirectory: ObjCBool = false
            let labels =
                FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                ? (path as NSString).appendingPathComponent("labels.jsonl") : path
            let data = FileManager.default.contents(atPath: labels) ?? Data()
            inputs.append(((path as NSString).lastPathComponent, SHA256Hex.digest(data)))
        }
        return (rows, inputs)
    }

    func training() throws -> DetectorTraining {
        let base: Ruleset
        do {
            base = try rules.map { try Ruleset.load(directory: URL(fileURLWithPath: $0)) } ?? Ruleset.bundled()
        } catch let error as RulesetError {
            throw ConfigurationError(error.description)
        }
        var trainer = TextModelTrainer()
        trainer.seed = seed
        trainer.epochs = epochs
        return DetectorTraining(base: base, trainer: trainer)
    }
}

struct DetectorTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the classifier and write a rule directory that holds it.",
        discussion: """
            Writes the base rules with a new classifier.json into --out and a manifest whose version names \
            the model (or --version). Use the directory with `unsaid run --rules`, `rescore --rules` and \
            `eval-detector --rules`. Partial rows are read but not learned from.
            """)

    @OptionGroup var options: DetectorTrainingOptions

    @Option(help: "The rule directory to write (created if missing; files whose content is unchanged are left alone).")
    var out: String

    @Option(help: "The ruleset version to record (default: the base version plus +model.<digest>).")
    var version: String?

    func run() throws {
        let (rows, inputs) = try options.load()
        let trained: Ruleset
        do {
            trained = try options.training().train(rows, inputs: inputs, version: version)
        } catch let error as DetectorEvaluationError {
            throw ConfigurationError(error.message)
        }
        try trained.write(to: URL(fileURLWithPath: out))
        print(
            "trained on \(rows.count) rows from \(inputs.count) file(s); wrote \(out) (ruleset \(trained.version), sha256 \(trained.sha256.prefix(12)))"
        )
    }
}

struct DetectorCrossValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossval",
        abstract: "Leave one source out: judge each source with a classifier trained on all the others.",
        discussion: """
            A source is a file, or a `source` value inside a file (XSTest's GPT-4 and Llama-2 rows are two). \
            Prints, per held-out source and language, refusal F1 of the phrase rules alone and with the \
            classifier, deflections recognised, and pooled confusion tables.
            """)

    @OptionGroup var options: DetectorTrainingOptions

    func run() throws {
        let (rows, _) = try options.load()
        do {
            print(try options.training().crossValidate(rows).render(), terminator: "")
        } catch let error as DetectorEvaluationError {
            throw ConfigurationError(error.message)
        }
    }
}
