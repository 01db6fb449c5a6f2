import Foundation
import UnsaidSupport

extension Ruleset {
    /// The rule files as the snapshot holds them: manifest first, then the listed files in order.
    package var files: [(name: String, content: JSONValue)] {
        guard let value = JSONValue.parse(snapshot), let entries = value["files"]?.arrayValue else { return [] }
        return entries.compactMap { entry in
            guard let name = entry["name"]?.stringValue, let content = entry["content"] else { return nil }
            return (name, content)
        }
    }

    /// The same rules with another learned layer (or none), under `version`. The manifest lists
    /// `classifier.json` last when a model is given and drops it when not.
    package func replacingTextModel(_ model: TextModel?, version: String? = nil) throws -> Ruleset {
        var files = self.files.filter { $0.name != TextModel.fileName }
        guard var manifest = files.first?.content.objectValue else {
            throw RulesetError.invalid(Self.manifestName, "not an object")
        }
        var names = files.dropFirst().map(\.name)
        if let model {
            names.append(TextModel.fileName)
            guard let content = JSONValue.parse(try CanonicalJSON.encode(model.file)) else {
                throw RulesetError.invalid(TextModel.fileName, "could not be encoded")
            }
            files.append((TextModel.fileName, content))
        }
        manifest["files"] = .array(names.map(JSONValue.string))
        if let version { manifest["version"] = .string(version) }
        files[0] = (Self.manifestName, .object(manifest))
        return try Self.assemble(files.map { ($0.name, $0.content) })
    }

    /// Writes the rule files into `directory` as pretty JSON with sorted keys. A file already there
    /// with the same content (canonically) is left as it is, so retraining in place changes only
    /// the manifest and `classifier.json`.
    package func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, content) in files {
            let url = directory.appendingPathComponent(name)
            if let existing = FileManager.default.contents(atPath: url.path), let value = JSONValue.parse(existing),
                try CanonicalJSON.encode(value) == CanonicalJSON.encode(content)
            {
                continue
            }
            var data = try CanonicalJSON.encodePretty(content)
            data.append(0x0A)
            try data.write(to: url, options: .atomic)
        }
    }
}

/// Trains the learned layer from labelled rows, and measures it honestly by leaving one source
/// out at a time.
package struct DetectorTraining: Sendable {
    package let base: Ruleset
    package var trainer: TextModelTrainer

    package init(base: Ruleset, trainer: TextModelTrainer = TextModelTrainer()) {
        self.base = base
        self.trainer = trainer
    }

    /// Examples for the rows that teach the model something (partial rows do not).
    func examples(_ rows: [DetectorRow]) -> [TextModelTrainer.Example] {
        rows.compactMap { trainer.example(answer: $0.response, prompt: $0.prompt, label: $0.label, normaliser: base) }
    }

    /// The base rules with a model trained on `rows`. Without `version`, the version is the base's
    /// (before any `+`) plus `+model.` and the first 12 hex digits of the model file's SHA-256,
    /// so two different models never share a version.
    package func train(
        _ rows: [DetectorRow], inputs: [(name: String, sha256: String)], version: String? = nil
    ) throws -> Ruleset {
        let examples = examples(rows)
        guard !examples.isEmpty else {
            throw DetectorEvaluationError(message: "no answered, refused or deflected rows to train on")
        }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.label, default: 0] += 1 }
        let description = JSONValue.object([
            "inputs": .array(inputs.map { .object(["name": .string($0.name), "sha256": .string($0.sha256)]) }),
            "rows": .object(counts.mapValues { .int(Int64($0)) }),
            "seed": .int(Int64(bitPattern: trainer.seed)),
            "epochs": .int(Int64(trainer.epochs)),
            "features": .string("unsaid-ngram/1"),
        ])
        let model = trainer.train(examples, description: description)
        let digest = SHA256Hex.digest(try CanonicalJSON.encode(model.file))
        let stem = base.version.split(separator: "+").first.map(String.init) ?? base.version
        return try base.replacingTextModel(model, version: version ?? "\(stem)+model.\(digest.prefix(12))")
    }

    /// Leave-one-source-out: for each source, a model trained on every other source judges it.
    package func crossValidate(_ rows: [DetectorRow]) throws -> CrossValidation {
        let sources = Array(Set(rows.map(\.source))).sorted()
        guard sources.count >= 2 else {
            throw DetectorEvaluationError(
                message: "cross-validation needs rows from at least two sources (files or `source` fields)")
        }
        // One example (or none) per row, computed once and shared by every fold.
        let features = rows.map {
            trainer.example(answer: $0.response, prompt: $0.prompt, label: $0.label, normaliser: base)
        }
        let phraseOnly = VerdictEngine(ruleset: try base.replacingTextModel(nil))
        var folds: [CrossValidation.Fold] = []
        for source in sources {
            let training = rows.indices.filter { rows[$0].source != source }.compactMap { features[$0] }
            let model = trainer.train(training)
            let engine = VerdictEngine(ruleset: try base.replacingTextModel(model))
            let heldOut = rows.filter { $0.source == source }
            folds.append(
                CrossValidation.Fold(
                    source: source,
                    phrase: DetectorEvaluation(rows: heldOut, engine: phraseOnly),
                    layered: DetectorEvaluation(rows: heldOut, engine: engine)))
        }
        return CrossValidation(folds: folds)
    }
}

/// Leave-one-source-out figures: per held-out source and language, the phrase rules alone and the
/// phrase rules with a classifier that never saw that source.
package struct CrossValidation: Sendable {
    package struct Fold: Sendable {
        package let source: String
        package let phrase: DetectorEvaluation
        package let layered: DetectorEvaluation
    }

    package let folds: [Fold]

    package func render() -> String {
        var text = """
            leave-one-source-out: each source is judged by a classifier trained on all the others
            (the phrase rules were written with every source in view, so their column flatters them)

            """
        let header =
            "held out".padding(toLength: 38, withPad: " ", startingAt: 0)
            + "lang     rows  refusal F1 rules → layered       (layered P / R)   deflections rules → layered"
        text += header + "\n"
        var pooledPhrase: [String: ConfusionMatrix] = [:]
        var pooledLayered: [String: ConfusionMatrix] = [:]
        for fold in folds {
            for language in fold.layered.byLanguage.keys.sorted() where !language.contains("-") {
                guard let layered = fold.layered.byLanguage[language], let phrase = fold.phrase.byLanguage[language]
                else { continue }
                pooledPhrase[language, default: ConfusionMatrix()].merge(phrase)
                pooledLayered[language, default: ConfusionMatrix()].merge(layered)
                text += Self.line(fold.source, language, phrase: phrase, layered: layered) + "\n"
            }
        }
        text += "\npooled over the held-out folds:\n"
        for language in pooledLayered.keys.sorted() {
            guard let layered = pooledLayered[language], let phrase = pooledPhrase[language] else { continue }
            text += Self.line("all sources", language, phrase: phrase, layered: layered) + "\n"
        }
        for language in pooledLayered.keys.sorted() {
            guard let layered = pooledLayered[language] else { continue }
            text += "\n== \(language), layered, pooled held-out predictions: \(layered.total) rows\n"
            text += layered.renderMatrix() + layered.renderScores()
        }
        return text
    }

    private static func line(
        _ source: String, _ language: String, phrase: ConfusionMatrix, layered: ConfusionMatrix
    ) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "  –  " }
        func deflections(_ matrix: ConfusionMatrix) -> String {
            let total = matrix.counts["deflected"]?.values.reduce(0, +) ?? 0
            return total == 0 ? "–" : "\(matrix.count(gold: "deflected", predicted: "deflected"))/\(total)"
        }
        let rules = phrase.binary(positive: "refused", negative: "answered")
        let both = layered.binary(positive: "refused", negative: "answered")
        return source.padding(toLength: 38, withPad: " ", startingAt: 0)
            + language.padding(toLength: 6, withPad: " ", startingAt: 0)
            + String(format: "%7d", layered.total) + "  "
            + number(rules.f1) + " → " + number(both.f1)
            + "       (" + number(both.precision) + " / " + number(both.recall) + ")   "
            + deflections(phrase) + " → " + deflections(layered)
    }
}
