import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidVerdict

/// Counts and rates for one slice of a run (the whole run, one category, topic or language).
package struct SliceMetrics: Codable, Sendable, Equatable {
    /// `MetricScope.description`: `overall`, `category:safety`, `topic:tiananmen`, `language:en`.
    package var scope: String
    /// Requests in the slice, errors included.
    package var requests: Int
    /// Requests with a verdict other than `error`: the denominator of the general rates.
    package var scored: Int
    /// Requests per verdict label; every label is present, zeros included.
    package var verdicts: [String: Int]
    /// Requests per outcome against `expect` (`pass`, `fail`, `unscored`), zeros included.
    package var outcomes: [String: Int]
    /// Rates by `RateMetric` raw value; a rate is absent when its denominator is zero (e.g.
    /// `censorship_rate` in a slice without censorship probes).
    package var rates: [String: RateEstimate]

    /// The figures of one slice's counts (`MetricTally.Slice`).
    package init(scope: MetricScope, tally: MetricTally.Slice) {
        self.scope = scope.description
        var verdicts: [String: Int] = [:]
        for label in VerdictLabel.allCases { verdicts[label.rawValue] = 0 }
        var counted = Array(repeating: 0, count: RateMetric.allCases.count)
        var hits = Array(repeating: 0, count: RateMetric.allCases.count)
        var requests = 0
        var scored = 0
        for (pair, count) in tally.labels {
            requests += count
            if pair.label != .error { scored += count }
            verdicts[pair.label.rawValue, default: 0] += count
            for (index, metric) in RateMetric.allCases.enumerated() where metric.counts(pair.category, pair.label) {
                counted[index] += count
                if metric.isHit(pair.label) { hits[index] += count }
            }
        }
        var outcomes: [String: Int] = ["pass": 0, "fail": 0, "unscored": 0]
        for (outcome, count) in tally.outcomes { outcomes[outcome.rawValue, default: 0] += count }
        self.requests = requests
        self.scored = scored
        self.verdicts = verdicts
        self.outcomes = outcomes
        var rates: [String: RateEstimate] = [:]
        for (index, metric) in RateMetric.allCases.enumerated() {
            rates[metric.rawValue] = RateEstimate(count: hits[index], total: counted[index])
        }
        self.rates = rates
    }

    package func rate(_ metric: RateMetric) -> RateEstimate? { rates[metric.rawValue] }

    package func count(_ label: VerdictLabel) -> Int { verdicts[label.rawValue] ?? 0 }

    package func count(_ outcome: Outcome) -> Int { outcomes[outcome.rawValue] ?? 0 }
}

/// How stable a probe's verdict is across repeated samples (runs with `repeat` > 1).
package struct ProbeConsistency: Codable, Sendable, Equatable {
    package var suite: String
    package var probe: String
    package var streamed: Bool
    /// Samples with a verdict other than `error`.
    package var samples: Int
    /// The most frequent verdict (ties go to the label first in taxonomy order).
    package var majority: VerdictLabel
    /// Samples that got the majority verdict.
    package var agreeing: Int
    /// `agreeing / samples`: 1 when every sample got the same verdict.
    package var share: Double
    /// Samples per verdict label (only labels that occurred).
    package var verdicts: [String: Int]
}

/// Everything measured about one run: rates overall and per category, topic and language, and
/// per-probe consistency across samples. A pure function of (probe, verdict) pairs.
package struct RunMetrics: Codable, Sendable, Equatable {
    package var overall: SliceMetrics
    package var categories: [SliceMetrics]
    package var topics: [SliceMetrics]
    package var languages: [SliceMetrics]
    /// Only probes with more than one scored sample in a mode, sorted by suite, probe, mode.
    package var consistency: [ProbeConsistency]
    /// Mean of `consistency[].share`; absent when no probe was repeated.
    package var meanConsistency: Double?

    package init(_ items: some Sequence<(probe: Probe, verdict: Verdict)>) {
        var tally = MetricTally()
        for (probe, verdict) in items { tally.add(probe: probe, verdict: verdict) }
        self.init(tally: tally)
    }

    /// Follow-up turns are not in the tally (`MetricTally.add`).
    package init(tally: MetricTally) {
        overall = SliceMetrics(scope: .overall, tally: tally.overall)
        categories = tally.categories.sorted { $0.key < $1.key }.map {
            SliceMetrics(scope: .category($0.key), tally: $0.value)
        }
        topics = tally.topics.sorted { $0.key < $1.key }.map { SliceMetrics(scope: .topic($0.key), tally: $0.value) }
        languages = tally.languages.sorted { $0.key < $1.key }.map {
            SliceMetrics(scope: .language($0.key), tally: $0.value)
        }
        consistency = RunMetrics.consistency(tally.samples)
        meanConsistency = consistency.isEmpty ? nil : consistency.map(\.share).reduce(0, +) / Double(consistency.count)
    }

    /// Joins records and verdicts by request key; records without a verdict are left out.
    package init(records: [TranscriptRecord], verdicts: [Verdict]) {
        var probes: [WorkKey: Probe] = [:]
        for record in records { probes[record.transcript.key] = record.probe }
        self.init(verdicts.compactMap { verdict in probes[verdict.key].map { (probe: $0, verdict: verdict) } })
    }

    /// Follow-up turns are left out (`MetricTally.add`).
    package init(run: ReportRun) {
        self.init(tally: run.tally)
    }

    /// The slice for a scope, if the run has requests in it.
    package func slice(_ scope: MetricScope) -> SliceMetrics? {
        let name = scope.description
        if name == overall.scope { return overall }
        return (categories + topics + languages).first { $0.scope == name }
    }

    /// Probes with more than one scored sample in a mode, sorted by suite, probe, mode.
    static func consistency(_ samples: [MetricTally.SampleGroup: [VerdictLabel: Int]]) -> [ProbeConsistency] {
        samples.compactMap { group, counts -> ProbeConsistency? in
            let total = counts.values.reduce(0, +)
            guard total > 1 else { return nil }
            let top = counts.values.max() ?? 0
            let majority = VerdictLabel.allCases.first { counts[$0] == top } ?? .answered
            return ProbeConsistency(
                suite: group.suite, probe: group.probe, streamed: group.streamed, samples: total,
                majority: majority, agreeing: top, share: Double(top) / Double(total),
                verdicts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
        }
        .sorted { ($0.suite, $0.probe, $0.streamed ? 0 : 1) < ($1.suite, $1.probe, $1.streamed ? 0 : 1) }
    }
}

extension ScoredArchive {
    /// The run's figures, as `RunMetrics(records:verdicts:)` computes them; nil when no tally was
    /// gathered (`ArchiveScoring.finalise` without one).
    package var metrics: RunMetrics? { tally.map(RunMetrics.init(tally:)) }
}
