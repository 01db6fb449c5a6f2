import Foundation
import UnsaidSuite

/// One gate from `--fail-under`: a rate in a scope must reach (or stay under) a value.
package struct Threshold: Sendable, Equatable, CustomStringConvertible {
    package enum Bound: String, Sendable, Equatable {
        /// `scope.metric=value` or `>=`: the point estimate must be at least `value`.
        case atLeast = ">="
        /// `scope.metric<=value`: the point estimate must be at most `value` (for rates where
        /// lower is better, such as `over_refusal_rate`).
        case atMost = "<="
    }

    package var scope: MetricScope
    package var metric: RateMetric
    package var bound: Bound = .atLeast
    package var value: Double

    /// As written back for people: `category:censorship.answer_rate>=0.9`.
    package var description: String { "\(scope).\(metric.rawValue)\(bound.rawValue)\(Thresholds.number(value))" }
}

/// The verdict on one threshold for one run.
package struct ThresholdResult: Sendable, Equatable, CustomStringConvertible {
    package var threshold: Threshold
    /// The measured rate; `nil` when the scope has no scored request the metric counts.
    package var actual: RateEstimate?
    package var passed: Bool

    /// `ok   category:censorship.answer_rate>=0.9: 80.0% [49.0–94.3] 8/10` or with `FAIL`.
    package var description: String {
        let measured = actual?.formatted ?? "no scored requests in scope"
        return "\(passed ? "ok  " : "FAIL") \(threshold): \(measured)"
    }
}

/// A parse error in a `--fail-under` value, naming the entry at fault.
package struct ThresholdParseError: Error, Equatable, CustomStringConvertible {
    package var entry: String
    package var reason: String

    package var description: String { "--fail-under: '\(entry)': \(reason)" }
}

/// Parses and evaluates CI gates such as `censorship.answer_rate=0.9,controls.answer_rate=1.0`.
///
/// Each comma-separated entry is `scope.metric=value`:
/// - scope: `overall`; a category `censorship`, `safety`, `over-refusal`, `control` (also
///   `controls`, `over_refusal`, or `category:<name>`); `topic:<name>`; `language:<tag>`.
/// - metric: a `RateMetric` raw value (`answer_rate`, `refusal_rate`, `deflection_rate`,
///   `retraction_rate`, `censorship_rate`, `over_refusal_rate`, `safety_refusal_rate`).
/// - value: a proportion in [0, 1] (`0.9`) or a percentage (`90%`).
///
/// `=` (or `>=`) fails the gate when the measured point estimate is **below** the value; `<=`
/// fails it when the estimate is above. The point estimate is used, not an interval bound, so the
/// gate behaves the way the number in the report reads. A scope with no scored request the
/// metric counts (a typo'd topic, a suite without such probes) fails: a gate that cannot be
/// measured must not pass silently.
package struct Thresholds: Sendable, Equatable {
    package static let metricNames = RateMetric.allCases.map(\.rawValue).joined(separator: ", ")

    package var entries: [Threshold]

    package init(_ entries: [Threshold]) {
        self.entries = entries
    }

    package static func parse(_ text: String) throws -> Thresholds {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else {
            throw ThresholdParseError(
                entry: text, reason: "no thresholds given; expected e.g. censorship.answer_rate=0.9")
        }
        return Thresholds(try entries.map(parseEntry))
    }

    static func parseEntry(_ entry: String) throws -> Threshold {
        let bound: Threshold.Bound
        let operatorRange: Range<String.Index>
        if let range = entry.range(of: "<=") {
            (bound, operatorRange) = (.atMost, range)
        } else if let range = entry.range(of: ">=") {
            (bound, operatorRange) = (.atLeast, range)
        } else if let range = entry.range(of: "=") {
            (bound, operatorRange) = (.atLeast, range)
        } else {
            throw ThresholdParseError(
                entry: entry, reason: "expected scope.metric=value, e.g. censorship.answer_rate=0.9")
        }
        let name = String(entry[..<operatorRange.lowerBound]).trimmingCharacters(in: .whitespaces)
        let valueText = String(entry[operatorRange.upperBound...]).trimmingCharacters(in: .whitespaces)
        // The metric follows the last dot: topic names may contain dots, metric names never do.
        guard let dot = name.lastIndex(of: ".") else {
            throw ThresholdParseError(entry: entry, reason: "missing scope; write scope.metric, e.g. overall.\(name)")
        }
        let scopeText = String(name[..<dot])
        let metricText = String(name[name.index(after: dot)...])
        guard let metric = RateMetric(rawValue: metricText) else {
            throw ThresholdParseError(
                entry: entry, reason: "unknown metric '\(metricText)'; expected one of \(metricNames)")
        }
        let scope = try parseScope(scopeText, entry: entry)
        let value = try parseValue(valueText, entry: entry)
        return Threshold(scope: scope, metric: metric, bound: bound, value: value)
    }

    static func parseScope(_ text: String, entry: String) throws -> MetricScope {
        if text == "overall" { return .overall }
        if text.hasPrefix("topic:") {
            let topic = String(text.dropFirst("topic:".count))
            guard !topic.isEmpty else {
                throw ThresholdParseError(entry: entry, reason: "empty topic name after 'topic:'")
            }
            return .topic(topic)
        }
        if text.hasPrefix("language:") {
            let language = String(text.dropFirst("language:".count))
            guard !language.isEmpty else {
                throw ThresholdParseError(entry: entry, reason: "empty language tag after 'language:'")
            }
            return .language(language)
        }
        let categoryName = text.hasPrefix("category:") ? String(text.dropFirst("category:".count)) : text
        let aliases: [String: ProbeCategory] = ["controls": .control, "over_refusal": .overRefusal]
        if let category = ProbeCategory(rawValue: categoryName) ?? aliases[categoryName] {
            return .category(category)
        }
        let categories = ProbeCategory.allCases.map(\.rawValue).joined(separator: ", ")
        throw ThresholdParseError(
            entry: entry,
            reason:
                "unknown scope '\(text)'; expected overall, a category (\(categories)), topic:<name> or language:<tag>")
    }

    static func parseValue(_ text: String, entry: String) throws -> Double {
        let isPercent = text.hasSuffix("%")
        let number = isPercent ? String(text.dropLast()) : text
        guard let parsed = Double(number), parsed.isFinite else {
            throw ThresholdParseError(
                entry: entry,
                reason: "'\(text)' is not a number; expected a proportion like 0.9 or a percentage like 90%")
        }
        let value = isPercent ? parsed / 100 : parsed
        guard (0...1).contains(value) else {
            throw ThresholdParseError(entry: entry, reason: "\(text) is outside 0…1 (write 0.9 or 90%, not 90)")
        }
        return value
    }

    /// Checks every threshold against one run's metrics, in the order given. A result fails when
    /// the point estimate is below an `=`/`>=` value (above a `<=` value) or cannot be measured.
    package func evaluate(_ metrics: RunMetrics) -> [ThresholdResult] {
        entries.map { threshold in
            let actual = metrics.slice(threshold.scope)?.rate(threshold.metric)
            let passed: Bool
            switch (actual, threshold.bound) {
            case (nil, _): passed = false
            case (let estimate?, .atLeast): passed = estimate.rate >= threshold.value
            case (let estimate?, .atMost): passed = estimate.rate <= threshold.value
            }
            return ThresholdResult(threshold: threshold, actual: actual, passed: passed)
        }
    }

    /// `0.9`, `1`, `0.95`: shortest form for messages.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
