import Foundation

/// Matches the requests of two runs so their verdicts can be compared one-to-one.
///
/// Requests pair when they share suite id, probe id, sample and mode, and the probe's content
/// hash (`WorkKey.probeHash`) is the same on both sides. A probe whose hash changed is refused
/// and listed: its prompt or parameters differ between the runs, so any difference in the
/// verdicts could come from the edit rather than the model.
public struct ProbePairing: Sendable {
    /// Where a request sits in the plan, without the hash.
    public struct Slot: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var suite: String
        public var probe: String
        public var sample: Int
        public var streamed: Bool

        public init(_ key: WorkKey) {
            suite = key.suite
            probe = key.probe
            sample = key.sample
            streamed = key.streamed
        }

        /// The archive form of the key (`s/p#0@json`), as JSON reports list it.
        public var description: String { "\(suite)/\(probe)#\(sample)@\(streamed ? "stream" : "json")" }

        /// The form people read (`s/p#0 (stream: off)`), as `WorkKey.displayName`.
        public var displayName: String { WorkKey.displayName(suite: suite, probe: probe, sample: sample, streamed: streamed) }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.suite, lhs.probe, lhs.sample, lhs.streamed ? 0 : 1) < (rhs.suite, rhs.probe, rhs.sample, rhs.streamed ? 0 : 1)
        }
    }

    public struct Pair: Sendable, Equatable {
        public var slot: Slot
        public var left: ReportEntry
        public var right: ReportEntry
    }

    /// A probe that exists in both runs with different content; none of its requests are paired.
    public struct ChangedProbe: Sendable, Equatable, Codable {
        public var suite: String
        public var probe: String
        public var leftHash: String
        public var rightHash: String
    }

    public var pairs: [Pair]
    public var changed: [ChangedProbe]
    /// Requests only the left (right) run has, e.g. a probe added to the suite or a `repeat` raised.
    public var onlyLeft: [Slot]
    public var onlyRight: [Slot]

    public init(left: [ReportEntry], right: [ReportEntry]) {
        var rightBySlot: [Slot: ReportEntry] = [:]
        for entry in right { rightBySlot[Slot(entry.key)] = entry }
        var leftSlots = Set<Slot>()
        var pairs: [Pair] = []
        var changed: [String: ChangedProbe] = [:]
        var onlyLeft: [Slot] = []
        for entry in left {
            let slot = Slot(entry.key)
            leftSlots.insert(slot)
            guard let other = rightBySlot[slot] else {
                onlyLeft.append(slot)
                continue
            }
            if other.key.probeHash == entry.key.probeHash {
                pairs.append(Pair(slot: slot, left: entry, right: other))
            } else {
                changed["\(slot.suite)/\(slot.probe)"] = ChangedProbe(
                    suite: slot.suite, probe: slot.probe, leftHash: entry.key.probeHash, rightHash: other.key.probeHash)
            }
        }
        self.pairs = pairs.sorted { $0.slot < $1.slot }
        self.changed = changed.values.sorted { ($0.suite, $0.probe) < ($1.suite, $1.probe) }
        self.onlyLeft = onlyLeft.sorted()
        self.onlyRight = rightBySlot.keys.filter { !leftSlots.contains($0) }.sorted()
    }
}
