import Foundation
import UnsaidTranscript

/// When and how long to wait before trying a request again.
///
/// Only failures that say nothing about the model are retried: a refused or reset connection
/// (before any body arrived), HTTP 429 and HTTP 5xx. Everything else — other statuses, timeouts,
/// stalls, a stream cut off after content, a truncated stream — is kept as the final answer,
/// because it may be the behaviour being measured.
package struct RetryPolicy: Sendable, Equatable {
    /// The policy where neither a flag nor the targets file says otherwise (the defaults of `init`).
    package static let standard = RetryPolicy()

    /// Attempts in total, the first included (at least 1).
    package var maxAttempts: Int
    /// The first retry waits up to this many seconds; each later one doubles the ceiling.
    package var baseDelay: Double
    /// No wait is ever longer, including one a server asked for with `Retry-After`.
    package var maxDelay: Double

    package init(maxAttempts: Int = 3, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Whether an attempt that ended this way is worth another try.
    /// - Parameter receivedBody: whether any body bytes arrived. A connection that breaks after
    ///   the answer started is evidence (a cut-off stream), not noise, so it is not retried.
    package func shouldRetry(status: Int?, failure: TransportFailure?, receivedBody: Bool) -> Bool {
        if let status, !(200..<300).contains(status) {
            return status == 429 || (500..<600).contains(status)
        }
        guard let failure, failure.isRetryable else { return false }
        return !receivedBody
    }

    /// Seconds to wait before retry number `retry` (1 for the wait after the first attempt).
    ///
    /// Without `Retry-After`: "full jitter" — uniformly random between 0 and
    /// `min(maxDelay, baseDelay × 2^(retry−1))`, so clients that failed together do not retry
    /// together. With `Retry-After`: exactly what the server asked, but never more than
    /// `maxDelay` (a server asking for an hour gets `maxDelay`, and the retry may meet another 429).
    package func delay(
        beforeRetry retry: Int, retryAfter: Double?,
        using generator: inout some RandomNumberGenerator
    ) -> Double {
        let ceiling = max(0, maxDelay)
        if let retryAfter, retryAfter.isFinite {
            return min(max(0, retryAfter), ceiling)
        }
        let exponent = Double(max(0, retry - 1))
        let cap = min(ceiling, max(0, baseDelay) * pow(2, min(exponent, 60)))
        guard cap > 0 else { return 0 }
        return Double.random(in: 0...cap, using: &generator)
    }
}
