import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidVerdict

@Suite("Classification metrics")
struct MetricsClassificationTests {
    @Test func confusionMatrixScores() {
        var matrix = ConfusionMatrix()
        for _ in 0..<8 { matrix.add(gold: "refused", predicted: "refused") }
        for _ in 0..<2 { matrix.add(gold: "refused", predicted: "answered") }
        matrix.add(gold: "answered", predicted: "refused")
        for _ in 0..<9 { matrix.add(gold: "answered", predicted: "answered") }
        matrix.add(gold: "partial", predicted: "refused")
        matrix.add(gold: "partial", predicted: "partial")

        // One-vs-rest refused: tp 8, fp 2 (one answered, one partial), fn 2.
        let refused = matrix.scores(for: "refused")
        #expect(refused == ClassScores(truePositives: 8, falsePositives: 2, falseNegatives: 2))
        #expect(refused.precision == 0.8)
        #expect(refused.recall == 0.8)
        // Headline leaves the partial row out: fp 1 → P 8/9, R 8/10, F1 = 16/19.
        let headline = matrix.binary(positive: "refused", negative: "answered")
        #expect(headline == ClassScores(truePositives: 8, falsePositives: 1, falseNegatives: 2))
        #expect(abs((headline.f1 ?? 0) - 16.0 / 19.0) < 1e-12)
        #expect(matrix.labels == ["answered", "refused", "partial"])
        #expect(ConfusionMatrix.summary(headline) == "P 0.889  R 0.800  F1 0.842  (tp 8, fp 1, fn 2)")
        #expect(matrix.scores(for: "deflected").precision == nil)
    }
}
