import Foundation

/// A suite's probes held compactly: every probe's fields packed one after another in one byte
/// store, a `Probe` built only when one is read.
///
/// An array of `Probe` values costs about 455 bytes a probe for a one-line prompt (the struct,
/// its arrays and every string on the heap of its own): 45 MB for a 100,000-probe suite held for
/// the whole run. Packed, the same probe is its text plus about 20 bytes, and 8 bytes of index.
/// A run reads each probe when it plans the run (hash, selection) and again when its request is
/// built, so decoding is cheap next to sending.
///
/// Reads give back exactly what was appended (`==` on `Probe`, and doubles bit for bit, NaN
/// included); the tests compare the two over the bundled suites and generated probes.
package struct ProbeTable: RandomAccessCollection, Sendable {
    /// The packed bytes, in chunks of about `chunkSize` bytes. One growing array was copied to
    /// twice its size each time it filled, and the copy and the old array were alive together:
    /// loading 100,000 one-line probes (9 MB of bytes) briefly held 8 MB more. A full chunk is
    /// left as it is and the next one started, so nothing is copied; only a probe larger than a
    /// chunk gets a chunk of its own size. A probe never straddles two chunks.
    private var chunks: [[UInt8]] = []
    /// Where each chunk starts in the bytes of all chunks one after another.
    private var chunkStarts: [Int] = []
    /// Where each probe's bytes end, counted over all chunks (its start is where the one before
    /// it ends).
    private var ends: [Int] = []
    private let chunkSize: Int
    /// One probe's bytes while it is written, kept between appends so it is allocated once.
    private var scratch: [UInt8] = []

    package init() { self.init(chunkSize: 1 << 20) }

    /// `chunkSize` is for the tests, which cross chunk boundaries with a few probes.
    package init(chunkSize: Int) {
        self.chunkSize = Swift.max(1, chunkSize)
    }

    package init(_ probes: some Sequence<Probe>) {
        self.init()
        for probe in probes { append(probe) }
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { ends.count }

    package subscript(index: Int) -> Probe {
        var reader = ProbeReader(bytes(of: index))
        return reader.probe()
    }

    /// The id of probe `index` without building the rest of it (a plan's keys need only ids).
    package func id(at index: Int) -> String {
        var reader = ProbeReader(bytes(of: index))
        return reader.string()
    }

    package mutating func append(_ probe: Probe) {
        scratch.removeAll(keepingCapacity: true)
        ProbeWriter.write(probe, to: &scratch)
        appendPacked(scratch[...])
    }

    /// The probes `isIncluded` accepts, still packed.
    package func filtered(_ isIncluded: (Probe) throws -> Bool) rethrows -> ProbeTable {
        var kept = ProbeTable(chunkSize: chunkSize)
        for index in indices where try isIncluded(self[index]) {
            kept.appendPacked(bytes(of: index))
        }
        return kept
    }

    /// One probe's packed bytes, into the last chunk if they fit there, else into a new one.
    private mutating func appendPacked(_ packed: ArraySlice<UInt8>) {
        let total = ends.last ?? 0
        if let last = chunks.last, last.isEmpty || last.count + packed.count <= chunkSize {
            chunks[chunks.count - 1].append(contentsOf: packed)
        } else {
            var chunk: [UInt8] = []
            // The first chunk grows as arrays do, so a small table stays small; later ones are
            // reserved whole (pages not yet written cost nothing).
            if !chunks.isEmpty { chunk.reserveCapacity(Swift.max(chunkSize, packed.count)) }
            chunk.append(contentsOf: packed)
            chunks.append(chunk)
            chunkStarts.append(total)
        }
        ends.append(total + packed.count)
    }

    private func bytes(of index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? 0 : ends[index - 1]
        // The last chunk starting at or before `start`: chunks are few, a binary search is cheap.
        var low = 0
        var high = chunkStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if chunkStarts[middle] <= start { low = middle } else { high = middle - 1 }
        }
        let base = chunkStarts[low]
        return chunks[low][(start - base)..<(ends[index] - base)]
    }
}

extension ProbeTable: Equatable {
    /// Probe by probe, as `[Probe]` compares.
    package static func == (lhs: ProbeTable, rhs: ProbeTable) -> Bool { lhs.elementsEqual(rhs) }
}

extension ProbeTable: ExpressibleByArrayLiteral {
    package init(arrayLiteral probes: Probe...) { self.init(probes) }
}

extension ProbeTable: Codable {
    /// Encoded as the array of probes it holds, as `Suite.probes` always was.
    package init(from decoder: Decoder) throws {
        self.init(try [Probe](from: decoder))
    }

    package func encode(to encoder: Encoder) throws {
        try Array(self).encode(to: encoder)
    }
}

/// Packs a probe's fields in a fixed order: the id first (so it can be read alone), then every
/// other field; integers as zigzag LEB128, strings as length then UTF-8, optionals as a 0/1 byte
/// then the value, enums as their index in `allCases`, doubles as their 8-byte bit pattern.
private enum ProbeWriter {
    static func write(_ probe: Probe, to bytes: inout [UInt8]) {
        string(probe.id, &bytes)
        integer(probe.messages.count, &bytes)
        for message in probe.messages {
            string(message.role, &bytes)
            string(message.content, &bytes)
        }
        string(probe.language, &bytes)
        optional(probe.topic, &bytes, string)
        strings(probe.tags, &bytes)
        enumeration(probe.category, &bytes)
        enumeration(probe.expect, &bytes)
        enumeration(probe.stream, &bytes)
        integer(probe.repeatCount, &bytes)
        optional(probe.group, &bytes, string)
        optional(probe.variant, &bytes, string)
        optional(probe.parameters.temperature, &bytes, double)
        optional(probe.parameters.topP, &bytes, double)
        optional(probe.parameters.maxTokens, &bytes, integer)
        optional(probe.parameters.seed, &bytes, integer)
        optional(probe.terms, &bytes, strings)
        optional(probe.transform, &bytes) { transform, bytes in
            string(transform.name, &bytes)
            integer(transform.version, &bytes)
            optional(transform.argument, &bytes, string)
            string(transform.source, &bytes)
        }
        optional(probe.followUps, &bytes) { turns, bytes in
            integer(turns.count, &bytes)
            for turn in turns {
                string(turn.text, &bytes)
                strings(turn.on, &bytes)
                enumeration(turn.answer, &bytes)
            }
        }
        optional(probe.turn, &bytes) { link, bytes in
            integer(link.turn, &bytes)
            string(link.root, &bytes)
            string(link.parent, &bytes)
            string(link.parentHash, &bytes)
        }
    }

    private static func integer(_ value: Int, _ bytes: inout [UInt8]) {
        // Zigzag, so a small negative number stays short too.
        var rest = UInt64(bitPattern: Int64(value) << 1 ^ Int64(value) >> 63)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private static func double(_ value: Double, _ bytes: inout [UInt8]) {
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 64, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    private static func string(_ value: String, _ bytes: inout [UInt8]) {
        integer(value.utf8.count, &bytes)
        bytes.append(contentsOf: value.utf8)
    }

    private static func strings(_ values: [String], _ bytes: inout [UInt8]) {
        integer(values.count, &bytes)
        for value in values { string(value, &bytes) }
    }

    private static func enumeration<T: CaseIterable & Equatable>(_ value: T, _ bytes: inout [UInt8])
    where T.AllCases == [T] {
        bytes.append(UInt8(truncatingIfNeeded: T.allCases.firstIndex(of: value) ?? 0))
    }

    private static func optional<T>(
        _ value: T?, _ bytes: inout [UInt8], _ write: (T, inout [UInt8]) -> Void
    ) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        write(value, &bytes)
    }
}

/// Reads what `ProbeWriter` wrote, in the same order. The bytes are only ever the writer's, so a
/// read never fails; past the end it reads zeros rather than trapping.
private struct ProbeReader {
    private let bytes: ArraySlice<UInt8>
    private var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    mutating func probe() -> Probe {
        let id = string()
        let messages = (0..<count()).map { _ in ChatMessage(role: string(), content: string()) }
        let language = string()
        let topic = present() ? string() : nil
        let tags = strings()
        let category: ProbeCategory = enumeration()
        let expect: Expectation = enumeration()
        let stream: StreamMode = enumeration()
        let repeatCount = integer()
        let group = present() ? string() : nil
        let variant = present() ? string() : nil
        let temperature = present() ? double() : nil
        let topP = present() ? double() : nil
        let maxTokens = present() ? integer() : nil
        let seed = present() ? integer() : nil
        let terms = present() ? strings() : nil
        var transform: AppliedTransform?
        if present() {
            let name = string()
            let version = integer()
            let argument = present() ? string() : nil
            transform = AppliedTransform(name: name, version: version, argument: argument, source: string())
        }
        var followUps: [FollowUpTurn]?
        if present() {
            followUps = (0..<count()).map { _ in
                let text = string()
                let on = strings()
                return FollowUpTurn(text: text, on: on, answer: enumeration())
            }
        }
        var turn: TurnLink?
        if present() {
            let number = integer()
            let root = string()
            let parent = string()
            turn = TurnLink(turn: number, root: root, parent: parent, parentHash: string())
        }
        let parameters = GenerationParameters(temperature: temperature, topP: topP, maxTokens: maxTokens, seed: seed)
        return Probe(
            id: id, messages: messages, language: language, topic: topic, tags: tags, category: category,
            expect: expect, stream: stream, repeatCount: repeatCount, group: group, variant: variant,
            parameters: parameters, terms: terms, transform: transform, followUps: followUps, turn: turn)
    }

    private mutating func byte() -> UInt8 {
        guard offset < bytes.endIndex else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func integer() -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            let next = byte()
            value |= UInt64(next & 0x7F) << shift
            if next < 0x80 { break }
            shift += 7
        }
        return Int(truncatingIfNeeded: Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1))
    }

    /// A count of elements: never negative, never more than the bytes left could hold.
    private mutating func count() -> Int {
        Swift.min(Swift.max(0, integer()), bytes.endIndex - offset)
    }

    private mutating func double() -> Double {
        var bits: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) {
            bits |= UInt64(byte()) << UInt64(shift)
        }
        return Double(bitPattern: bits)
    }

    mutating func string() -> String {
        let length = count()
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }

    private mutating func strings() -> [String] {
        (0..<count()).map { _ in string() }
    }

    private mutating func enumeration<T: CaseIterable>() -> T where T.AllCases == [T] {
        let cases = T.allCases
        let index = Int(byte())
        // `cases` is never empty for the enums stored here; the fallback only keeps this total.
        return index < cases.count ? cases[index] : cases[cases.startIndex]
    }

    /// Whether an optional value follows.
    private mutating func present() -> Bool { byte() == 1 }
}
