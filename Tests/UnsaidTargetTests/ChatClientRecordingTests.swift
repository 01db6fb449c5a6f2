import Testing
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidTarget

/// What the client records, checked without a network: `prepare` and `makeAttempt` are the whole
/// recording logic around the transport.
@Suite struct ChatClientRecordingTests {
    let config = TargetConfig(
        name: "t", baseURL: "https://h/v1?api_key=qq", model: "m", apiKeyEnv: "TEST_KEY",
        headers: ["x-api-key": "hdr-secret-99"], redact: ["internal-run-7"])

    var client: ChatClient {
        ChatClient(config: config, loop: .shared, environment: ["TEST_KEY": "sk-test-abcdef"])
    }

    @Test func recordedRequestHasNoSecrets() throws {
        let item = try TestItems.item(prompt: "say internal-run-7", streamed: true)
        let (request, recorded) = try client.prepare(item)
        // Sent as is…
        #expect(request.headers.first(named: "Authorization") == "Bearer sk-test-abcdef")
        #expect(request.url == "https://h/v1/chat/completions?api_key=qq")
        // …recorded without secrets.
        #expect(recorded.headers.first(named: "Authorization") == "[REDACTED]")
        #expect(recorded.headers.first(named: "x-api-key") == "[REDACTED]")
        #expect(recorded.url == "https://h/v1/chat/completions?api_key=[REDACTED]")
        #expect(recorded.body.contains("say [REDACTED]"))
        #expect(!recorded.body.contains("internal-run-7"))
        #expect(recorded.streamed)
    }

    @Test func httpErrorsBecomeHTTPFailuresAndEchoedSecretsAreScrubbed() {
        let response = HTTPResponse(
            status: 429,
            headers: [HTTPHeader(name: "Retry-After", value: "1"), HTTPHeader(name: "Set-Cookie", value: "a=b")],
            chunks: [WireChunk(t: 10, bytes: Array(#"{"error":{"message":"key sk-test-abcdef over quota"}}"#.utf8))],
            failure: nil, elapsed: 99)
        let attempt = client.makeAttempt(
            index: 1, startedAt: "2025-01-01T00:00:00.000Z", response: response, streamed: false)
        #expect(attempt.index == 1)
        #expect(attempt.status == 429)
        #expect(attempt.failure == TransportFailure(kind: .http, message: "HTTP 429 Too Many Requests"))
        #expect(
            attempt.chunks == [
                WireChunk(t: 10, bytes: Array(#"{"error":{"message":"key [REDACTED] over quota"}}"#.utf8))
            ])
        #expect(
            attempt.headers == [
                HTTPHeader(name: "Retry-After", value: "1"),
                HTTPHeader(name: "Set-Cookie", value: "[REDACTED]"),
            ])
        #expect(attempt.elapsed == 99)
        #expect(attempt.backoff == nil)
    }

    @Test func transportFailuresAreKeptAsTheyCame() {
        let refused = TransportFailure(kind: .connect, message: "Couldn't connect to server", curlCode: 7)
        let response = HTTPResponse(status: nil, headers: [], chunks: [], failure: refused, elapsed: 5)
        let attempt = client.makeAttempt(index: 0, startedAt: "x", response: response, streamed: true)
        #expect(attempt.failure == refused)
        #expect(attempt.status == nil)
    }

    @Test func shortDummyKeysAreNotScrubbedFromText() {
        let local = ChatClient(
            config: TargetConfig(name: "l", baseURL: "http://127.0.0.1:1/v1", model: "m"),
            loop: .shared, environment: ["OPENAI_API_KEY": "x"])
        #expect(local.redactor.secrets.isEmpty)
    }
}
