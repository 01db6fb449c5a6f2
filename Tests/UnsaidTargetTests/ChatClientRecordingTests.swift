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

    /// `prepare` works the parts every request shares out once: what it sends and records must
    /// be what building the headers and redacting the whole request for each item gives, for
    /// targets with and without a key, secrets in the URL (userinfo, query) and in headers.
    @Test func preparedRequestsAreTheRequestsBuiltAndRedactedWhole() throws {
        let configs = [
            config,
            TargetConfig(name: "plain", baseURL: "http://127.0.0.1:1/v1/", model: "m"),
            TargetConfig(
                name: "u", baseURL: "https://user:pw@h/v1?x=1&token=abc#f", model: "m", apiKeyEnv: "TEST_KEY",
                headers: ["Authorization": "Basic xyz", "X-Trace": "internal-run-7 trace"],
                redact: ["internal-run-7"]),
            TargetConfig(
                name: "body", baseURL: "http://h/v1", model: "m",
                extraBody: ["api_key": .string("sk-body-1"), "user": .string("u1"), "max_completion_tokens": .int(5)]),
            TargetConfig(name: "quiet body", baseURL: "http://h/v1", model: "m", extraBody: ["user": .string("u1")]),
        ]
        for config in configs {
            for environment in [[:], ["TEST_KEY": "sk-test-abcdef"]] {
                let client = ChatClient(config: config, loop: .shared, environment: environment)
                let key = environment[config.apiKeyEnv]
                for streamed in [true, false] {
                    for prompt in ["hello", "say internal-run-7 and sk-test-abcdef"] {
                        let item = try TestItems.item(prompt: prompt, streamed: streamed)
                        let (request, recorded) = try client.prepare(item)
                        let headers = ChatRequestBuilder.headers(config: config, apiKey: key, streamed: streamed)
                        let body = try ChatRequestBuilder.body(config: config, item: item)
                        #expect(request.url == config.chatCompletionsURL)
                        #expect(request.headers == headers)
                        #expect(request.body == body)
                        let whole = client.redactor.redact(
                            request: RecordedRequest(
                                method: "POST", url: config.chatCompletionsURL, headers: headers,
                                body: String(decoding: body, as: UTF8.self), streamed: streamed))
                        #expect(recorded == whole, "\(config.name) \(streamed) \(prompt)")
                        #expect(!recorded.body.contains("sk-body-1"))
                    }
                }
            }
        }
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
