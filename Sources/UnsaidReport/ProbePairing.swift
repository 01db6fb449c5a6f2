import Foundation
import UnsaidSuite

/// Matches the requests of two runs so their verdicts can be compared one-to-one.
///
/// Requests pair when they share suite id, probe id, sample and mode, and the probe's content
/// hash (`WorkKey.probeHash`) is the same on both sides. A probe whose hash changed is refused
/// and listed: its prompt or parameters differ between the runs, so any difference in the
/// verdicts could come from the edit rather than the model.
package struct ProbePairing: Sendable {
    /// Where a request sits in the plan, without the hash.
    package struct Slot: Hashable, Sendable, Comparable, CustomStringConvertible {
        package var suite: String
        package var probe: String
        package var sample: Int
        package var streamed: Bool

        package init(_ key: WorkKey) {
            suite = key.suite
            probe = key.probe
            sample = key.sample
            streamed = key.streamed
        }

        package init(_ request: RequestSummary) {
            suite = request.suite
            probe = request.probe
            sample = request.sample
            streamed = request.streamed
        }

        /// The archive form of the key (`s/p#0@json`), as JSON reports list it.
        package var description: String { "\(suite)/\(probe)#\(sample)@\(streamed ? "stream" : "json")" }

        /// The form people read (`s/p#0 (stream: off)`), as `WorkKey.displayName`.
        package var displayName: String {
            WorkKey.displayName(suite: suite, probe: probe, sample: sample, streamed: streamed)
        }

        package static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.suite, lhs.probe, lhs.sample, lhs.streamed ? 0 : 1) < (
                rhs.suite, rhs.probe, rhs.sample, rhs.streamed ? 0 : 1
            )
        }
    }

    /// Two paired requests, by their places in the runs' requests (the arrays are shared, not
    /// copied), in 24 bytes: a pair holding both entries cost about 1.4 KB, and the comparison's
    /// filtered lists of pairs copied them again, about 600 MB for 100,000 pairs; one holding its
    /// slot too, 80 bytes.
    package struct Pair: Sendable, Equatable {
        private let leftRequests: [RequestSummary]
        private let rightRequests: [RequestSummary]
        private let leftPosition: Int32
        private let rightPosition: Int32

        init(left: [RequestSummary], at leftIndex: Int, right: [RequestSummary], at rightIndex: Int) {
            leftRequests = left
            leftPosition = Int32(leftIndex)
            rightRequests = right
            rightPosition = Int32(rightIndex)
        }

        /// Where both requests sit in the plan (the same on both sides).
        package var slot: Slot { Slot(left) }
        /// The left request's position in its run (`ReportRun.entry(at:)`).
        package var leftIndex: Int { Int(leftPosition) }
        package var rightIndex: Int { Int(rightPosition) }

        package var left: RequestSummary { leftRequests[leftIndex] }
        package var right: RequestSummary { rightRequests[rightIndex] }

        package static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.slot == rhs.slot && lhs.left == rhs.left && lhs.right == rhs.right
        }
    }

    /// A probe that exists in both runs with different content; none of its requests are paired.
    package struct ChangedProbe: Sendable, Equatable, Codable {
        package var suite: String
        package var probe: String
        package var leftHash: String
        package var rightHash: String
    }

    package var pairs: [Pair]
    package var changed: [ChangedProbe]
    /// Requests only the left (right) run has, e.g. a probe added to the suite or a `repeat` raised.
    package var onlyLeft: [Slot]
    package var onlyRight: [Slot]

    package init(left: [RequestSummary], right: [RequestSummary]) {
        // Positions, not entries: a dictionary of whole entries held one more copy of the run.
        var rightBySlot: [Slot: Int] = [:]
        for (index, entry) in right.enumerated() { rightBySlot[Slot(entry)] = index }
        // Which right requests a left one shares a slot with, by position (a set of the left
        // slots held about 13 MB at 100,000 requests).
        var shared = [Bool](repeating: false, count: right.count)
        var pairs: [Pair] = []
        var changed: [String: ChangedProbe] = [:]
        var onlyLeft: [Slot] = []
        for (index, entry) in left.enumerated() {
            let slot = Slot(entry)
            guard let otherIndex = rightBySlot[slot] else {
                onlyLeft.append(slot)
                continue
            }
            shared[otherIndex] = true
            let other = right[otherIndex]
            if other.hasProbeHash(of: entry) {
                pairs.append(Pair(left: left, at: index, right: right, at: otherIndex))
            } else {
                changed["\(slot.suite)/\(slot.probe)"] = ChangedProbe(
                    suite: slot.suite, probe: slot.probe, leftHash: entry.key.probeHash, rightHash: other.key.probeHash)
            }
        }
        pairs.sort { $0.slot < $1.slot }
        self.pairs = pairs
        self.changed = changed.values.sorted { ($0.suite, $0.probe) < ($1.suite, $1.probe) }
        self.onlyLeft = onlyLeft.sorted()
        self.onlyRight = rightBySlot.filter { !shared[$0.value] }.keys.sorted()
    }
}
