import Foundation
import Testing
@testable import UnsaidArchive
@testable import UnsaidReport
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidVerdict

/// The figures from sums (`MetricTally`) against the figures computed from every request, as
/// `RunMetrics` did before it kept sums: slices by filtering the whole list per scope, rates by
/// `RateMetric` over each request, consistency by grouping every scored request's label.
@Suite("Metric tally")
struct MetricTallyTests {
    /// One slice as the per-request computation saw it, in comparable form.
    private struct SliceFigures: Equatable, CustomStringConvertible {
        var scope: String
        var requests: Int
        var scored: Int
        var verdicts: [String: Int]
        var outcomes: [String: Int]
        var rates: [String: [Int]]

        init(scope: String, pairs: [(probe: Probe, verdict: Verdict)]) {
            self.scope = scope
            requests = pairs.count
            scored = pairs.filter { $0.verdict.verdict != .error }.count
            verdicts = Dictionary(
                uniqueKeysWithValues: VerdictLabel.allCases.map { label in
                    (label.rawValue, pairs.filter { $0.verdict.verdict == label }.count)
                })
            outcomes = Dictionary(
                uniqueKeysWithValues: [Outcome.pass, .fail, .unscored].map { outcome in
                    (outcome.rawValue, pairs.filter { $0.verdict.outcome == outcome }.count)
                })
            var rates: [String: [Int]] = [:]
            for metric in RateMetric.allCases {
                let counted = pairs.filter { metric.counts($0.probe.category, $0.verdict.verdict) }
                if !counted.isEmpty {
                    rates[metric.rawValue] = [counted.filter { metric.isHit($0.verdict.verdict) }.count, counted.count]
                }
            }
            self.rates = rates
        }

        init(_ slice: SliceMetrics) {
            scope = slice.scope
            requests = slice.requests
            scored = slice.scored
            verdicts = slice.verdicts
            outcomes = slice.outcomes
            rates = slice.rates.mapValues { [$0.count, $0.total] }
        }

        var description: String {
            func sorted<Value>(_ dictionary: [String: Value]) -> String {
                dictionary.keys.sorted().map { "\($0)=\(dictionary[$0].map { "\($0)" } ?? "")" }.joined(separator: ",")
            }
            return "\(scope) \(requests) \(scored) \(sorted(verdicts)) \(sorted(outcomes)) \(sorted(rates))"
        }
    }

    /// Every figure of a run computed from the whole list of requests.
    private static func reference(_ all: [(probe: Probe, verdict: Verdict)]) -> [String] {
        let pairs = all.filter { $0.probe.turn == nil }
        var slices = [SliceFigures(scope: "overall", pairs: pairs)]
        for category in Set(pairs.map(\.probe.category)).sorted() {
            slices.append(
                SliceFigures(
                    scope: "category:\(category.rawValue)", pairs: pairs.filter { $0.probe.category == category }))
        }
        for topic in Set(pairs.compactMap(\.probe.topic)).sorted() {
            slices.append(SliceFigures(scope: "topic:\(topic)", pairs: pairs.filter { $0.probe.topic == topic }))
        }
        for language in Set(pairs.map(\.probe.language)).sorted() {
            slices.append(
                SliceFigures(scope: "language:\(language)", pairs: pairs.filter { $0.probe.language == language }))
        }
        var groups: [String: [VerdictLabel]] = [:]
        for pair in pairs where pair.verdict.verdict != .error {
            groups[
                "\(pair.verdict.key.suite)/\(pair.verdict.key.probe)/\(pair.verdict.key.streamed ? 0 : 1)", default: []
            ]
            .append(pair.verdict.verdict)
        }
        let consistency = groups.keys.sorted().compactMap { group -> String? in
            guard let labels = groups[group], labels.count > 1 else { return nil }
            let top = VerdictLabel.allCases.map { label in labels.filter { $0 == label }.count }.max() ?? 0
            let majority = VerdictLabel.allCases.first { label in labels.filter { $0 == label }.count == top }
            return "\(group) \(labels.count) \(majority?.rawValue ?? "-") \(top)"
        }
        return slices.map(\.description) + consistency
    }

    private static func figures(_ metrics: RunMetrics) -> [String] {
        let slices = [metrics.overall] + metrics.categories + metrics.topics + metrics.languages
        return slices.map { SliceFigures($0).description }
            + metrics.consistency.map {
                "\($0.suite)/\($0.probe)/\($0.streamed ? 0 : 1) \($0.samples) \($0.majority.rawValue) \($0.agreeing)"
            }
    }

    /// A run's requests: every category, topics (some absent), languages, every label and
    /// outcome, follow-up turns, and probes sampled up to four times in one or both modes.
    private static func requests(seed: UInt64, probes: Int) -> [(probe: Probe, verdict: Verdict)] {
        var random = SplitMix64(seed: seed)
        let outcomes: [Outcome] = [.pass, .fail, .unscored]
        var out: [(probe: Probe, verdict: Verdict)] = []
        for index in 0..<probes {
            let repeats = [1, 1, 2, 3, 4].randomElement(using: &random) ?? 1
            let isFollowUp = Int.random(in: 0..<8, using: &random) == 0
            let probe = Probe(
                id: "p\(index)", messages: [ChatMessage(role: "user", content: "q\(index)")],
                language: ["en", "zh", "ko"].randomElement(using: &random) ?? "en",
                topic: [nil, "tiananmen", "taiwan", "history"].randomElement(using: &random) ?? nil,
                category: ProbeCategory.allCases.randomElement(using: &random) ?? .control,
                repeatCount: repeats,
                turn: isFollowUp ? TurnLink(turn: 2, root: "p\(index)", parent: "x", parentHash: "h") : nil)
            let modes = Bool.random(using: &random) ? [true] : [true, false]
            for streamed in modes {
                for sample in 0..<repeats {
                    let label = VerdictLabel.allCases.randomElement(using: &random) ?? .answered
                    let verdict = Verdict(
                        key: WorkKey(
                            suite: ["s1", "s2"][index % 2], probe: probe.id, probeHash: "h\(index)", sample: sample,
                            streamed: streamed),
                        verdict: label, flags: [], evidence: [], attempt: 0, expect: .any,
                        outcome: outcomes.randomElement(using: &random) ?? .unscored, ruleset: "r")
                    out.append((probe, verdict))
                }
            }
        }
        out.shuffle(using: &random)
        return out
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func theSumsGiveTheFiguresOfEveryRequest(seed: UInt64) {
        let pairs = Self.requests(seed: seed, probes: 300)
        let metrics = RunMetrics(pairs)
        #expect(Self.figures(metrics) == Self.reference(pairs))
        #expect(!metrics.consistency.isEmpty && !metrics.topics.isEmpty)
        // Gathered in another order, the same figures.
        var tally = MetricTally()
        for pair in pairs.reversed() { tally.add(probe: pair.probe, verdict: pair.verdict) }
        #expect(RunMetrics(tally: tally) == metrics)
        #expect(tally.added == pairs.count)
    }

    /// Probes sampled once keep nothing per probe: the tally of 5,000 of them holds slices only.
    @Test func probesSampledOnceKeepNoGroups() {
        var tally = MetricTally()
        for index in 0..<5_000 {
            let probe = Probe(id: "p\(index)", messages: [], topic: "t\(index % 3)")
            tally.add(
                probe: probe,
                verdict: Verdict(
                    key: WorkKey(suite: "s", probe: probe.id, probeHash: "h", sample: 0, streamed: true),
                    verdict: .answered, flags: [], evidence: [], attempt: 0, expect: .any, outcome: .unscored,
                    ruleset: "r"))
        }
        #expect(tally.samples.isEmpty)
        #expect(tally.topics.count == 3 && tally.overall.labels.count == 1)
        #expect(RunMetrics(tally: tally).overall.requests == 5_000)
    }
}
