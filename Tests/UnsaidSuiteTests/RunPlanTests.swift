import Testing
@testable import UnsaidSuite

@Suite("Run plan expansion")
struct RunPlanTests {
    private func suite(_ probes: [Probe]) -> Suite { Suite(id: "s", name: "s", probes: probes) }

    @Test func bothModesAndRepeatsExpandInStableOrderWithDistinctSeeds() throws {
        let probe = Probe(
            id: "p", messages: [ChatMessage(role: "user", content: "q")], stream: .both,
            repeatCount: 2, parameters: GenerationParameters(seed: 10))
        let items = try RunPlan.items(for: suite([probe]))
        #expect(items.map(\.key.description) == ["s/p#0@stream", "s/p#0@json", "s/p#1@stream", "s/p#1@json"])
        #expect(items.map(\.parameters.seed) == [10, 10, 11, 11])
    }

    @Test func streamOverrideForcesOneMode() throws {
        let probe = Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")], stream: .both)
        #expect(try RunPlan.items(for: suite([probe]), streamOverride: false).map(\.key.streamed) == [false])
    }

    @Test func probeHashIgnoresMetadataButNotWording() throws {
        let a = Probe(id: "a", messages: [ChatMessage(role: "user", content: "q")], topic: "x")
        let b = Probe(id: "b", messages: [ChatMessage(role: "user", content: "q")], topic: "y")
        let c = Probe(id: "a", messages: [ChatMessage(role: "user", content: "q?")])
        #expect(try a.contentHash == b.contentHash)
        #expect(try a.contentHash != c.contentHash)
        #expect(try a.contentHash.count == 64)
    }

    /// A hash input that cannot be written as canonical JSON is an error naming the probe and the
    /// field, never the hash of nothing (which every such probe would share).
    @Test func aProbeWhoseContentCannotBeHashedIsAnError() throws {
        let bad = Probe(
            id: "hot", messages: [ChatMessage(role: "user", content: "q")],
            parameters: GenerationParameters(temperature: .nan))
        let worse = Probe(
            id: "hotter", messages: [ChatMessage(role: "user", content: "q")],
            parameters: GenerationParameters(temperature: .infinity))
        #expect {
            try bad.contentHash
        } throws: { error in
            (error as? ProbeHashError)?.description
                == "probe hot: its content hash cannot be computed: nan at parameters.temperature is not a finite number; canonical JSON (RFC 8785) cannot carry it"
        }
        #expect(throws: ProbeHashError.self) { try worse.contentHash }
        #expect(throws: ProbeHashError.self) { try RunPlan.items(for: suite([bad])) }
    }
}
