import Foundation
import Testing
@testable import UnsaidSuite

/// `PlannedRequests` builds each request when it is read; the materialised plan
/// (`RunPlan.items`, then `RunSelection.apply`, then the overrides) is the reference it must
/// equal item for item, in the same order.
@Suite("Planned requests equal the materialised plan")
struct PlannedRequestsTests {
    /// The plan as runs built it before `PlannedRequests`: every item materialised.
    private func reference(
        _ suites: [Suite], streamMode: StreamMode?, selection: RunSelection,
        overrides: GenerationParameters = GenerationParameters()
    ) throws -> [WorkItem] {
        selection.apply(try RunPlan.items(for: suites, streamMode: streamMode)).map { item in
            var item = item
            item.parameters = overrides.overriding(item.parameters)
            return item
        }
    }

    private func probe(
        _ id: String, _ prompt: String, language: String = "en", tags: [String] = [],
        category: ProbeCategory = .censorship, stream: StreamMode = .on, repeatCount: Int = 1,
        group: String? = nil, variant: String? = nil, parameters: GenerationParameters = GenerationParameters()
    ) -> Probe {
        Probe(
            id: id, messages: [ChatMessage(role: "user", content: prompt)], language: language, tags: tags,
            category: category, stream: stream, repeatCount: repeatCount, group: group, variant: variant,
            parameters: parameters)
    }

    /// Two suites with repeats (seeded and not), per-probe modes, variants in several languages,
    /// and a probe id that occurs twice (which `--limit` counts once).
    private var suites: [Suite] {
        [
            Suite(
                id: "alpha", name: "alpha",
                probes: [
                    probe("a1", "Question one?", tags: ["x"], stream: .both, repeatCount: 3),
                    probe(
                        "a2", "问题二？", language: "zh-Hans", tags: ["y"], category: .safety, stream: .off,
                        repeatCount: 2, group: "g", variant: "zh-Hans", parameters: GenerationParameters(seed: 7)),
                    probe("a2.ko", "질문 둘?", language: "ko", tags: ["x", "y"], group: "g", variant: "ko"),
                    probe("a3", "Question three?", category: .control, stream: .both),
                    probe("a1", "Question one again?", tags: ["x"], stream: .off),
                ]),
            Suite(
                id: "beta", name: "beta",
                probes: [
                    probe(
                        "b1", "Another question?", language: "zh-Hant", stream: .both, repeatCount: 2,
                        parameters: GenerationParameters(temperature: 0.5, seed: 100)),
                    probe("b2", "Last question?", tags: ["y"], category: .overRefusal),
                ]),
        ]
    }

    private var selections: [RunSelection] {
        [
            RunSelection(),
            RunSelection(tags: ["x"]),
            RunSelection(tags: ["y"], limit: 2),
            RunSelection(categories: [.censorship, .safety]),
            RunSelection(languages: ["zh"]),
            RunSelection(filters: ["beta/*", "a2*"]),
            RunSelection(limit: 1),
            RunSelection(limit: 3),
            RunSelection(tags: ["x"], limit: 2),
            RunSelection(languages: ["none"]),
        ]
    }

    @Test(arguments: [nil, StreamMode.on, .off, .both])
    func everySelectionPlansTheSameItemsInTheSameOrder(streamMode: StreamMode?) throws {
        let overrideSets = [GenerationParameters(), GenerationParameters(temperature: 0, seed: 1)]
        for selection in selections {
            for overrides in overrideSets {
                let planned = try PlannedRequests(
                    suites: suites, streamMode: streamMode, selection: selection, overrides: overrides)
                let expected = try reference(
                    suites, streamMode: streamMode, selection: selection, overrides: overrides)
                #expect(Array(planned) == expected, "selection \(selection), overrides \(overrides)")
                #expect(Array(planned.keys) == expected.map(\.key))
                #expect(planned.count == expected.count)
            }
        }
    }

    /// A plan mixes modes exactly when its materialised items hold both a streamed and a
    /// non-streamed request (the end of a run skips its cross-mode index otherwise).
    @Test(arguments: [nil, StreamMode.on, .off, .both])
    func mixesModesAsTheItemsDo(streamMode: StreamMode?) throws {
        var answers: [Bool] = []
        for selection in selections {
            let planned = try PlannedRequests(suites: suites, streamMode: streamMode, selection: selection)
            let items = try reference(suites, streamMode: streamMode, selection: selection)
            let expected = items.contains { $0.key.streamed } && items.contains { !$0.key.streamed }
            #expect(planned.mixesModes == expected, "selection \(selection)")
            answers.append(expected)
        }
        // The selections give both answers where the plan can (per-probe modes, no override).
        if streamMode == nil { #expect(answers.contains(true) && answers.contains(false)) }
        if streamMode == .both { #expect(answers.contains(true)) }
    }

    /// The case the reference test above must not pass by accident: a plan that is not empty,
    /// has both modes, distinct seeds and a limit that cuts.
    @Test func theComparedPlansAreNotTrivial() throws {
        let planned = try PlannedRequests(
            suites: suites, streamMode: nil, selection: RunSelection(tags: ["x"], limit: 2))
        #expect(
            planned.map(\.key.description) == [
                "alpha/a1#0@stream", "alpha/a1#0@json", "alpha/a1#1@stream", "alpha/a1#1@json",
                "alpha/a1#2@stream", "alpha/a1#2@json", "alpha/a2.ko#0@stream", "alpha/a1#0@json",
            ])
        let seeded = try PlannedRequests(suites: suites, streamMode: nil, selection: RunSelection(filters: ["b1"]))
        #expect(seeded.map(\.parameters.seed) == [100, 100, 101, 101])
    }

    @Test func theBundledLibraryWithTransformsPlansAsTheReference() throws {
        let probes = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Probes").path
        let suites = try TransformExpansion.expand(
            try SuiteLoader.load(paths: [probes]),
            with: [try TransformSpec.parse("pinyin"), try TransformSpec.parse("base64")])
        for selection in [RunSelection(), RunSelection(languages: ["zh"], limit: 40)] {
            let planned = try PlannedRequests(suites: suites, streamMode: nil, selection: selection)
            let expected = try reference(suites, streamMode: nil, selection: selection)
            #expect(expected.count >= 40)
            #expect(Array(planned) == expected)
        }
    }

    /// A shard's part and a resume's remainder narrow the plan; the result is what filtering the
    /// materialised plan gives.
    @Test func narrowingKeepsPlanOrder() throws {
        let planned = try PlannedRequests(suites: suites, streamMode: nil)
        let whole = try reference(suites, streamMode: nil, selection: RunSelection())
        for count in [1, 2, 3] {
            for index in 1...count {
                let shard = try #require(Shard(index: index, count: count))
                #expect(Array(planned.filter(keys: shard.contains)) == shard.slice(whole))
            }
        }
        let done = Set(whole.prefix(5).map(\.key))
        #expect(Array(planned.filter(keys: { !done.contains($0) })) == Array(whole.dropFirst(5)))
        #expect(PlanDigest.digest(planned.keys) == PlanDigest.digest(whole.map(\.key)))
    }

    @Test func aProbeThatCannotBeHashedIsAnErrorEvenWhenNotSelected() throws {
        var suites = suites
        suites[1].probes.append(probe("hot", "q", parameters: GenerationParameters(temperature: .nan)))
        #expect(throws: ProbeHashError.self) {
            try PlannedRequests(suites: suites, streamMode: nil, selection: RunSelection(filters: ["a1"]))
        }
    }

    /// A suite of many probes sent alike is held as one run, whatever its size: a plan that
    /// kept something per request or per probe (it once kept 16 bytes a request and 40 a probe,
    /// 5.6 MB of a 100,000-probe run) would hold as many entries as requests.
    @Test(arguments: [(StreamMode.on, 1), (.both, 3)])
    func aPlainSuiteIsHeldAsOneRun(streamMode: StreamMode, repeatCount: Int) throws {
        var probes = ProbeTable()
        for index in 0..<5_000 {
            probes.append(probe("p\(index)", "Question \(index)?", stream: streamMode, repeatCount: repeatCount))
        }
        let suites = [Suite(id: "big", name: "big", probes: probes)]
        let planned = try PlannedRequests(suites: suites, streamMode: nil)
        let expected = try reference(suites, streamMode: nil, selection: RunSelection())
        #expect(planned.heldEntries == 1)
        #expect(planned.count == 5_000 * repeatCount * (streamMode == .both ? 2 : 1))
        #expect(Array(planned) == expected)
        #expect(Array(planned.keys) == expected.map(\.key))
    }

    /// Where runs would be larger than a list (every other probe selected, one request each), the
    /// plan lists its requests; where they are smaller (runs of many probes), it keeps runs; both
    /// give the reference's items.
    @Test func scatteredRequestsAreListedAndStillPlanAsTheReference() throws {
        var probes = ProbeTable()
        for index in 0..<400 {
            // Runs of ten alike, then the next ten in another mode.
            probes.append(
                probe(
                    "p\(index)", "Question \(index)?", tags: index % 2 == 0 ? ["even"] : [],
                    stream: index / 10 % 2 == 0 ? .on : .off))
        }
        let suites = [Suite(id: "mixed", name: "mixed", probes: probes)]
        let everyOther = try PlannedRequests(suites: suites, streamMode: nil, selection: RunSelection(tags: ["even"]))
        #expect(everyOther.heldEntries == 200)
        #expect(Array(everyOther) == (try reference(suites, streamMode: nil, selection: RunSelection(tags: ["even"]))))
        let all = try PlannedRequests(suites: suites, streamMode: nil)
        #expect(all.heldEntries == 40)
        #expect(all.mixesModes)
        #expect(Array(all) == (try reference(suites, streamMode: nil, selection: RunSelection())))
    }
}
