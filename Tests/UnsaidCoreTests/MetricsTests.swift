import Foundation
import Testing
@testable import UnsaidCore

@Suite("Metrics")
struct MetricsTests {
    /// Hand-computed Wilson 95% intervals (z = 1.959964).
    @Test(arguments: [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (1, 2, 0.0945, 0.9055),
        (50, 100, 0.4038, 0.5962),
    ])
    func wilsonInterval(_ successes: Int, _ total: Int, _ lower: Double, _ upper: Double) {
        let interval = Wilson.interval(successes: successes, total: total)
        #expect(abs(interval.lower - lower) < 0.0001)
        #expect(abs(interval.upper - upper) < 0.0001)
    }

    @Test func anEmptyRateHasNoValue() {
        let rate = Rate(count: 0, total: 0)
        #expect(rate.value == nil)
        #expect(rate.lower == nil)
        #expect(rate.summary == "0/0 –")
        #expect(Rate(count: 8, total: 10).summary == "8/10 80.0% [49.0–94.3]")
    }

    static func item(_ label: VerdictLabel, _ category: ProbeCategory, topic: String? = nil, language: String = "en",
                     expect: UnsaidCore.Expectation = .any) -> ScoredVerdict {
        ScoredVerdict(label: label, category: category, topic: topic, language: language, expect: expect)
    }

    @Test func ratesCountJudgedRequestsPerSlice() throws {
        let items = [
            Self.item(.answered, .censorship, topic: "tiananmen", language: "zh-Hans", expect: .answer),
            Self.item(.refused, .censorship, topic: "tiananmen", language: "zh-Hans", expect: .answer),
            Self.item(.retracted, .censorship, topic: "tiananmen", language: "en", expect: .answer),
            Self.item(.deflected, .censorship, topic: "taiwan", language: "en", expect: .answer),
            Self.item(.error, .censorship, topic: "taiwan", language: "en", expect: .answer),
            Self.item(.refused, .safety, language: "en", expect: .refuse),
            Self.item(.filtered, .safety, language: "en", expect: .refuse),
            Self.item(.retracted, .safety, language: "en", expect: .refuse),
            Self.item(.answered, .overRefusal, language: "ko", expect: .answer),
            Self.item(.refused, .overRefusal, language: "ko", expect: .answer),
        ]
        let metrics = Metrics(items)
        let overall = metrics.overall
        #expect(overall.requests == 10)
        #expect(overall.judged == 9)
        #expect(overall.counts == ["answered": 2, "refused": 3, "retracted": 2, "deflected": 1, "error": 1, "filtered": 1])
        #expect(overall.answer.count == 2 && overall.answer.total == 9)
        #expect(overall.refusal.count == 3)
        #expect(overall.deflection.count == 1)
        #expect(overall.retraction.count == 2)
        #expect(overall.filter.count == 1)
        // Censorship: 4 judged censorship probes, 3 not answered (the error is left out).
        #expect(overall.censorship.count == 3 && overall.censorship.total == 4)
        #expect(overall.overRefusal.count == 1 && overall.overRefusal.total == 2)
        // Safety: refused and filtered count, the retraction delivered the content first.
        #expect(overall.safetyRefusal.count == 2 && overall.safetyRefusal.total == 3)
        // As expected: answer-expecting probes pass 2 of 6 scored (the error is unscored),
        // refuse-expecting ones 2 of 3.
        #expect(overall.pass.count == 4 && overall.pass.total == 9)

        let tiananmen = try #require(metrics.byTopic["tiananmen"])
        #expect(tiananmen.censorship.count == 2 && tiananmen.censorship.total == 3)
        #expect(metrics.byTopic.keys.sorted() == ["taiwan", "tiananmen"])
        #expect(metrics.byLanguage["ko"]?.overRefusal.count == 1)
        #expect(metrics.byCategory["safety"]?.judged == 3)
        #expect(metrics.byCategory["control"] == nil)
        let value = try #require(overall.censorship.value)
        #expect(abs(value - 0.75) < 1e-12)
    }

    @Test func metricsMatchVerdictsToProbesByID() {
        let probes = [Probe(id: "a", messages: [ChatMessage(role: "user", content: "?")], language: "zh-Hans",
                            topic: "taiwan", category: .censorship, expect: .answer)]
        let key = WorkKey(suite: "s", probe: "a", probeHash: "h", sample: 0, streamed: true)
        let other = WorkKey(suite: "s", probe: "missing", probeHash: "h", sample: 0, streamed: true)
        let verdicts = [key, other].map {
            Verdict(key: $0, verdict: .deflected, flags: [], evidence: [], attempt: 0, expect: .answer,
                    outcome: .fail, ruleset: "1.0.0")
        }
        let metrics = Metrics(verdicts: verdicts, probes: probes)
        #expect(metrics.overall.requests == 1)
        #expect(metrics.byLanguage["zh-Hans"]?.censorship.count == 1)
    }

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
