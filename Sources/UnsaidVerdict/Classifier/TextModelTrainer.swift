import Foundation
import UnsaidSuite
import UnsaidSupport

/// Trains `TextModel` reproducibly: the same examples, in the same order, with the same seed and
/// settings give byte-identical weights. Stochastic gradient descent on the class-weighted
/// multinomial log loss with L2 decay, one example at a time in an order shuffled by a seeded
/// SplitMix64, on one thread (so floating-point sums happen in one fixed order).
package struct TextModelTrainer: Sendable {
    package struct Example: Sendable {
        let features: TextFeatures
        let label: VerdictLabel
    }

    package var seed: UInt64 = 1
    package var epochs = 30
    package var learningRate = 0.5
    package var l2 = 1e-5
    package var weightUnits = 4096
    var settings = TextModelTrainer.defaultSettings
    package var thresholds = TextModel.Thresholds(decideAt: 500, reviewBelow: 750)

    static let defaultSettings = TextFeatures.Settings(dimension: 1 << 16, window: 150, maxScalars: 2000)

    package init() {}

    /// An example from a labelled answer; rows without a prompt, `partial` and unknown labels give none (the model tells
    /// answered, refused and deflected apart; partial answers are the phrase rules' to find).
    package func example(answer: String, prompt: String, label: String, normaliser: Ruleset) -> Example? {
        // A row without a prompt says nothing about how an answer relates to its question, and
        // the engine never asks the classifier about bare text.
        guard let label = VerdictLabel(rawValue: label), TextModel.classes.contains(label),
            VisibleText.contains(prompt)
        else { return nil }
        return Example(features: features(answer: answer, prompt: prompt, normaliser: normaliser), label: label)
    }

    func features(answer: String, prompt: String, normaliser: Ruleset) -> TextFeatures {
        TextFeatures(
            answer: normaliser.normalisedText(answer), prompt: normaliser.normalisedText(prompt), settings: settings)
    }

    package func train(_ examples: [Example], description: JSONValue? = nil) -> TextModel {
        let classCount = TextModel.classes.count
        var weights = [Double](repeating: 0, count: settings.dimension * classCount)
        var bias = [Double](repeating: 0, count: classCount)
        // Balanced class weights: a class with few examples counts as much in total as a big one.
        var counts = [Int](repeating: 0, count: classCount)
        let targets = examples.map { example in TextModel.classes.firstIndex(of: example.label) ?? 0 }
        for target in targets { counts[target] += 1 }
        let present = counts.filter { $0 > 0 }.count
        let classWeight = counts.map { $0 == 0 ? 0 : Double(examples.count) / Double(present * $0) }

        var random = SplitMix64(seed: seed)
        var order = Array(examples.indices)
        var scores = [Double](repeating: 0, count: classCount)
        var gradient = [Double](repeating: 0, count: classCount)
        for epoch in 0..<epochs {
            random.shuffle(&order)
            let rate = learningRate / (1 + Double(epoch) * 0.1)
            for position in order {
                let features = examples[position].features
                let target = targets[position]
                let value = features.value
                for k in 0..<classCount { scores[k] = bias[k] }
                for index in features.indices {
                    let base = Int(index) * classCount
                    for k in 0..<classCount { scores[k] += weights[base + k] * value }
                }
                let probabilities = TextModel.softmax(scores)
                for k in 0..<classCount {
                    gradient[k] = (probabilities[k] - (k == target ? 1 : 0)) * classWeight[target]
                }
                for index in features.indices {
                    let base = Int(index) * classCount
                    for k in 0..<classCount {
                        weights[base + k] -= rate * (value * gradient[k] + l2 * weights[base + k])
                    }
                }
                for k in 0..<classCount { bias[k] -= rate * gradient[k] }
            }
        }
        let units = Double(weightUnits)
        func quantised(_ weight: Double) -> Int16 {
            Int16(max(-32767, min(32767, (weight * units).rounded())))
        }
        return TextModel(
            settings: settings, weights: weights.map(quantised),
            bias: bias.map { Int32(max(-1_000_000, min(1_000_000, ($0 * units).rounded()))) },
            weightUnits: weightUnits, thresholds: thresholds, training: description)
    }
}
