import Foundation
import Testing
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidFixture
@testable import UnsaidReplay

/// What the replay server answers, decided without a socket: routing, matching by request hash,
/// the 404 naming the nearest recording, duplicates in turn, fault budgets and metadata faults.
@Suite struct FixtureReplayResponderTests {
    static func fixture(
        _ name: String, prompt: String, answer: String, temperature: Double = 0,
        fault: String? = nil
    ) -> Fixture {
        let body =
            #"{"messages":[{"content":"\#(prompt)","role":"user"}],"model":"m","stream":false,"temperature":\#(temperature)}"#
        let json = #"{"choices":[{"index":0,"message":{"content":"\#(answer)"},"finish_reason":"stop"}]}"#
        let key = WorkKey(suite: "s", probe: name, probeHash: "h", sample: 0, streamed: false)
        let attempt = Attempt(
            index: 0, startedAt: "x", elapsed: 1, status: 200,
            headers: [
                HTTPHeader(name: "Content-Type", value: "application/json"),
                HTTPHeader(name: "Content-Length", value: String(json.utf8.count)),
            ],
            chunks: [WireChunk(t: 10, bytes: Array(json.utf8))], failure: nil, response: DecodedResponse())
        return Fixture(
            meta: FixtureMeta(name: name, description: "d", provider: "p", source: "s", fault: fault),
            probe: Probe(id: name, messages: [ChatMessage(role: "user", content: prompt)]),
            transcript: Transcript(
                key: key, request: RecordedRequest(url: "u", headers: [], body: body, streamed: false),
                attempts: [attempt]))
    }

    static func post(
        _ prompt: String, temperature: Double = 0, fault: String? = nil,
        path: String = "/v1/chat/completions"
    ) -> ReceivedRequest {
        // Different key order and spacing from the recording on purpose.
        let body =
            #"{"model": "m", "temperature": \#(temperature), "messages": [{"role": "user", "content": "\#(prompt)"}], "stream": false}"#
        var headers = [HTTPHeader(name: "Content-Type", value: "application/json")]
        if let fault { headers.append(HTTPHeader(name: "x-unsaid-fault", value: fault)) }
        return ReceivedRequest(method: "POST", uri: path, headers: headers, body: Array(body.utf8))
    }

    static func responder() throws -> ReplayResponder {
        ReplayResponder(
            library: try ReplayLibrary([
                fixture("capital", prompt: "Capital of France?", answer: "Paris."),
                fixture("boiling", prompt: "Boiling point of water?", answer: "100 °C."),
            ]), speed: .max)
    }

    private func response(_ answer: ReplayResponder.Answer) -> ScriptedResponse? {
        if case .respond(let response) = answer { return response }
        return nil
    }

    private func bodyText(_ answer: ReplayResponder.Answer) -> String {
        String(decoding: BodyParts(response(answer)?.parts ?? []).bytes, as: UTF8.self)
    }

    @Test func matchingRequestGetsItsRecordingWhateverTheKeyOrder() throws {
        let answer = try Self.responder().answer(Self.post("Capital of France?"))
        #expect(response(answer)?.status == 200)
        #expect(bodyText(answer) == #"{"choices":[{"index":0,"message":{"content":"Paris."},"finish_reason":"stop"}]}"#)
        #expect(response(answer)?.headers.first(named: "X-Unsaid-Recording") == "capital")
        // Also under the bare path some clients use.
        #expect(
            response(try Self.responder().answer(Self.post("Capital of France?", path: "/chat/completions?x=1")))?
                .status == 200)
    }

    @Test func unmatchedRequestGets404NamingTheNearestRecording() throws {
        let answer = try Self.responder().answer(Self.post("Boiling point of water?", temperature: 0.7))
        #expect(response(answer)?.status == 404)
        #expect(
            bodyText(answer)
                == #"{"error":{"message":"no recording matches this request; nearest recorded request: 'boiling' (model m, not streamed, 1 message, last user turn \"Boiling point of water?\"), which differs in temperature (request: 0.7, recording: 0)","type":"not_found"}}"#
        )
    }

    @Test func unknownRouteIs404AndModelsAreListed() throws {
        let get = ReceivedRequest(method: "GET", uri: "/v1/embeddings", headers: [], body: [])
        #expect(
            bodyText(try Self.responder().answer(get))
                == #"{"error":{"message":"no route for GET /v1/embeddings; the replay server answers POST /v1/chat/completions","type":"not_found"}}"#
        )
        let models = ReceivedRequest(method: "GET", uri: "/v1/models", headers: [], body: [])
        #expect(
            bodyText(try Self.responder().answer(models))
                == #"{"data":[{"id":"m","object":"model","owned_by":"unsaid-replay"}],"object":"list"}"#)
    }

    @Test func badFaultHeaderIs400WithTheGrammarProblem() throws {
        let answer = try Self.responder().answer(Self.post("Capital of France?", fault: "close-after=soon"))
        #expect(response(answer)?.status == 400)
        #expect(
            bodyText(answer)
                == #"{"error":{"message":"invalid X-Unsaid-Fault header: 'close-after' needs a whole number ≥ 0, got 'soon'","type":"invalid_fault"}}"#
        )
    }

    @Test func identicalRequestsAreAnsweredByTheirRecordingsInTurn() throws {
        let responder = ReplayResponder(
            library: try ReplayLibrary([
                Self.fixture("first", prompt: "Again?", answer: "one"),
                Self.fixture("second", prompt: "Again?", answer: "two"),
            ]), speed: .max)
        let names = (0..<3).map { _ in
            response(responder.answer(Self.post("Again?")))?.headers.first(named: "X-Unsaid-Recording")
        }
        #expect(names == ["first", "second", "first"])
    }

    @Test func timesLimitsAFaultToTheFirstRequests() throws {
        let responder = ReplayResponder(library: try Self.responder().library, speed: .max)
        let statuses = (0..<3).map { _ in
            response(responder.answer(Self.post("Capital of France?", fault: "status=503;times=2")))?.status
        }
        #expect(statuses == [503, 503, 200])
    }

    @Test func fixtureFaultAppliesUnlessTheHeaderOverridesIt() throws {
        let responder = ReplayResponder(
            library: try ReplayLibrary([
                Self.fixture("flaky", prompt: "Hi?", answer: "Hello.", fault: "status=500")
            ]), speed: .max)
        #expect(response(responder.answer(Self.post("Hi?")))?.status == 500)
        #expect(response(responder.answer(Self.post("Hi?", fault: "none")))?.status == 200)
        #expect(response(responder.answer(Self.post("Hi?", fault: "drip=1")))?.fault == .drip(intervalMs: 1))
    }

    @Test func recordingThatNeverGotAResponseIsReplayedAsSuch() throws {
        var silent = Self.fixture("silent", prompt: "Slow?", answer: "")
        silent.transcript.attempts[0].status = nil
        silent.transcript.attempts[0].chunks = []
        silent.transcript.attempts[0].failure = TransportFailure(kind: .timeout, message: "timed out")
        var refused = Self.fixture("refused", prompt: "Down?", answer: "")
        refused.transcript.attempts[0].status = nil
        refused.transcript.attempts[0].failure = TransportFailure(kind: .connect, message: "refused")
        let responder = ReplayResponder(library: try ReplayLibrary([silent, refused]), speed: .max)
        #expect(responder.answer(Self.post("Slow?")) == .silence)
        #expect(response(responder.answer(Self.post("Down?")))?.fault == .resetImmediately)
    }
}
