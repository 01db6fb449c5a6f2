import Testing
@testable import UnsaidSuite

@Suite("Run plan expansion")
struct RunPlanTests {
    private func suite(_ probes: [Probe]) -> Suite { Suite(id: "s", name: "s", probes: probes) }

    @Test func bothModesAndRepeatsExpandInStableOrderWithDistinctSeeds() {
        let probe = Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")], stream: .both,
                          repeatCount: 2, parameters: GenerationParameters(seed: 10))
        let items = RunPlan.items(for: suite([probe]))
        #expect(items.map(\.key.description) == ["s/p#0@stream", "s/p#0@json", "s/p#1@stream", "s/p#1@json"])
        #expect(items.map(\.parameters.seed) == [10, 10, 11, 11])
    }

    @Test func streamOverrideForcesOneMode() {
        let probe = Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")], stream: .both)
        #expect(RunPlan.items(for: suite([probe]), streamOverride: false).map(\.key.streamed) == [false])
    }

    @Test func probeHashIgnoresMetadataButNotWording() {
        let a = Probe(id: "a", messages: [ChatMessage(role: "user", content: "q")], topic: "x")
        let b = Probe(id: "b", messages: [ChatMessage(role: "user", content: "q")], topic: "y")
        let c = Probe(id: "a", messages: [ChatMessage(role: "user", content: "q?")])
        #expect(a.contentHash == b.contentHash)
        #expect(a.contentHash != c.contentHash)
        #expect(a.contentHash.count == 64)
    }
}
