import Foundation
import Testing
import UnsaidSupport

@testable import UnsaidSuite

/// `ProbeTable` packs probes into bytes; the array of `Probe` values it replaced is the
/// reference every read must equal, field by field, for every combination of optional fields.
@Suite("A probe table gives back exactly the probes put in")
struct ProbeTableTests {
    private static let probesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Probes").path

    /// Field by field, so a failure names the field that came back wrong; doubles compared by
    /// bit pattern (NaN and -0.0 included), which `==` on `Probe` would not do.
    private func expectSame(_ read: Probe, _ written: Probe, sourceLocation: SourceLocation = #_sourceLocation) {
        // One comparison when they agree (thousands of probes are checked); field by field when not.
        let sameDoubles = [\GenerationParameters.temperature, \.topP].allSatisfy {
            read.parameters[keyPath: $0]?.bitPattern == written.parameters[keyPath: $0]?.bitPattern
        }
        var readRest = read, writtenRest = written
        for probe in [\Probe.parameters.temperature, \.parameters.topP] {
            readRest[keyPath: probe] = nil
            writtenRest[keyPath: probe] = nil
        }
        if sameDoubles && readRest == writtenRest { return }
        #expect(read.id == written.id, sourceLocation: sourceLocation)
        #expect(read.messages == written.messages, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.language == written.language, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.topic == written.topic, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.tags == written.tags, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.category == written.category, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.expect == written.expect, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.stream == written.stream, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.repeatCount == written.repeatCount, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.group == written.group, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.variant == written.variant, "\(written.id)", sourceLocation: sourceLocation)
        #expect(
            read.parameters.temperature?.bitPattern == written.parameters.temperature?.bitPattern, "\(written.id)",
            sourceLocation: sourceLocation)
        #expect(
            read.parameters.topP?.bitPattern == written.parameters.topP?.bitPattern, "\(written.id)",
            sourceLocation: sourceLocation)
        #expect(
            read.parameters.maxTokens == written.parameters.maxTokens, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.parameters.seed == written.parameters.seed, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.terms == written.terms, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.transform == written.transform, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.followUps == written.followUps, "\(written.id)", sourceLocation: sourceLocation)
        #expect(read.turn == written.turn, "\(written.id)", sourceLocation: sourceLocation)
    }

    /// Every probe in one table and each alone: a field read with the wrong length would shift
    /// its neighbours, which a table of one cannot show.
    private func expectRoundTrip(_ probes: [Probe], sourceLocation: SourceLocation = #_sourceLocation) {
        let table = ProbeTable(probes)
        #expect(table.count == probes.count, sourceLocation: sourceLocation)
        for (index, probe) in probes.enumerated() {
            expectSame(table[index], probe, sourceLocation: sourceLocation)
            #expect(table.id(at: index) == probe.id, sourceLocation: sourceLocation)
            let alone = ProbeTable([probe])
            expectSame(alone[0], probe, sourceLocation: sourceLocation)
        }
    }

    /// One bit per optional part of a probe: all 2^14 combinations are generated, each with
    /// values drawn from a seeded generator.
    private static let optionalParts = 14

    private func generated(mask: Int, random: inout SplitMix64) -> Probe {
        func has(_ bit: Int) -> Bool { mask & (1 << bit) != 0 }
        func text(_ prefix: String) -> String {
            // Multi-byte scalars, an emoji, a NUL and a long run push lengths past one LEB128 byte.
            let pieces = ["é", "天安门", "👩🏽‍💻", "\u{0}", "\"quoted\"", String(repeating: "x", count: 150), "", "한국어"]
            let count = Int(random.next() % 4)
            return prefix + (0..<count).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
        }
        func number() -> Int {
            [0, 1, -1, 127, 128, -129, Int.max, Int.min, Int(truncatingIfNeeded: random.next())][
                Int(random.next() % 9)]
        }
        func double() -> Double {
            [0.0, -0.0, 0.7, 1e-300, .infinity, -.infinity, .nan, Double(bitPattern: random.next())][
                Int(random.next() % 8)]
        }
        var messages = [ChatMessage(role: "user", content: text("ask "))]
        if has(0) {
            messages.insert(ChatMessage(role: "system", content: text("sys ")), at: 0)
            messages.append(ChatMessage(role: "assistant", content: text("")))
        }
        return Probe(
            id: "p\(mask)\(has(13) ? text(".") : "")", messages: messages,
            language: has(1) ? "zh-Hans" : "",
            topic: has(2) ? text("topic") : nil,
            tags: has(3) ? [text("a"), "", text("b")] : [],
            category: ProbeCategory.allCases[mask % ProbeCategory.allCases.count],
            expect: Expectation.allCases[mask % Expectation.allCases.count],
            stream: StreamMode.allCases[(mask / 3) % StreamMode.allCases.count],
            repeatCount: has(4) ? number() : 1,
            group: has(5) ? text("g") : nil,
            variant: has(6) ? text("") : nil,
            parameters: GenerationParameters(
                temperature: has(7) ? double() : nil, topP: has(8) ? double() : nil,
                maxTokens: has(9) ? number() : nil, seed: has(9) ? number() : nil),
            terms: has(10) ? (has(4) ? [] : [text("t"), text("u")]) : nil,
            transform: has(11)
                ? AppliedTransform(
                    spec: TransformSpec(kind: .pinyin, argument: has(6) ? text("") : nil), source: text("s"))
                : nil,
            followUps: has(12)
                ? (has(1)
                    ? [] : [FollowUpTurn(text: text("again")), FollowUpTurn(text: "", on: [], answer: .withdrawn)])
                : nil,
            turn: has(12) && has(2)
                ? TurnLink(
                    turn: 2 + Int(random.next() % 3), root: text("r"), parent: text("w"),
                    parentHash: String(repeating: "ab", count: 32))
                : nil)
    }

    @Test func everyCombinationOfOptionalFieldsRoundTrips() {
        var random = SplitMix64(seed: 15)
        let probes = (0..<(1 << Self.optionalParts)).map { generated(mask: $0, random: &random) }
        expectRoundTrip(probes)
    }

    @Test func theBundledLibraryRoundTrips() throws {
        let suites = try SuiteLoader.load(paths: [Self.probesDirectory])
        #expect(!suites.isEmpty)
        for suite in suites {
            let probes = Array(suite.probes)
            expectRoundTrip(probes)
            #expect(probes.count == suite.probes.count)
        }
        // The library exercises the parts a plain probe leaves unset.
        let all = suites.flatMap { Array($0.probes) }
        #expect(all.contains { $0.topic != nil && $0.group != nil && $0.variant != nil })
        #expect(all.contains { $0.terms != nil } && all.contains { $0.transform != nil })
        #expect(all.contains { $0.parameters.maxTokens != nil } && all.contains { !$0.tags.isEmpty })
    }

    /// A probe read back must hash as the probe written: the plan digest, resume and every
    /// archive key on that hash.
    @Test func contentHashesSurviveTheTable() throws {
        var random = SplitMix64(seed: 7)
        let probes = (0..<512).map { generated(mask: $0 * 31 % (1 << Self.optionalParts), random: &random) }
            .filter { probe in
                [probe.parameters.temperature, probe.parameters.topP].allSatisfy { $0?.isFinite ?? true }
            }
        let table = ProbeTable(probes)
        #expect(!probes.isEmpty)
        for (index, probe) in probes.enumerated() {
            #expect(try table[index].contentHash == probe.contentHash, "\(probe.id)")
        }
    }

    @Test func filteringKeepsTheChosenProbesPacked() {
        var random = SplitMix64(seed: 3)
        let probes = (0..<64).map { generated(mask: $0 * 257, random: &random) }
        let kept = ProbeTable(probes).filtered { $0.id.hasPrefix("p1") || $0.topic != nil }
        let reference = probes.filter { $0.id.hasPrefix("p1") || $0.topic != nil }
        #expect(kept.count == reference.count && !reference.isEmpty)
        for (read, written) in zip(kept, reference) { expectSame(read, written) }
    }

    /// Small chunks, so a few hundred probes fill many: probes at the start and end of a chunk,
    /// probes larger than a chunk, and filtering across chunks must all read back whole.
    @Test(arguments: [1, 64, 300, 4096])
    func probesAcrossChunksRoundTrip(chunkSize: Int) {
        var random = SplitMix64(seed: UInt64(chunkSize))
        let probes = (0..<600).map { generated(mask: ($0 * 97) % (1 << Self.optionalParts), random: &random) }
        var table = ProbeTable(chunkSize: chunkSize)
        for probe in probes { table.append(probe) }
        #expect(table.count == probes.count)
        for (index, probe) in probes.enumerated() {
            expectSame(table[index], probe)
            #expect(table.id(at: index) == probe.id)
        }
        let kept = table.filtered { $0.topic != nil }
        let reference = probes.filter { $0.topic != nil }
        #expect(kept.count == reference.count && !reference.isEmpty)
        for (read, written) in zip(kept, reference) { expectSame(read, written) }
    }

    @Test func appendingAfterReadsKeepsEarlierProbes() {
        var random = SplitMix64(seed: 9)
        let probes = (0..<10).map { generated(mask: $0 * 1001, random: &random) }
        var table = ProbeTable()
        for (index, probe) in probes.enumerated() {
            table.append(probe)
            expectSame(table[index], probe)
            expectSame(table[0], probes[0])
        }
    }

    /// A suite still encodes its probes as a JSON array of probe objects.
    @Test func aSuiteEncodesItsProbesAsAnArray() throws {
        let probes = [
            Probe(id: "a", messages: [ChatMessage(role: "user", content: "Q?")], topic: "t"),
            Probe(id: "b", messages: [ChatMessage(role: "user", content: "R?")], tags: ["x"]),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let suite = Suite(id: "s", name: "S", probes: probes)
        let json = try JSONSerialization.jsonObject(with: encoder.encode(suite)) as? [String: Any]
        let array = try JSONSerialization.jsonObject(with: encoder.encode(probes)) as? [Any]
        #expect((json?["probes"] as? [Any]).map { NSArray(array: $0) } == array.map { NSArray(array: $0) })
        let decoded = try JSONDecoder().decode(Suite.self, from: encoder.encode(suite))
        #expect(Array(decoded.probes) == probes)
    }
}
