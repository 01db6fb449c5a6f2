import Foundation

/// The ranges every number a user gives (flags, targets files, fault headers) must fall in,
/// checked where it is parsed so a bad value is one clear message instead of a trap deep inside
/// (`Duration(seconds: 1e300)` and `Int(Double.nan)` both crash) or a silently disabled timeout.
/// Each check returns nil when the value is fine, or what is wrong with it.
package enum NumberLimits {
    /// A week: longer than any sensible timeout, small enough for every clock type.
    package static let maximumSeconds: Double = 604_800

    package static func seconds(_ value: Double) -> String? {
        guard value.isFinite, value > 0, value <= maximumSeconds else {
            return "must be a number of seconds greater than 0 and at most \(Int(maximumSeconds)), got \(value)"
        }
        return nil
    }

    /// `temperature`: the OpenAI range.
    package static func temperature(_ value: Double) -> String? {
        value.isFinite && (0...2).contains(value) ? nil : "must be between 0 and 2, got \(value)"
    }

    package static func topP(_ value: Double) -> String? {
        value.isFinite && (0...1).contains(value) ? nil : "must be between 0 and 1, got \(value)"
    }

    package static func maxTokens(_ value: Int) -> String? {
        (1...10_000_000).contains(value) ? nil : "must be between 1 and 10000000, got \(value)"
    }

    package static func attempts(_ value: Int) -> String? {
        (1...100).contains(value) ? nil : "must be between 1 and 100, got \(value)"
    }

    /// The most requests a run may have in flight (`--concurrency`, a target's `concurrency`).
    package static let maxConcurrency = 1_024

    package static func concurrency(_ value: Int) -> String? {
        (1...maxConcurrency).contains(value) ? nil : "must be between 1 and \(maxConcurrency), got \(value)"
    }

    /// Requests per minute.
    package static func rateLimit(_ value: Double) -> String? {
        value.isFinite && value > 0 && value <= 1_000_000
            ? nil
            : "must be a number of requests per minute greater than 0 and at most 1000000, got \(value)"
    }

    /// A Double turned into an Int without trapping: NaN becomes 0, out-of-range values the
    /// nearest bound. For values that were range-checked already, as a last line of defence.
    package static func clampedInt(_ value: Double) -> Int {
        guard !value.isNaN else { return 0 }
        if value >= Double(Int.max) { return Int.max }
        if value <= Double(Int.min) { return Int.min }
        return Int(value)
    }

    package static func clampedInt64(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        if value >= Double(Int64.max) { return Int64.max }
        if value <= Double(Int64.min) { return Int64.min }
        return Int64(value)
    }
}
