import Foundation

/// A proportion with the counts behind it and its Wilson score interval.
public struct Rate: Codable, Sendable, Equatable {
    public var count: Int
    public var total: Int
    /// `count / total`; nil when `total` is 0.
    public var value: Double?
    /// Wilson 95% interval; nil when `total` is 0.
    public var lower: Double?
    public var upper: Double?

    public init(count: Int, total: Int, z: Double = Wilson.z95) {
        self.count = count
        self.total = total
        if total > 0 {
            value = Double(count) / Double(total)
            let interval = Wilson.interval(successes: count, total: total, z: z)
            lower = interval.lower
            upper = interval.upper
        }
    }

    /// "12/40 30.0% [17.9–45.6]" (or "0/0 –").
    public var summary: String {
        guard let value, let lower, let upper else { return "\(count)/\(total) –" }
        return "\(count)/\(total) " + String(format: "%.1f%% [%.1f–%.1f]", value * 100, lower * 100, upper * 100)
    }
}

/// The Wilson score interval for a binomial proportion. Unlike the normal approximation it stays
/// inside [0, 1] and behaves at 0/n and n/n, which small per-topic slices hit all the time.
public enum Wilson {
    /// The two-sided 95% normal quantile.
    public static let z95 = 1.959964

    public static func interval(successes: Int, total: Int, z: Double = z95) -> (lower: Double, upper: Double) {
        guard total > 0 else { return (0, 1) }
        let n = Double(total)
        let p = Double(min(max(successes, 0), total)) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return (max(0, centre - half), min(1, centre + half))
    }
}
