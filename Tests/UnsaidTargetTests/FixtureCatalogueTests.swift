import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidTranscript
import UnsaidVerdict
import UnsaidFixture
import UnsaidReplay
import UnsaidTarget

/// Every fixture replayed through the real client — ChatClient → libcurl → ReplayServer over
/// loopback, at full speed — and judged with the bundled ruleset. The verdict must match the
/// golden file byte for byte, and the golden must say what the fixture's metadata expects, so a
/// regenerated golden with a wrong verdict cannot slip through review.
@Suite(.timeLimit(.minutes(3))) struct FixtureCatalogueTests {
    static let names = FixtureCataloguePaths.names

    @Test func catalogueIsLargeAndEveryFixtureHasMetadataAndAGolden() throws {
        #expect(Self.names.count >= 25)
        for name in Self.names {
            let fixture = try Fixture.load(from: FixtureCataloguePaths.fixture(name))
            #expect(fixture.meta.name == name, "\(name): meta.name must match the file name")
            #expect(fixture.meta.expectedVerdict != nil, "\(name): no expectedVerdict")
            #expect(fixture.meta.expectedFlags != nil, "\(name): no expectedFlags")
            #expect(!fixture.meta.source.isEmpty && !fixture.meta.description.isEmpty, "\(name): describe the fixture")
            #expect(fixture.transcript.finalAttempt != nil, "\(name): nothing to replay")
            #expect(
                FileManager.default.fileExists(atPath: FixtureCataloguePaths.golden(name).path)
                    || FixtureCataloguePaths.updatingGoldens,
                "\(name): no golden verdict; run with UNSAID_UPDATE_GOLDEN=1 and review it")
        }
    }

    @Test func everyRequestHasItsOwnRecording() throws {
        let library = try ReplayLibrary.load(from: FixtureCataloguePaths.directory)
        #expect(library.fixtures.count == Self.names.count)
        var seen: [String: String] = [:]
        for fixture in library.fixtures {
            let hash = try fixture.requestKey.hash
            #expect(seen[hash] == nil, "\(fixture.meta.name) and \(seen[hash] ?? "") answer the same request")
            seen[hash] = fixture.meta.name
        }
    }

    @Test(arguments: names)
    func replayedVerdictMatchesGolden(_ name: String) async throws {
        let fixture = try Fixture.load(from: FixtureCataloguePaths.fixture(name))
        let transcript = try await Self.replay(fixture)
        let recorded = try #require(fixture.transcript.finalAttempt)
        let replayed = try #require(transcript.finalAttempt)

        // The server sent exactly what was recorded.
        #expect(replayed.status == recorded.status)
        #expect(replayed.chunks.joinedBytes == recorded.chunks.joinedBytes)
        #expect(replayed.response.content == recorded.response.content)

        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let verdict = engine.judge(transcript, probe: fixture.probe)
        let encoded = try CanonicalJSON.encodePretty(verdict)
        let goldenURL = FixtureCataloguePaths.golden(name)
        if FixtureCataloguePaths.updatingGoldens {
            try encoded.write(to: goldenURL, options: .atomic)
        }
        let golden = try Data(contentsOf: goldenURL)
        #expect(
            String(decoding: encoded, as: UTF8.self) == String(decoding: golden, as: UTF8.self),
            "\(name): verdict differs from the golden file")

        let goldenVerdict = try CanonicalJSON.decode(Verdict.self, from: golden)
        #expect(
            goldenVerdict.verdict == fixture.meta.expectedVerdict, "\(name): golden verdict is not meta.expectedVerdict"
        )
        #expect(
            Set(goldenVerdict.flags) == Set(fixture.meta.expectedFlags ?? []),
            "\(name): golden flags are not meta.expectedFlags")
        // The recorded transcript (no replay) must be judged the same way: replay changes nothing.
        #expect(engine.judge(fixture.transcript, probe: fixture.probe).verdict == verdict.verdict)
    }

    /// Sends the fixture's probe through the real client to a server holding only that fixture.
    static func replay(
        _ fixture: Fixture, headers: [String: String] = [:],
        timeouts: TargetTimeouts = TargetTimeouts(connect: 5, total: 60, stall: 10)
    ) async throws -> Transcript {
        let server = try await ReplayServer.start(library: try ReplayLibrary([fixture]), speed: .max)
        let chat = try client(for: fixture, baseURL: server.baseURL, headers: headers, timeouts: timeouts)
        let transcript = await chat.send(try workItem(for: fixture))
        try await server.shutdown()
        return transcript
    }

    static func client(
        for fixture: Fixture, baseURL: String, headers: [String: String] = [:],
        timeouts: TargetTimeouts = TargetTimeouts(connect: 5, total: 60, stall: 10),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 1),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { _ in }
    ) throws -> ChatClient {
        let model = try fixture.requestKey.fields["model"]?.stringValue ?? ""
        let config = TargetConfig(
            name: "replay", baseURL: baseURL, model: model, apiKeyEnv: "UNSAID_NO_KEY",
            headers: headers, timeouts: timeouts, retry: retry)
        return ChatClient(config: config, environment: [:], sleep: sleep)
    }

    /// The work item a run would build for the fixture's probe; its key must be the recorded one.
    static func workItem(for fixture: Fixture) throws -> WorkItem {
        let suite = Suite(id: fixture.transcript.key.suite, name: "Fixture catalogue", probes: [fixture.probe])
        let item = try #require(
            try RunPlan.items(for: suite).first { $0.key.streamed == fixture.transcript.key.streamed })
        #expect(item.key == fixture.transcript.key, "\(fixture.meta.name): the probe does not produce the recorded key")
        return item
    }
}
