import Foundation

/// The requests a run sends, in plan order, as a collection that builds each `WorkItem` when it is
/// read instead of holding them all.
///
/// A materialised plan held a copy of the probe, its key (with the 64-character probe hash as a
/// string) and its parameters for every request: about 700 bytes a request, 70 MB at 100,000.
/// This one holds runs of requests: consecutive probes of one suite sent alike (as many samples,
/// in the same modes) are one run of 32 bytes, so a suite without a selection is a single run
/// however many probes it has. A plan of scattered requests (a shard's part, what a resume has
/// left, a selection of every other probe) lists each request in 16 bytes instead, whichever of
/// the two is smaller. The probes themselves stay packed in the suites they were loaded into
/// (`ProbeTable`), and a `Probe` is built only for the item read, its content hash taken again
/// then: kept for every probe, the hashes were 40 bytes a probe (4 MB of a 100,000-probe run's
/// ~60 MB peak), and hashing one probe costs little next to sending it. The items, their order
/// and their keys are exactly those of `RunPlan.items` under `RunSelection.apply` with the
/// overrides applied (the tests compare the two).
package struct PlannedRequests: RandomAccessCollection, Sendable {
    /// One request: probe `probe` of suite `suite`, sample `sample`, in one mode. 16 bytes: the
    /// mode rides in the sample's lowest bit (a separate `Bool` padded it to 24).
    private struct Position: Sendable {
        var suite: UInt32
        var probe: UInt32
        private var sampleAndMode: Int

        init(suite: UInt32, probe: UInt32, sample: Int, streamed: Bool) {
            self.suite = suite
            self.probe = probe
            // A sample is below the probe's repeat count, far from where the shift could lose a bit.
            sampleAndMode = sample &<< 1 | (streamed ? 1 : 0)
        }

        var sample: Int { sampleAndMode >> 1 }
        var streamed: Bool { sampleAndMode & 1 == 1 }
    }

    /// Probes `firstProbe..<firstProbe + probes` of suite `suite`, each sent `samples` times in
    /// `modes` (`RunPlan.items`' order: probe by probe, sample by sample, streamed before not),
    /// from request `start` of the plan on.
    private struct Run: Sendable {
        var start: Int
        var suite: UInt32
        var firstProbe: UInt32
        var probes: UInt32
        var modes: StreamMode
        var samples: Int

        var requestsPerProbe: Int { samples * modes.count }
        var end: Int { start + Int(probes) * requestsPerProbe }

        /// Request `offset` of the run.
        func position(at offset: Int) -> Position {
            let (probe, request) = offset.quotientAndRemainder(dividingBy: requestsPerProbe)
            let (sample, mode) = request.quotientAndRemainder(dividingBy: modes.count)
            return Position(
                suite: suite, probe: firstProbe + UInt32(probe), sample: sample,
                streamed: modes == .both ? mode == 0 : modes == .on)
        }
    }

    /// The requests, as runs or listed one by one (see the type's note).
    private enum Requests: Sendable {
        case runs([Run])
        case listed([Position])
    }

    private let suites: [Suite]
    /// The command line's and the target's parameters, which win over each probe's own.
    private let overrides: GenerationParameters
    private var requests: Requests
    package private(set) var endIndex: Int

    /// Plans `suites` as `RunPlan.items(for:streamMode:)` does, keeps what `selection` selects
    /// (as `RunSelection.apply`), and gives every item `overrides` over its own parameters.
    ///
    /// Throws `ProbeHashError` when a probe's content hash cannot be computed (any probe, selected
    /// or not, as a materialised plan does).
    package init(
        suites: [Suite], streamMode: StreamMode?, selection: RunSelection = RunSelection(),
        overrides: GenerationParameters = GenerationParameters()
    ) throws {
        var runs: [Run] = []
        var total = 0
        var limit = ProbeLimit(selection.limit)
        for (suiteIndex, suite) in suites.enumerated() {
            // Each probe is read out of its table once here, and once more when its request is built.
            for (probeIndex, probe) in suite.probes.enumerated() {
                // Only checked here: a key's hash is taken again when its request is built.
                _ = try probe.contentHash
                guard selection.isEmpty || selection.selects(probe, suite: suite.id),
                    limit.admits("\(suite.id)/\(probe.id)")
                else { continue }
                let modes = streamMode ?? probe.stream
                let samples = Swift.max(1, probe.repeatCount)
                if let last = runs.last, last.suite == UInt32(suiteIndex),
                    Int(last.firstProbe) + Int(last.probes) == probeIndex, last.modes == modes,
                    last.samples == samples
                {
                    runs[runs.count - 1].probes += 1
                } else {
                    runs.append(
                        Run(
                            start: total, suite: UInt32(suiteIndex), firstProbe: UInt32(probeIndex), probes: 1,
                            modes: modes, samples: samples))
                }
                total += samples * modes.count
            }
        }
        self.suites = suites
        self.overrides = overrides
        self.endIndex = total
        if runs.count * MemoryLayout<Run>.stride > total * MemoryLayout<Position>.stride {
            self.requests = .listed(runs.flatMap { run in (0..<(run.end - run.start)).map(run.position) })
        } else {
            self.requests = .runs(runs.trimmed())
        }
    }

    package var startIndex: Int { 0 }

    package subscript(index: Int) -> WorkItem {
        let position = position(at: index)
        let suite = suites[Int(position.suite)]
        let probe = suite.probes[Int(position.probe)]
        var parameters = probe.parameters
        // As `RunPlan.items`: distinct samples need distinct seeds.
        if let seed = parameters.seed { parameters.seed = seed + position.sample }
        return WorkItem(
            key: key(position, of: probe, in: suite), probe: probe, parameters: overrides.overriding(parameters))
    }

    /// Whether some requests are sent streamed and some not. Only then can a run hold a streamed
    /// and a non-streamed answer to one sample (a follow-up turn keeps its request's mode), so
    /// only then does the end of a new run need its cross-mode index.
    package var mixesModes: Bool {
        switch requests {
        case .runs(let runs):
            runs.contains { $0.modes == .both }
                || (runs.contains { $0.modes == .on } && runs.contains { $0.modes == .off })
        case .listed(let positions):
            positions.contains { $0.streamed } && positions.contains { !$0.streamed }
        }
    }

    /// The key of each request, in plan order, without building the items' parameters.
    package var keys: some Sequence<WorkKey> { indices.lazy.map { key(self.position(at: $0)) } }

    /// The requests whose key `isIncluded` accepts, in plan order (a shard's part, what a resume
    /// has left to send), listed one by one.
    package func filter(keys isIncluded: (WorkKey) throws -> Bool) rethrows -> PlannedRequests {
        var narrowed = self
        var kept: [Position] = []
        for index in indices {
            let position = position(at: index)
            if try isIncluded(key(position)) { kept.append(position) }
        }
        narrowed.endIndex = kept.count
        narrowed.requests = .listed(kept)
        return narrowed
    }

    /// What the plan holds to know its requests: runs or listed requests, not probes (a test
    /// holds it to the run count of a plain suite, so per-request state cannot creep back).
    package var heldEntries: Int {
        switch requests {
        case .runs(let runs): runs.count
        case .listed(let positions): positions.count
        }
    }

    private func position(at index: Int) -> Position {
        switch requests {
        case .listed(let positions):
            return positions[index]
        case .runs(let runs):
            // The last run starting at or before `index`: runs are few, a binary search is cheap.
            var low = 0
            var high = runs.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if runs[middle].start <= index { low = middle } else { high = middle - 1 }
            }
            return runs[low].position(at: index - runs[low].start)
        }
    }

    private func key(_ position: Position) -> WorkKey {
        let suite = suites[Int(position.suite)]
        return key(position, of: suite.probes[Int(position.probe)], in: suite)
    }

    /// The key of `position`, whose probe `probe` is already built. Its hash cannot fail here: the
    /// plan was refused when any probe's could not be taken, and a probe hashes the same each time.
    private func key(_ position: Position, of probe: Probe, in suite: Suite) -> WorkKey {
        WorkKey(
            suite: suite.id, probe: probe.id, probeHash: (try? probe.contentHash) ?? "",
            sample: position.sample, streamed: position.streamed)
    }
}

extension StreamMode {
    /// Requests a sample is sent as: one per mode.
    fileprivate var count: Int { self == .both ? 2 : 1 }
}

extension Array {
    /// The elements without the spare capacity doubling left, when there is much of it (a plan
    /// of many runs): a copy of exactly their size.
    fileprivate func trimmed() -> [Element] {
        guard capacity - count > 1024 else { return self }
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}

/// `--limit`: the first N distinct probes (`suite/probe`) selected, as `RunSelection.apply` counts
/// them. A probe id seen before is always admitted again.
private struct ProbeLimit {
    let limit: Int?
    var admitted = Set<String>()

    init(_ limit: Int?) { self.limit = limit }

    mutating func admits(_ id: String) -> Bool {
        guard let limit else { return true }
        if admitted.contains(id) { return true }
        guard admitted.count < limit else { return false }
        admitted.insert(id)
        return true
    }
}
