import Foundation

/// Estimates the time left in a run from when results arrive.
///
/// A run's first results are poor evidence of its pace: a server warms up (loads a model, opens
/// connections) and with N requests in flight the first N finish together. So no estimate is
/// given until `minimumResults` have arrived in this session (results archived before a resume
/// do not count), and the pace is measured over the most recent `window` results only, so a
/// slow start stops weighing on the estimate once the run is under way.
package struct ETAEstimator: Sendable {
    package let total: Int
    package let minimumResults: Int
    package let window: Int
    private var completed: Int
    /// Seconds since the session started at which each recent result arrived.
    private var arrivals: [Double] = []
    private var sessionResults = 0

    package init(total: Int, alreadyDone: Int = 0, minimumResults: Int = 5, window: Int = 20) {
        self.total = total
        self.completed = alreadyDone
        self.minimumResults = max(2, minimumResults)
        self.window = max(self.minimumResults, window)
    }

    /// Records a result that arrived `elapsed` seconds after the session started.
    package mutating func record(at elapsed: Double) {
        completed += 1
        sessionResults += 1
        arrivals.append(elapsed)
        if arrivals.count > window { arrivals.removeFirst(arrivals.count - window) }
    }

    /// Seconds left, or nil while there is too little evidence (or nothing is left to do).
    package var remaining: Double? {
        let left = total - completed
        guard left > 0, sessionResults >= minimumResults, let first = arrivals.first, let last = arrivals.last,
            last > first
        else { return left <= 0 ? 0 : nil }
        let pace = (last - first) / Double(arrivals.count - 1)
        return pace * Double(left)
    }

    /// Results per second over the recent window (0 until two results arrived).
    package var rate: Double {
        guard arrivals.count >= 2, let first = arrivals.first, let last = arrivals.last, last > first else { return 0 }
        return Double(arrivals.count - 1) / (last - first)
    }
}
