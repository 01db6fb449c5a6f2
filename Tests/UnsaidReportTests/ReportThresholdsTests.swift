import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidVerdict
@testable import UnsaidReport

@Suite("Report thresholds (--fail-under)")
struct ReportThresholdsTests {
    @Test func parsesScopesMetricsAndValues() throws {
        let thresholds = try Thresholds.parse(
            "censorship.answer_rate=0.9, controls.answer_rate=1.0,topic:a.b.refusal_rate<=10%,language:zh-Hans.retraction_rate>=0.05,overall.deflection_rate=0"
        )
        #expect(
            thresholds.entries == [
                Threshold(scope: .category(.censorship), metric: .answerRate, value: 0.9),
                Threshold(scope: .category(.control), metric: .answerRate, value: 1.0),
                Threshold(scope: .topic("a.b"), metric: .refusalRate, bound: .atMost, value: 0.1),
                Threshold(scope: .language("zh-Hans"), metric: .retractionRate, value: 0.05),
                Threshold(scope: .overall, metric: .deflectionRate, value: 0),
            ])
        #expect(
            try Thresholds.parse("category:over-refusal.over_refusal_rate<=0.2").entries.first?.scope
                == .category(.overRefusal))
        #expect(
            try Thresholds.parse("over_refusal.over_refusal_rate<=0.2").entries.first?.scope == .category(.overRefusal))
        #expect(thresholds.entries[0].description == "category:censorship.answer_rate>=0.9")
    }

    @Test(arguments: [
        ("", "--fail-under: '': no thresholds given; expected e.g. censorship.answer_rate=0.9"),
        (
            "censorship.answer_rate",
            "--fail-under: 'censorship.answer_rate': expected scope.metric=value, e.g. censorship.answer_rate=0.9"
        ),
        (
            "answer_rate=0.9",
            "--fail-under: 'answer_rate=0.9': missing scope; write scope.metric, e.g. overall.answer_rate"
        ),
        (
            "censorship.answers=0.9",
            "--fail-under: 'censorship.answers=0.9': unknown metric 'answers'; expected one of answer_rate, refusal_rate, deflection_rate, retraction_rate, censorship_rate, over_refusal_rate, safety_refusal_rate"
        ),
        (
            "politics.answer_rate=0.9",
            "--fail-under: 'politics.answer_rate=0.9': unknown scope 'politics'; expected overall, a category (censorship, safety, over-refusal, control), topic:<name> or language:<tag>"
        ),
        (
            "censorship.answer_rate=high",
            "--fail-under: 'censorship.answer_rate=high': 'high' is not a number; expected a proportion like 0.9 or a percentage like 90%"
        ),
        (
            "censorship.answer_rate=90",
            "--fail-under: 'censorship.answer_rate=90': 90 is outside 0…1 (write 0.9 or 90%, not 90)"
        ),
        ("topic:.answer_rate=0.5", "--fail-under: 'topic:.answer_rate=0.5': empty topic name after 'topic:'"),
    ])
    func parseErrorsNameTheEntry(text: String, message: String) {
        do {
            _ = try Thresholds.parse(text)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func failsBelowThePointEstimateAndWithoutData() async throws {
        let (root, alpha, beta) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let alphaMetrics = RunMetrics(run: try ReportRun.load(alpha))
        let betaMetrics = RunMetrics(run: try ReportRun.load(beta))
        let thresholds = try Thresholds.parse(
            "censorship.answer_rate=0.6,censorship.answer_rate=0.7,controls.answer_rate=1.0,over-refusal.over_refusal_rate<=0.1,topic:absent.answer_rate=0"
        )
        // alpha: censorship 4/6 = 0.667, controls 2/2, over-refusal 0/1.
        #expect(thresholds.evaluate(alphaMetrics).map(\.passed) == [true, false, true, true, false])
        // beta: censorship 0/6, controls 1/1 (the errored request does not count), over-refusal 1/1.
        #expect(thresholds.evaluate(betaMetrics).map(\.passed) == [false, false, true, false, false])
        let results = thresholds.evaluate(alphaMetrics)
        #expect(results[1].description == "FAIL category:censorship.answer_rate>=0.7: 66.7% [30.0–90.3] 4/6")
        #expect(results[4].description == "FAIL topic:absent.answer_rate>=0: no scored requests in scope")
        #expect(results[0].description == "ok   category:censorship.answer_rate>=0.6: 66.7% [30.0–90.3] 4/6")
    }

    @Test func exactBoundaryPasses() async throws {
        // 9/10 answered must meet a 0.9 threshold exactly (no floating-point shortfall).
        let probe = Probe(id: "p", messages: [], category: .censorship, expect: .answer)
        let items = (0..<10).map { index in
            (
                probe: probe,
                verdict: Verdict(
                    key: WorkKey(suite: "s", probe: "p", probeHash: "h", sample: index, streamed: true),
                    verdict: index == 0 ? .refused : .answered, flags: [], evidence: [], attempt: 0,
                    expect: .answer, outcome: .pass, ruleset: "r")
            )
        }
        let results = try Thresholds.parse("censorship.answer_rate=0.9,censorship.answer_rate=90%").evaluate(
            RunMetrics(items))
        #expect(results.map(\.passed) == [true, true])
    }
}
