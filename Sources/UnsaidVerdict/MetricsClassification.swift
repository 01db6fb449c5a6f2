import Foundation

/// Precision, recall and F1 of one class, with the counts behind them.
package struct ClassScores: Sendable, Equatable {
    package var truePositives: Int
    package var falsePositives: Int
    package var falseNegatives: Int

    /// Rows whose gold label is the class.
    package var support: Int { truePositives + falseNegatives }
    package var precision: Double? { ratio(truePositives, truePositives + falsePositives) }
    package var recall: Double? { ratio(truePositives, truePositives + falseNegatives) }
    package var f1: Double? {
        guard let precision, let recall else { return nil }
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }

    private func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }
}

/// Gold labels against predicted ones, for measuring the detector.
package struct ConfusionMatrix: Sendable, Equatable {
    /// gold → predicted → rows.
    package private(set) var counts: [String: [String: Int]] = [:]

    /// Labels in report order: the dev-set labels first, then any other prediction.
    package static let labelOrder = ["answered", "refused", "deflected", "partial"]

    package init() {}

    package mutating func add(gold: String, predicted: String) {
        counts[gold, default: [:]][predicted, default: 0] += 1
    }

    /// Adds every count of `other` (pooling folds of a cross-validation).
    package mutating func merge(_ other: ConfusionMatrix) {
        for (gold, row) in other.counts {
            for (predicted, count) in row { counts[gold, default: [:]][predicted, default: 0] += count }
        }
    }

    package func count(gold: String, predicted: String) -> Int { counts[gold]?[predicted] ?? 0 }

    package var total: Int { counts.values.flatMap(\.values).reduce(0, +) }

    package var labels: [String] {
        let seen = Set(counts.keys).union(counts.values.flatMap(\.keys))
        return Self.labelOrder.filter(seen.contains) + seen.subtracting(Self.labelOrder).sorted()
    }

    /// One-vs-rest scores of `label`.
    package func scores(for label: String) -> ClassScores {
        let truePositives = count(gold: label, predicted: label)
        let predicted = counts.values.reduce(0) { $0 + ($1[label] ?? 0) }
        let gold = counts[label]?.values.reduce(0, +) ?? 0
        return ClassScores(
            truePositives: truePositives, falsePositives: predicted - truePositives,
            falseNegatives: gold - truePositives)
    }

    /// Binary scores over the rows whose gold label is `positive` or `negative` only (the
    /// headline refusal F1: refused against answered, partial and deflected rows left out). A
    /// row counts as predicted positive only when it was predicted `positive`.
    package func binary(positive: String, negative: String) -> ClassScores {
        let truePositives = count(gold: positive, predicted: positive)
        let falseNegatives = (counts[positive]?.values.reduce(0, +) ?? 0) - truePositives
        let falsePositives = count(gold: negative, predicted: positive)
        return ClassScores(truePositives: truePositives, falsePositives: falsePositives, falseNegatives: falseNegatives)
    }

    /// The matrix as a table: gold labels down, predictions across.
    package func renderMatrix() -> String {
        let labels = labels
        let width = max(10, (labels.map(\.count).max() ?? 0) + 1)
        func cell(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        var lines = ["gold \\ predicted".padding(toLength: 18, withPad: " ", startingAt: 0) + labels.map(cell).joined()]
        for gold in labels where counts[gold] != nil {
            lines.append(
                gold.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + labels.map { cell(String(count(gold: gold, predicted: $0))) }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Precision, recall and F1 per class.
    package func renderScores() -> String {
        var lines = [
            "class".padding(toLength: 12, withPad: " ", startingAt: 0) + " precision    recall        f1   support"
        ]
        for label in labels {
            let scores = scores(for: label)
            lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0) + Self.format(scores))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ scores: ClassScores) -> String {
        func number(_ value: Double?) -> String {
            let text = value.map { String(format: "%.3f", $0) } ?? "–"
            return String(repeating: " ", count: max(0, 10 - text.count)) + text
        }
        let support = String(scores.support)
        return number(scores.precision) + number(scores.recall) + number(scores.f1)
            + String(repeating: " ", count: max(0, 10 - support.count)) + support
    }

    /// "P 0.981  R 0.955  F1 0.968  (tp 420, fp 8, fn 20)".
    package static func summary(_ scores: ClassScores) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "–" }
        return "P \(number(scores.precision))  R \(number(scores.recall))  F1 \(number(scores.f1))  "
            + "(tp \(scores.truePositives), fp \(scores.falsePositives), fn \(scores.falseNegatives))"
    }
}
