import Foundation

/// A proportion with its counts and Wilson 95% interval.
package struct RateEstimate: Codable, Sendable, Equatable {
    /// Requests in the numerator.
    package var count: Int
    /// Requests in the denominator (never zero: a rate without data is absent, not 0).
    package var total: Int
    package var rate: Double
    package var lower: Double
    package var upper: Double

    /// `nil` when `total` is zero.
    package init?(count: Int, total: Int) {
        guard total > 0 else { return nil }
        self.count = count
        self.total = total
        self.rate = Double(count) / Double(total)
        (self.lower, self.upper) = Wilson.interval(successes: count, total: total)
    }

    /// `80.0% [49.0–94.3] 8/10`: the point estimate, the interval and the counts behind them.
    package var formatted: String {
        "\(Percent.format(rate)) [\(Percent.bare(lower))–\(Percent.bare(upper))] \(count)/\(total)"
    }
}

/// Percent formatting shared by every renderer, so text, Markdown and HTML agree to the digit.
package enum Percent {
    /// `80.0%`.
    package static func format(_ value: Double) -> String { bare(value) + "%" }

    /// `80.0`.
    package static func bare(_ value: Double) -> String { String(format: "%.1f", value * 100) }
}
