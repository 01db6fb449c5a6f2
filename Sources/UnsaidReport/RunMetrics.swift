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

    /// One pass over the slice's items, copying none of them: a run's figures are computed per
    /// category, topic and language, and a copy per slice and per rate cost hundreds of megabytes
    /// at 100,000 requests.
    package init(scope: MetricScope, items: some Sequence<MetricItem>) {
        self.scope = scope.description
        var requests = 0
        var scored = 0
        var verdicts: [String: Int] = [:]
        for label in VerdictLabel.allCases { verdicts[label.rawValue] = 0 }
        var outcomes: [String: Int] = ["pass": 0, "fail": 0, "unscored": 0]
        var counted = Array(repeating: 0, count: RateMetric.allCases.count)
        var hits = Array(repeating: 0, count: RateMetric.allCases.count)
        for item in items {
            let label = item.label
            requests += 1
            if label != .error { scored += 1 }
            verdicts[label.rawValue, default: 0] += 1
            outcomes[item.outcome.rawValue, default: 0] += 1
            for (index, metric) in RateMetric.allCases.enumerated() where metric.counts(item.category, label) {
                counted[index] += 1
                if metric.isHit(label) { hits[index] += 1 }
            }
        }
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

    package init(_ items: some Collection<(probe: Probe, verdict: Verdict)>) {
        self.init(items: items.lazy.map { MetricItem(probe: $0.probe, verdict: $0.verdict) })
    }

    /// Slices are read through lazy filters: the items are never copied (see `SliceMetrics`).
    package init(items: some Collection<MetricItem>) {
        overall = SliceMetrics(scope: .overall, items: items)
        let categories = Set(items.lazy.map(\.category)).sorted()
        self.categories = categories.map { category in
            SliceMetrics(scope: .category(category), items: items.lazy.filter { $0.category == category })
        }
        let topics = Set(items.lazy.compactMap(\.topic)).sorted()
        self.topics = topics.map { topic in
            SliceMetrics(scope: .topic(topic), items: items.lazy.filter { $0.topic == topic })
        }
        let languages = Set(items.lazy.map(\.language)).sorted()
        self.languages = languages.map { language in
            SliceMetrics(scope: .language(language), items: items.lazy.filter { $0.language == language })
        }
        consistency = RunMetrics.consistency(items)
        meanConsistency = consistency.isEmpty ? nil : consistency.map(\.share).reduce(0, +) / Double(consistency.count)
    }

    /// Joins records and verdicts by request key; records without a verdict are left out.
    package init(records: [TranscriptRecord], verdicts: [Verdict]) {
        var probes: [WorkKey: Probe] = [:]
        for record in records where record.probe.turn == nil { probes[record.transcript.key] = record.probe }
        self.init(verdicts.compactMap { verdict in probes[verdict.key].map { (probe: $0, verdict: verdict) } })
    }

    /// Follow-up turns are left out: they are sent only after some verdicts, so counting them
    /// would weigh those probes twice.
    package init(run: ReportRun) {
        self.init(run.entries.lazy.filter { $0.probe.turn == nil }.map { (probe: $0.probe, verdict: $0.verdict) })
    }

    /// The slice for a scope, if the run has requests in it.
    package func slice(_ scope: MetricScope) -> SliceMetrics? {
        let name = scope.description
        if name == overall.scope { return overall }
        return (categories + topics + languages).first { $0.scope == name }
    }

    /// The samples of one probe in one mode.
    private struct SampleGroup: Hashable { var suite: String, probe: String, streamed: Bool }

    static func consistency(_ items: some Sequence<MetricItem>) -> [ProbeConsistency] {
        var groups: [SampleGroup: [VerdictLabel]] = [:]
        for item in items where item.label != .error {
            groups[SampleGroup(suite: item.suite, probe: item.probe, streamed: item.streamed), default: []]
                .append(item.label)
        }
        return groups.compactMap { group, labels -> ProbeConsistency? in
            guard labels.count > 1 else { return nil }
            var counts: [VerdictLabel: Int] = [:]
            for label in labels { counts[label, default: 0] += 1 }
            let top = counts.values.max() ?? 0
            let majority = VerdictLabel.allCases.first { counts[$0] == top } ?? .answered
            return ProbeConsistency(
                suite: group.suite, probe: group.probe, streamed: group.streamed, samples: labels.count,
                majority: majority, agreeing: top, share: Double(top) / Double(labels.count),
                verdicts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
        }
        .sorted { ($0.suite, $0.probe, $0.streamed ? 0 : 1) < ($1.suite, $1.probe, $1.streamed ? 0 : 1) }
    }
}

extension ScoredArchive {
    /// The run's figures, as `RunMetrics(records:verdicts:)` computes them: follow-up turns are
    /// left out (they are sent only after some verdicts, and would weigh those probes twice).
    package var metrics: RunMetrics { RunMetrics(items: metricItems.lazy.filter { !$0.isFollowUp }) }
}
