import Foundation

/// Spaces request starts so a target sees at most `perMinute` of them in any minute.
package actor RateLimiter {
    private let interval: Duration
    private var nextStart: ContinuousClock.Instant

    package init(perMinute: Double) {
        interval = .nanoseconds(Int64(60e9 / max(perMinute, 0.001)))
        nextStart = .now
    }

    /// Waits until the next request may start.
    package func acquire() async throws {
        let now = ContinuousClock.now
        let start = max(now, nextStart)
        nextStart = start + interval
        if start > now {
            try await Task.sleep(until: start, clock: .continuous)
        }
    }
}
