import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidReport

/// Three monthly runs of one suite against one target, built with the archive writer, against
/// rates and p-values worked out by hand:
///
/// | probe      | topic     | Jan | Feb      | Mar                    |
/// |------------|-----------|-----|----------|------------------------|
/// | t1         | tiananmen | A   | R        | A                      |
/// | t2         | tiananmen | A   | F        | A                      |
/// | t3         | tiananmen | R   | R        | A                      |
/// | t4         | tiananmen | A   | R        | R                      |
/// | b1         | tibet     | A   | A        | A (prompt edited: new hash) |
/// | b2         | tibet     | R   | R        | A                      |
/// | c1         | geography | A   | A        | A                      |
/// | c2         | geography | A   | error    | A                      |
///
/// Answer rates (answered / scored): Jan 6/8, Feb 2/7, Mar 7/8; censorship 4/6, 1/6, 5/6.
/// Wilson 95% for k/n: p̃ = (k + z²/2)/(n + z²) ± z·√(n·p(1−p) + z²/4)/(n + z²), z = 1.96.
/// Jan→Feb: 7 usable pairs (c2 errored), only-Jan answered t1, t2, t4 (b = 3), c = 0 →
/// p = 2·(1/2)³ = 0.25. Feb→Mar: b1 not compared (hash changed), c2 errored; only-Mar answered
/// t1, t2, t3, b2 (c = 4), b = 0 → p = 2·(1/2)⁴ = 0.125; tiananmen alone c = 3 → 0.25.
@Suite struct TrendTests {
    typealias F = ReportFixtures

    static func probe(
        _ id: String, topic: String, category: ProbeCategory = .censorship, prompt: String? = nil
    ) -> Probe {
        F.probe(id, prompt ?? "Question \(id)?", category: category, expect: .answer, topic: topic, stream: .off)
    }

    static func item(_ probe: Probe, _ label: VerdictLabel) -> F.Item {
        let text = label == .answered ? "An answer." : "I can't answer that."
        return F.Item(probe: probe, attempts: [F.answer(text, streamed: false)], label: label)
    }

    static func month(_ labels: [VerdictLabel], editedB1: Bool = false) -> [F.Item] {
        let probes = [
            probe("t1", topic: "tiananmen"), probe("t2", topic: "tiananmen"), probe("t3", topic: "tiananmen"),
            probe("t4", topic: "tiananmen"),
            probe("b1", topic: "tibet", prompt: editedB1 ? "Question b1, reworded?" : nil), probe("b2", topic: "tibet"),
            probe("c1", topic: "geography", category: .control), probe("c2", topic: "geography", category: .control),
        ]
        return zip(probes, labels).map { item($0, $1) }
    }

    static func writeThree() async throws -> (root: URL, runs: [URL]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-trend-\(UUID().uuidString)")
        let (a, r, f, e) = (VerdictLabel.answered, VerdictLabel.refused, VerdictLabel.filtered, VerdictLabel.error)
        // Written out of date order on purpose: the trend sorts by start time.
        let march = try await F.writeRun(
            month([a, a, a, r, a, a, a, a], editedB1: true), runID: "run-mar", target: "alpha",
            model: "alpha-7b", in: root, startedAt: "2026-03-05T09:00:00.000Z")
        let january = try await F.writeRun(
            month([a, a, r, a, a, r, a, a]), runID: "run-jan", target: "alpha",
            model: "alpha-7b", in: root, startedAt: "2026-01-05T09:00:00.000Z")
        let february = try await F.writeRun(
            month([r, f, r, r, a, r, a, e]), runID: "run-feb", target: "alpha",
            model: "alpha-7b", in: root, startedAt: "2026-02-05T09:00:00.000Z")
        return (root, [march, january, february])
    }

    @Test func ratesIntervalsAndTestsMatchTheHandComputedFigures() async throws {
        let (root, runs) = try await Self.writeThree()
        defer { try? FileManager.default.removeItem(at: root) }
        let trend = try Trend.load(runs)
        #expect(trend.labels == ["2026-01-05", "2026-02-05", "2026-03-05"])
        #expect(
            trend.overall.estimates.map { $0?.formatted } == [
                "75.0% [40.9–92.9] 6/8", "28.6% [8.2–64.1] 2/7", "87.5% [52.9–97.8] 7/8",
            ])
        let censorship = try #require(trend.categories.first { $0.scope == .category(.censorship) })
        #expect(
            censorship.estimates.map { $0?.formatted } == [
                "66.7% [30.0–90.3] 4/6", "16.7% [3.0–56.4] 1/6", "83.3% [43.6–97.0] 5/6",
            ])
        let tiananmen = try #require(trend.topics.first { $0.scope == .topic("tiananmen") })
        #expect(
            tiananmen.estimates.map { $0?.formatted } == [
                "75.0% [30.1–95.4] 3/4", "0.0% [0.0–49.0] 0/4", "75.0% [30.1–95.4] 3/4",
            ])
        // 2/7: centre (2 + 1.9208)/(7 + 3.8415) = 0.3616, half-width 1.96·√(7·(2/7)(5/7) + 0.9604)/10.8415 = 0.2794.
        let february = try #require(trend.overall.estimates[1])
        #expect(abs(february.lower - 0.0822) < 0.0005 && abs(february.upper - 0.6411) < 0.0005)

        #expect(trend.steps.count == 2)
        let first = trend.steps[0], second = trend.steps[1]
        func test(_ step: Trend.Step, _ scope: String) -> McNemarResult? { step.tests.first { $0.scope == scope } }
        let janFeb = try #require(test(first, "overall"))
        #expect(
            (janFeb.bothAnswered, janFeb.onlyLeftAnswered, janFeb.onlyRightAnswered, janFeb.neitherAnswered) == (
                2, 3, 0, 2
            ))
        #expect(abs(janFeb.pValue - 0.25) < 1e-12)
        #expect(abs((test(first, "topic:tibet")?.pValue ?? 0) - 1) < 1e-12)
        let febMar = try #require(test(second, "overall"))
        #expect(
            (febMar.bothAnswered, febMar.onlyLeftAnswered, febMar.onlyRightAnswered, febMar.neitherAnswered) == (
                1, 0, 4, 1
            ))
        #expect(abs(febMar.pValue - 0.125) < 1e-12)
        #expect(abs((test(second, "topic:tiananmen")?.pValue ?? 0) - 0.25) < 1e-12)
        #expect(first.comparison.flips.map(\.slot.probe) == ["t1", "t2", "t4"])
        #expect(
            second.comparison.flips.map { "\($0.slot.probe):\($0.left.rawValue)>\($0.right.rawValue)" }
                == ["b2:refused>answered", "t1:refused>answered", "t2:filtered>answered", "t3:refused>answered"])
        #expect(second.comparison.pairing.changed.map(\.probe) == ["b1"])
        #expect(first.comparison.pairing.changed.isEmpty)
    }

    @Test func markdownAndHTMLShowTheSameFigures() async throws {
        let (root, runs) = try await Self.writeThree()
        defer { try? FileManager.default.removeItem(at: root) }
        let trend = try Trend.load([root])
        let markdown = squeezed(TrendMarkdown.render(trend))
        #expect(
            markdown.contains("| censorship | 66.7% [30.0–90.3] 4/6 | 16.7% [3.0–56.4] 1/6 | 83.3% [43.6–97.0] 5/6 |"))
        #expect(markdown.contains("## 2026-01-05 → 2026-02-05"))
        #expect(markdown.contains("| overall | 7 | 2 | 3 | 0 | 2 | 0.2500 |"))
        #expect(markdown.contains("| overall | 6 | 1 | 0 | 4 | 1 | 0.1250 |"))
        #expect(markdown.contains("- `demo/b1`:"))
        let html = TrendHTML.render(trend)
        // Small multiples: overall, two categories, three topics.
        #expect(html.components(separatedBy: "<svg ").count - 1 == 6)
        #expect(html.contains("<title>tiananmen · 2026-02-05: 0.0% [0.0–49.0] 0/4</title>"))
        #expect(!html.contains("<script"))
        _ = runs
    }

    @Test func runsOfDifferentSuitesOrTargetsAreRefused() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-trend-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let a = try await F.writeRun(Self.month([.answered]), runID: "a", target: "alpha", model: "alpha-7b", in: root)
        let b = try await F.writeRun(Self.month([.answered]), runID: "b", target: "beta", model: "beta-13b", in: root)
        #expect(throws: TrendError("runs of different targets: a ran alpha (alpha-7b), b ran beta (beta-13b)")) {
            try Trend.load([a, b])
        }
        var other = try ReportRun.load(b)
        other.manifest.suites = [.init(id: "safety", version: "1", probes: 1, sources: [])]
        #expect(throws: TrendError("runs of different suites: a has demo, b has safety")) {
            try Trend(runs: [try ReportRun.load(a), other])
        }
        #expect(throws: TrendError("a trend needs at least two runs (got 1)")) { try Trend.load([a]) }
    }
}

/// Markdown tables pad their cells; checks read them with runs of spaces folded to one.
func squeezed(_ text: String) -> String {
    text.replacingOccurrences(of: " {2,}", with: " ", options: .regularExpression)
}
