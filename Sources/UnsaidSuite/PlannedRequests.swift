import Foundation

/// The requests a run sends, in plan order, as a collection that builds each `WorkItem` when it is
/// read instead of holding them all.
///
/// A materialised plan held a copy of the probe, its key (with the 64-character probe hash as a
/// string) and its parameters for every request: about 700 bytes a request, 70 MB at 100,000.
/// This one holds, per request, where it comes from (suite, probe, sample, mode: 16 bytes), and
/// per probe its hash as 32 bytes; the probes themselves stay packed in the suites they were
/// loaded into (`ProbeTable`), and a `Probe` is built only for the item read. The items, their order and their keys are exactly those of `RunPlan.items` under
/// `RunSelection.apply` with the overrides applied (the tests compare the two).
///
/// Narrowing it (a shard's part, what a resume has left) keeps the same compact form.
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

    private let suites: [Suite]
    /// Per suite, per probe: the probe's content hash.
    private let hashes: [[ProbeHash]]
    /// The command line's and the target's parameters, which win over each probe's own.
    private let overrides: GenerationParameters
    private var positions: [Position]

    /// Plans `suites` as `RunPlan.items(for:streamMode:)` does, keeps what `selection` selects
    /// (as `RunSelection.apply`), and gives every item `overrides` over its own parameters.
    ///
    /// Throws `ProbeHashError` when a probe's content hash cannot be computed (any probe, selected
    /// or not, as a materialised plan does).
    package init(
        suites: [Suite], streamMode: StreamMode?, selection: RunSelection = RunSelection(),
        overrides: GenerationParameters = GenerationParameters()
    ) throws {
        var hashes: [[ProbeHash]] = []
        hashes.reserveCapacity(suites.count)
        var positions: [Position] = []
        var limit = ProbeLimit(selection.limit)
        for (suiteIndex, suite) in suites.enumerated() {
            var suiteHashes: [ProbeHash] = []
            suiteHashes.reserveCapacity(suite.probes.count)
            // Each probe is read out of its table once here, and once more when its request is built.
            for (probeIndex, probe) in suite.probes.enumerated() {
                suiteHashes.append(ProbeHash(try probe.contentHash))
                guard selection.isEmpty || selection.selects(probe, suite: suite.id),
                    limit.admits("\(suite.id)/\(probe.id)")
                else { continue }
                let modes: [Bool]
                switch streamMode ?? probe.stream {
                case .on: modes = [true]
                case .off: modes = [false]
                case .both: modes = [true, false]
                }
                for sample in 0..<Swift.max(1, probe.repeatCount) {
                    for streamed in modes {
                        positions.append(
                            Position(
                                suite: UInt32(suiteIndex), probe: UInt32(probeIndex), sample: sample,
                                streamed: streamed))
                    }
                }
            }
            hashes.append(suiteHashes)
        }
        self.suites = suites
        self.hashes = hashes
        self.overrides = overrides
        self.positions = positions
    }

    package var startIndex: Int { positions.startIndex }
    package var endIndex: Int { positions.endIndex }

    package subscript(index: Int) -> WorkItem {
        let position = positions[index]
        let suite = suites[Int(position.suite)]
        let probe = suite.probes[Int(position.probe)]
        var parameters = probe.parameters
        // As `RunPlan.items`: distinct samples need distinct seeds.
        if let seed = parameters.seed { parameters.seed = seed + position.sample }
        return WorkItem(
            key: key(position), probe: probe, parameters: overrides.overriding(parameters))
    }

    /// Whether some requests are sent streamed and some not. Only then can a run hold a streamed
    /// and a non-streamed answer to one sample (a follow-up turn keeps its request's mode), so
    /// only then does the end of a new run need its cross-mode index.
    package var mixesModes: Bool {
        positions.contains { $0.streamed } && positions.contains { !$0.streamed }
    }

    /// The key of each request, in plan order, without building the items.
    package var keys: some Sequence<WorkKey> { positions.lazy.map(key) }

    /// The requests whose key `isIncluded` accepts, in plan order (a shard's part, what a resume
    /// has left to send).
    package func filter(keys isIncluded: (WorkKey) throws -> Bool) rethrows -> PlannedRequests {
        var narrowed = self
        narrowed.positions = try positions.filter { try isIncluded(key($0)) }
        return narrowed
    }

    private func key(_ position: Position) -> WorkKey {
        let suite = suites[Int(position.suite)]
        return WorkKey(
            suite: suite.id, probe: suite.probes.id(at: Int(position.probe)),
            probeHash: hashes[Int(position.suite)][Int(position.probe)].text, sample: position.sample,
            streamed: position.streamed)
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

/// A probe's content hash in 32 bytes instead of a 64-character string (about 110 bytes on the
/// heap), for a plan that holds one per probe. Any other text is kept as it is.
struct ProbeHash: Sendable {
    private enum Storage: Sendable {
        case digest(UInt64, UInt64, UInt64, UInt64)
        case text(String)
    }
    private let storage: Storage
    private static let digits = Array("0123456789abcdef".utf8)

    init(_ text: String) {
        storage = Self.words(ofLowercaseHex: text).map { .digest($0[0], $0[1], $0[2], $0[3]) } ?? .text(text)
    }

    /// The hash as `Probe.contentHash` spelled it.
    var text: String {
        switch storage {
        case .text(let text):
            return text
        case .digest(let a, let b, let c, let d):
            let digits = Self.digits
            return String(unsafeUninitializedCapacity: 64) { buffer in
                var offset = 0
                for word in [a, b, c, d] {
                    for shift in stride(from: 60, through: 0, by: -4) {
                        buffer[offset] = digits[Int((word >> UInt64(shift)) & 0xF)]
                        offset += 1
                    }
                }
                return 64
            }
        }
    }

    /// Four big-endian words of a 64-digit lower-case hex text; nil for anything else, so that
    /// `text` gives back exactly what was stored.
    private static func words(ofLowercaseHex text: String) -> [UInt64]? {
        let bytes = Array(text.utf8)
        guard bytes.count == 64 else { return nil }
        var words: [UInt64] = []
        var word: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            word = word << 4 | UInt64(value)
            if index % 16 == 15 {
                words.append(word)
                word = 0
            }
        }
        return words
    }
}
