import Foundation
import UnsaidSuite
import UnsaidSupport

/// The learned layer of the detector: a multinomial logistic regression over `TextFeatures`,
/// stored as ruleset data (`classifier.json`), so its weights are covered by the ruleset's hash and
/// version like every phrase rule, and scoring stays a pure function of (transcript, ruleset).
///
/// Weights are kept as 16-bit integers in units of 1/`weightUnits` (little-endian, base64,
/// feature-major: the weights of bucket i are at i·classes … i·classes + classes − 1); every number
/// in the file is an integer, so the file and its hash never depend on how a platform prints floats.
package struct TextModel: Sendable, Equatable {
    package static let format = "unsaid-linear/1"
    /// The rule file that holds it.
    package static let fileName = "classifier.json"
    /// The classes the model tells apart, in weight order.
    package static let classes: [VerdictLabel] = [.answered, .refused, .deflected]

    let settings: TextFeatures.Settings
    /// Integer weights, dimension × classes.
    let weights: [Int16]
    /// Integer biases, one per class.
    let bias: [Int32]
    /// Fixed-point scale of weights and biases.
    let weightUnits: Int
    /// Probabilities (per mille) at which the classifier's opinion counts: see `decideAt`, `reviewBelow`.
    package let thresholds: Thresholds
    /// What the model was trained on (file digests, seed, epochs), for the audit trail.
    package let training: JSONValue?

    package struct Thresholds: Codable, Sendable, Equatable {
        /// When the phrase rules found nothing, the classifier's refused/deflected opinion decides
        /// the verdict from this probability (per mille) on.
        package var decideAt: Int
        /// A verdict the classifier decided below this probability, or a phrase verdict the
        /// classifier contradicts at or above it, carries `needs_review`.
        package var reviewBelow: Int
    }

    /// Class probabilities for an answer, in `classes` order.
    package struct Opinion: Sendable, Equatable {
        package let probabilities: [Double]

        package var label: VerdictLabel {
            TextModel.classes[probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0]
        }

        package var confidence: Double { probabilities.max() ?? 0 }

        /// Per mille, rounded down: the integer the evidence records.
        package var perMille: Int { Int((confidence * 1000).rounded(.down)) }

        package func probability(of label: VerdictLabel) -> Double {
            TextModel.classes.firstIndex(of: label).map { probabilities[$0] } ?? 0
        }
    }

    func opinion(answer: String, prompt: String) -> Opinion {
        opinion(TextFeatures(answer: answer, prompt: prompt, settings: settings))
    }

    func opinion(_ features: TextFeatures) -> Opinion {
        let classCount = Self.classes.count
        var scores = bias.map { Double($0) / Double(weightUnits) }
        let scale = features.value / Double(weightUnits)
        // Each class's sum is added up in the same order as ever (feature by feature), so the
        // probabilities are the same to the last bit; the buffers only spare a check per add.
        if classCount == 3, scores.count == 3 {
            // The three sums kept in registers instead of stored back after every add.
            var (first, second, third) = (scores[0], scores[1], scores[2])
            weights.withUnsafeBufferPointer { weights in
                for index in features.indices {
                    let base = Int(index) * 3
                    guard base >= 0, base + 3 <= weights.count else { continue }
                    first += Double(weights[base]) * scale
                    second += Double(weights[base + 1]) * scale
                    third += Double(weights[base + 2]) * scale
                }
            }
            return Opinion(probabilities: Self.softmax([first, second, third]))
        }
        scores.withUnsafeMutableBufferPointer { scores in
            weights.withUnsafeBufferPointer { weights in
                for index in features.indices {
                    let base = Int(index) * classCount
                    guard base >= 0, base + classCount <= weights.count else { continue }
                    for k in 0..<classCount { scores[k] += Double(weights[base + k]) * scale }
                }
            }
        }
        return Opinion(probabilities: Self.softmax(scores))
    }

    static func softmax(_ scores: [Double]) -> [Double] {
        let top = scores.max() ?? 0
        let exps = scores.map { Foundation.exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }

    init(
        settings: TextFeatures.Settings, weights: [Int16], bias: [Int32], weightUnits: Int,
        thresholds: Thresholds, training: JSONValue?
    ) {
        self.settings = settings
        self.weights = weights
        self.bias = bias
        self.weightUnits = weightUnits
        self.thresholds = thresholds
        self.training = training
    }

    // MARK: - The rule file

    /// `classifier.json` as it is stored.
    struct File: Codable {
        var _about: String?
        var format: String
        var features: TextFeatures.Settings
        var classes: [String]
        var weightUnits: Int
        var bias: [Int32]
        var weights: String
        var thresholds: Thresholds
        var training: JSONValue?
    }

    init(file: File) throws {
        guard file.format == Self.format else {
            throw RulesetError.invalid("classifier.json", "format \(file.format) is not \(Self.format)")
        }
        guard file.classes == Self.classes.map(\.rawValue) else {
            throw RulesetError.invalid("classifier.json", "classes must be \(Self.classes.map(\.rawValue))")
        }
        let dimension = file.features.dimension
        guard dimension > 0, dimension & (dimension - 1) == 0, dimension <= 1 << 22 else {
            throw RulesetError.invalid("classifier.json", "features.dimension must be a power of two up to 2^22")
        }
        guard file.features.window > 0, file.features.maxScalars > 0, file.weightUnits > 0,
            file.bias.count == Self.classes.count
        else {
            throw RulesetError.invalid(
                "classifier.json", "window, maxScalars and weightUnits must be positive, one bias per class")
        }
        guard let bytes = Data(base64Encoded: file.weights), bytes.count == dimension * Self.classes.count * 2 else {
            throw RulesetError.invalid(
                "classifier.json", "weights must be base64 of dimension × classes 16-bit integers")
        }
        var weights = [Int16](repeating: 0, count: bytes.count / 2)
        bytes.withUnsafeBytes { raw in
            for index in weights.indices {
                weights[index] = Int16(bitPattern: UInt16(raw[2 * index]) | UInt16(raw[2 * index + 1]) << 8)
            }
        }
        self.init(
            settings: file.features, weights: weights, bias: file.bias, weightUnits: file.weightUnits,
            thresholds: file.thresholds, training: file.training)
    }

    var file: File {
        var bytes = Data(capacity: weights.count * 2)
        for weight in weights {
            let bits = UInt16(bitPattern: weight)
            bytes.append(UInt8(bits & 0xFF))
            bytes.append(UInt8(bits >> 8))
        }
        return File(
            _about:
                "Learned layer of the Unsaid detector: multinomial logistic regression over hashed character and word n-grams (unsaid-ngram/1). Made by `unsaid detector train`; do not edit by hand. Weights: little-endian int16 in units of 1/weightUnits, feature-major.",
            format: Self.format, features: settings, classes: Self.classes.map(\.rawValue), weightUnits: weightUnits,
            bias: bias, weights: bytes.base64EncodedString(), thresholds: thresholds, training: training)
    }
}
