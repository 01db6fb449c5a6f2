import Foundation
import Testing
import UnsaidSuite
import UnsaidTranscript
import UnsaidVerdict
import UnsaidFixture
import UnsaidReplay
import UnsaidTarget

/// Every fault the replay server can act out, driven through the real client (libcurl over
/// loopback) with small timeouts: the error class each one leaves in the transcript, whether and
/// how often it is retried, that `Retry-After` is honoured, and that nothing crashes or hangs.
/// Backoff waits go through the client's injectable sleep, so the test itself never sleeps;
/// stalls and timeouts are bounded by the client's own limits.
@Suite(.timeLimit(.minutes(2))) struct FaultMatrixTests {
    /// A streamed answer (40-odd events ending with finish_reason stop, a usage chunk and [DONE]).
    static let stream = "plain-answer-en-stream"
    /// A short non-streamed refusal.
    static let json = "plain-refusal-ko-json"

    /// The waits the client asked for between attempts.
    actor Sleeps {
        var durations: [Duration] = []
        func add(_ duration: Duration) { durations.append(duration) }
    }

    struct Outcome {
        var fixture: Fixture
        var transcript: Transcript
        var sleeps: [Duration]

        var final: Attempt { transcript.attempts[transcript.attempts.count - 1] }
        var recordedBytes: Data { fixture.transcript.finalAttempt?.chunks.joinedBytes ?? Data() }
        var receivedBytes: Data { final.chunks.joinedBytes }
        var verdict: VerdictLabel {
            (try? VerdictEngine(ruleset: Ruleset.bundled()).judge(transcript, probe: fixture.probe).verdict) ?? .error
        }
        var kinds: [FailureKind?] { transcript.attempts.map { $0.failure?.kind } }
        var statuses: [Int?] { transcript.attempts.map(\.status) }
    }

    static func run(
        _ name: String, fault: String?, attempts: Int = 3,
        // Generous by default: on a loaded 2-core machine the in-process server can be
        // seconds late, and only the stall and timeout cases should ever trip these.
        timeouts: TargetTimeouts = TargetTimeouts(connect: 10, total: 60, stall: 15),
        parameters: GenerationParameters = GenerationParameters()
    ) async throws -> Outcome {
        let fixture = try Fixture.load(from: FixtureCataloguePaths.fixture(name))
        let server = try await ReplayServer.start(library: try ReplayLibrary([fixture]), speed: .max)
        let sleeps = Sleeps()
        var client = try FixtureCatalogueTests.client(
            for: fixture, baseURL: server.baseURL, headers: fault.map { [ReplayFault.headerName: $0] } ?? [:],
            timeouts: timeouts, retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.5, maxDelay: 30),
            sleep: { await sleeps.add($0) })
        if parameters != GenerationParameters() {
            var config = client.config
            config.parameters = parameters
            client = ChatClient(config: config, environment: [:], sleep: { await sleeps.add($0) })
        }
        let transcript = await client.send(try FixtureCatalogueTests.workItem(for: fixture))
        try await server.shutdown()
        return Outcome(fixture: fixture, transcript: transcript, sleeps: await sleeps.durations)
    }

    // MARK: - Connection faults

    @Test func closeBeforeTheFirstEventEndsIsANetworkErrorNotRetried() async throws {
        let outcome = try await Self.run(Self.stream, fault: "close-after=100")
        #expect(outcome.kinds == [.network])
        #expect(outcome.receivedBytes == outcome.recordedBytes.prefix(100))
        #expect(outcome.verdict == .error)
    }

    @Test func closeMidStreamKeepsWhatArrived() async throws {
        let outcome = try await Self.run(Self.stream, fault: "close-after=2000")
        #expect(outcome.kinds == [.network])
        #expect(outcome.receivedBytes == outcome.recordedBytes.prefix(2000))
        #expect(!outcome.final.response.content.isEmpty)
    }

    @Test func resetBeforeAnyByteIsRetriedUntilAttemptsRunOut() async throws {
        let outcome = try await Self.run(Self.stream, fault: "reset")
        #expect(outcome.kinds == [.network, .network, .network])
        #expect(outcome.statuses == [nil, nil, nil])
        #expect(outcome.transcript.attempts.map { $0.backoff != nil } == [true, true, false])
        #expect(outcome.sleeps.count == 2)
        #expect(outcome.verdict == .error)
    }

    @Test func resetOnceThenTheRecordingIsServed() async throws {
        let outcome = try await Self.run(Self.stream, fault: "reset;times=1")
        #expect(outcome.kinds == [.network, nil])
        #expect(outcome.final.status == 200)
        #expect(outcome.receivedBytes == outcome.recordedBytes)
        #expect(outcome.verdict == .answered)
    }

    @Test func resetMidStreamIsNotRetried() async throws {
        let outcome = try await Self.run(Self.stream, fault: "reset=500")
        #expect(outcome.kinds == [.network])
        #expect(outcome.receivedBytes == outcome.recordedBytes.prefix(500))
    }

    @Test func cutAfterEveryByteIsANetworkErrorWithTheWholeAnswer() async throws {
        let outcome = try await Self.run(Self.stream, fault: "cut")
        #expect(outcome.kinds == [.network])
        #expect(outcome.receivedBytes == outcome.recordedBytes)
        #expect(outcome.final.response.sawDone)
        // The answer had ended before the connection broke: nothing was cut off.
        #expect(outcome.verdict == .answered)
    }

    @Test func stallMidStreamTripsTheClientStallTimeout() async throws {
        let outcome = try await Self.run(
            Self.stream, fault: "stall=30",
            timeouts: TargetTimeouts(connect: 2, total: 20, stall: 1))
        #expect(outcome.kinds == [.stall])
        // Stopped after the first event, as the fault says.
        let firstEvent = outcome.recordedBytes.prefix(
            through: try #require(outcome.recordedBytes.firstRange(of: Data("\n\n".utf8))).upperBound - 1)
        #expect(outcome.receivedBytes == firstEvent)
        // A stall the client cut is the network's doing, not the model's (issue 13).
        #expect(outcome.verdict == .error)
    }

    @Test func slowDripStillDeliversTheWholeAnswer() async throws {
        let outcome = try await Self.run(Self.json, fault: "drip=1")
        #expect(outcome.kinds == [nil])
        #expect(outcome.receivedBytes == outcome.recordedBytes)
        // Arrived in many reads rather than one.
        #expect(outcome.final.chunks.count > 10)
        #expect(outcome.verdict == .refused)
    }

    @Test func dripSlowerThanTheTotalTimeoutIsATimeout() async throws {
        let outcome = try await Self.run(
            Self.json, fault: "drip=100",
            timeouts: TargetTimeouts(connect: 2, total: 1.5, stall: 5))
        #expect(outcome.kinds == [.timeout])
        #expect(outcome.receivedBytes.count < outcome.recordedBytes.count)
    }

    // MARK: - HTTP status faults

    @Test func retryAfterIsHonouredOnEvery429() async throws {
        let outcome = try await Self.run(Self.stream, fault: "status=429;retry-after=2")
        #expect(outcome.statuses == [429, 429, 429])
        #expect(outcome.kinds == [.http, .http, .http])
        #expect(outcome.transcript.attempts.compactMap(\.backoff).allSatisfy { $0 >= 2_000_000 })
        #expect(outcome.transcript.attempts.compactMap(\.backoff).count == 2)
        #expect(outcome.sleeps.allSatisfy { $0 >= .seconds(2) } && outcome.sleeps.count == 2)
        #expect(outcome.verdict == .error)
    }

    @Test func a429ThenTheAnswer() async throws {
        let outcome = try await Self.run(Self.stream, fault: "status=429;retry-after=2;times=1")
        #expect(outcome.statuses == [429, 200])
        #expect((outcome.transcript.attempts[0].backoff ?? 0) >= 2_000_000)
        #expect(outcome.receivedBytes == outcome.recordedBytes)
        #expect(outcome.verdict == .answered)
    }

    @Test(arguments: [500, 502, 503])
    func serverErrorsAreRetried(_ status: Int) async throws {
        let outcome = try await Self.run(Self.json, fault: "status=\(status)")
        #expect(outcome.statuses == [status, status, status])
        #expect(outcome.kinds == [.http, .http, .http])
        #expect(outcome.verdict == .error)
    }

    @Test func serverErrorsThenTheAnswer() async throws {
        let outcome = try await Self.run(Self.json, fault: "status=503;times=2")
        #expect(outcome.statuses == [503, 503, 200])
        #expect(outcome.verdict == .refused)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let outcome = try await Self.run(Self.json, fault: "status=400")
        #expect(outcome.statuses == [400])
        #expect(outcome.kinds == [.http])
    }

    // MARK: - Body faults

    @Test func malformedStreamEventIsAProtocolProblemButTheAnswerStands() async throws {
        let outcome = try await Self.run(Self.stream, fault: "malformed-chunk")
        #expect(outcome.kinds == [nil])
        #expect(outcome.final.response.protocolError?.contains("is not a JSON object") == true)
        #expect(outcome.final.response.events.contains { $0.malformed != nil })
        #expect(outcome.final.response.content == outcome.fixture.transcript.finalAttempt?.response.content)
        #expect(outcome.verdict == .answered)
    }

    @Test func malformedJSONBodyIsAProtocolError() async throws {
        let outcome = try await Self.run(Self.json, fault: "malformed-chunk")
        #expect(outcome.final.response.protocolError == "body is not JSON")
        #expect(outcome.verdict == .error)
    }

    @Test func invalidUTF8IsReported() async throws {
        let outcome = try await Self.run(Self.stream, fault: "invalid-utf8")
        #expect(outcome.kinds == [nil])
        #expect(outcome.final.response.protocolError?.contains("invalid UTF-8") == true)
    }

    /// A 100 MB body runs into the client's default response-size cap: the transfer stops there,
    /// exactly the cap's worth of bytes is kept, and it is no transport failure.
    @Test func hundredMegabyteBodyStopsAtTheDefaultResponseCap() async throws {
        let outcome = try await Self.run(
            Self.json, fault: "huge-body=100MB",
            timeouts: TargetTimeouts(connect: 2, total: 90, stall: 5))
        #expect(outcome.kinds == [nil])
        #expect(outcome.final.responseCap == Attempt.defaultResponseCap)
        #expect(outcome.final.chunks.reduce(0) { $0 + $1.byteCount } == Attempt.defaultResponseCap)
        let verdict = try VerdictEngine(ruleset: Ruleset.bundled()).judge(
            outcome.transcript, probe: outcome.fixture.probe)
        #expect(verdict.flags.contains(.responseTooLarge))
    }

    @Test func runawayStreamAddsEventsAndStillEndsCleanly() async throws {
        let outcome = try await Self.run(Self.stream, fault: "huge-body=1MB")
        let recorded = try #require(outcome.fixture.transcript.finalAttempt?.response)
        let unit = 151  // bytes of one injected event (its text is checked in FaultScriptTests)
        #expect(outcome.final.response.events.count == recorded.events.count + 1_000_000 / unit)
        #expect(outcome.final.response.sawDone)
        #expect(outcome.final.response.finishReason == "stop")
    }

    @Test func noDoneWithAFinishReasonIsStillAnEndedAnswer() async throws {
        let outcome = try await Self.run(Self.stream, fault: "no-done")
        #expect(outcome.kinds == [nil])
        #expect(!outcome.final.response.sawDone)
        #expect(outcome.final.response.finishReason == "stop")
        #expect(outcome.verdict == .answered)
    }

    @Test func noFinalNewlineLeavesTheLastEventUnterminated() async throws {
        let outcome = try await Self.run(Self.stream, fault: "no-final-newline")
        #expect(outcome.kinds == [nil])
        #expect(outcome.receivedBytes == outcome.recordedBytes.dropLast(2))
        #expect(outcome.final.response.unterminatedEvent == true)
        #expect(!outcome.final.response.sawDone)
        #expect(outcome.verdict == .answered)
    }

    // MARK: - Requests the server cannot match

    @Test func unmatchedRequestIsA404NamingTheNearestRecording() async throws {
        let outcome = try await Self.run(Self.stream, fault: nil, parameters: GenerationParameters(temperature: 0.7))
        #expect(outcome.statuses == [404])
        let body = String(decoding: outcome.receivedBytes, as: UTF8.self)
        #expect(body.contains("nearest recorded request: 'plain-answer-en-stream'"))
        #expect(body.contains("which differs in temperature (request: 0.7, recording: absent)"))
    }

    @Test func badFaultHeaderIsA400() async throws {
        let outcome = try await Self.run(Self.stream, fault: "explode")
        #expect(outcome.statuses == [400])
        #expect(String(decoding: outcome.receivedBytes, as: UTF8.self).contains("unknown fault 'explode'"))
    }
}
