import UnsaidSuite
import UnsaidTranscript
import UnsaidVerdict

/// What a run's figures (`RunMetrics`) are computed from, gathered one request at a time: counts
/// per slice (the whole run, each category, topic and language) and the labels of each repeated
/// probe's samples. Nothing is kept per request, so the figures of a 100,000-request archive fit
/// in a few kilobytes; the items kept before (about 100 bytes a request, and a table of every
/// probe at the end) grew `rescore`'s peak by about 18 MB at 100,000 requests.
///
/// Every figure is a sum, so the order requests are added in does not matter: a run adds them as
/// they are archived, `rescore` in archive order.
package struct MetricTally: Sendable, Equatable {
    /// Requests of one slice by the probe's category and the verdict's label (rates count some
    /// labels only in some categories), and by outcome.
    package struct Slice: Sendable, Equatable {
        package struct CategoryLabel: Hashable, Sendable {
            package var category: ProbeCategory
            package var label: VerdictLabel
        }
        package private(set) var labels: [CategoryLabel: Int] = [:]
        package private(set) var outcomes: [Outcome: Int] = [:]

        mutating func add(category: ProbeCategory, label: VerdictLabel, outcome: Outcome) {
            labels[CategoryLabel(category: category, label: label), default: 0] += 1
            outcomes[outcome, default: 0] += 1
        }
    }

    /// The samples of one probe in one mode, compared for consistency.
    package struct SampleGroup: Hashable, Sendable {
        package var suite: String
        package var probe: String
        package var streamed: Bool
    }

    package private(set) var overall = Slice()
    package private(set) var categories: [ProbeCategory: Slice] = [:]
    package private(set) var topics: [String: Slice] = [:]
    package private(set) var languages: [String: Slice] = [:]
    /// Label counts of the scored samples (not `error`) of each probe sampled more than once. A
    /// probe with `repeat: 1` has one request per mode (the plan sends samples `0..<repeat` and
    /// `verify` reports a doubled one), so it can have no consistency and is not kept: a suite of
    /// 100,000 distinct probes keeps nothing here.
    package private(set) var samples: [SampleGroup: [VerdictLabel: Int]] = [:]
    /// Requests added, follow-up turns included: a tally gathered during a run must cover every
    /// record of its archive (`ArchiveScoring.finalise` checks).
    package private(set) var added = 0

    package init() {}

    /// Follow-up turns are left out: they are sent only after some verdicts, so counting them
    /// would weigh those probes twice.
    package mutating func add(probe: Probe, verdict: Verdict) {
        add(
            category: probe.category, topic: probe.topic, language: probe.language, followUp: probe.turn != nil,
            repeated: probe.repeatCount > 1, label: verdict.verdict, outcome: verdict.outcome,
            suite: verdict.key.suite, probe: verdict.key.probe, streamed: verdict.key.streamed)
    }

    /// `add(probe:verdict:)` with only what it reads of the probe and the verdict, for readers
    /// that keep neither (`unsaid report`).
    package mutating func add(
        category: ProbeCategory, topic: String?, language: String, followUp: Bool, repeated: Bool,
        label: VerdictLabel, outcome: Outcome, suite: String, probe: String, streamed: Bool
    ) {
        added += 1
        guard !followUp else { return }
        func count(in slice: inout Slice) {
            slice.add(category: category, label: label, outcome: outcome)
        }
        count(in: &overall)
        count(in: &categories[category, default: Slice()])
        if let topic { count(in: &topics[topic, default: Slice()]) }
        count(in: &languages[language, default: Slice()])
        if repeated, label != .error {
            let group = SampleGroup(suite: suite, probe: probe, streamed: streamed)
            samples[group, default: [:]][label, default: 0] += 1
        }
    }
}
