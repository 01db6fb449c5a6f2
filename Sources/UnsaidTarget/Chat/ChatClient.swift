import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript

/// Sends work items to one OpenAI-compatible target and records everything that happened as a
/// `Transcript`: the (redacted) request, every attempt with its raw chunks and arrival times,
/// failures, and the waits between attempts.
///
/// It never throws: a failed request is a transcript whose last attempt says why, because a
/// failure can itself be the finding.
package struct ChatClient: ChatSender {
    package let config: TargetConfig
    package let loop: CurlEventLoop
    package let redactor: RedactionPolicy
    private let sleep: @Sendable (Duration) async throws -> Void
    /// What every request to this target shares, as sent and as recorded: the same for every
    /// item, so worked out (and redacted) once rather than for every request.
    private let fixedParts: FixedRequestParts

    private struct FixedRequestParts: Sendable {
        var url: String
        var recordedURL: String
        var streamedHeaders: [HTTPHeader]
        var plainHeaders: [HTTPHeader]
        var recordedStreamedHeaders: [HTTPHeader]
        var recordedPlainHeaders: [HTTPHeader]
        /// Whether a body can have a top-level field `redact(body:)` blanks: only the target's
        /// extra fields can (the builder's own are never secret-looking). When none can, that
        /// parse of every body finds nothing, and only the configured secrets are scrubbed.
        var bodyMayHoldSecretFields: Bool
    }

    /// - Parameters:
    ///   - environment: where the API key is looked up (`config.apiKeyEnv`).
    ///   - sleep: how backoff waits; tests replace it to avoid real delays. It must throw when the
    ///     task is cancelled so an interrupted run stops waiting.
    package init(
        config: TargetConfig, loop: CurlEventLoop = .shared,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.config = config
        self.loop = loop
        self.sleep = sleep
        let key = environment[config.apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
        let redactor = RedactionPolicy(
            explicit: config.redact, apiKey: key, headers: config.headers, baseURL: config.baseURL)
        self.redactor = redactor
        let url = config.chatCompletionsURL
        let streamedHeaders = ChatRequestBuilder.headers(config: config, apiKey: key, streamed: true)
        let plainHeaders = ChatRequestBuilder.headers(config: config, apiKey: key, streamed: false)
        fixedParts = FixedRequestParts(
            url: url, recordedURL: redactor.redact(url: url), streamedHeaders: streamedHeaders,
            plainHeaders: plainHeaders, recordedStreamedHeaders: redactor.redact(headers: streamedHeaders),
            recordedPlainHeaders: redactor.redact(headers: plainHeaders),
            bodyMayHoldSecretFields: config.extraBody.keys.contains(where: RedactionPolicy.isSecretParameter))
    }

    /// The request for a work item as sent and as recorded (redacted).
    package func prepare(_ item: WorkItem) throws -> (request: HTTPRequest, recorded: RecordedRequest) {
        let streamed = item.key.streamed
        let body = try ChatRequestBuilder.body(config: config, item: item)
        let headers = streamed ? fixedParts.streamedHeaders : fixedParts.plainHeaders
        let request = HTTPRequest(
            method: "POST", url: fixedParts.url, headers: headers, body: body,
            connectTimeout: TargetTimeouts.duration(config.timeouts.connect),
            totalTimeout: TargetTimeouts.duration(config.timeouts.total),
            // A stall is silence inside a stream. A non-streamed answer arrives whole once the
            // model has finished, so silence until then is the normal case: only the total
            // timeout bounds it (a stall limit cut slow local models' JSON answers as errors).
            stallTimeout: streamed ? TargetTimeouts.duration(config.timeouts.stall) : nil,
            maxResponseBytes: config.maxResponseBytes)
        // What `redactor.redact(request:)` makes of the request, its fixed parts redacted once.
        let recorded = RecordedRequest(
            method: "POST", url: fixedParts.recordedURL,
            headers: streamed ? fixedParts.recordedStreamedHeaders : fixedParts.recordedPlainHeaders,
            body: fixedParts.bodyMayHoldSecretFields
                ? redactor.redact(body: String(decoding: body, as: UTF8.self))
                : redactor.redact(String(decoding: body, as: UTF8.self)),
            streamed: streamed)
        return (request, recorded)
    }

    /// Sends the item, retrying as `config.retry` allows, and returns every attempt.
    package func send(_ item: WorkItem) async -> Transcript {
        let streamed = item.key.streamed
        let prepared: (request: HTTPRequest, recorded: RecordedRequest)
        do {
            prepared = try prepare(item)
        } catch {
            let recorded = RecordedRequest(
                url: redactor.redact(url: config.chatCompletionsURL), headers: [],
                body: "", streamed: streamed)
            let failure = TransportFailure(kind: .protocol, message: "could not encode the request body: \(error)")
            let attempt = Attempt(
                index: 0, startedAt: Self.timestamp(), elapsed: 0, status: nil, headers: [],
                chunks: [], failure: failure, response: .empty)
            return Transcript(key: item.key, request: recorded, attempts: [attempt])
        }

        var attempts: [Attempt] = []
        var generator = SystemRandomNumberGenerator()
        let maxAttempts = max(1, config.retry.maxAttempts)
        for index in 0..<maxAttempts {
            let startedAt = Self.timestamp()
            let response = await loop.perform(prepared.request)
            var attempt = makeAttempt(index: index, startedAt: startedAt, response: response, streamed: streamed)
            let retry =
                index + 1 < maxAttempts && !Task.isCancelled
                && config.retry.shouldRetry(
                    status: response.status, failure: response.failure,
                    receivedBody: !response.chunks.isEmpty)
            guard retry else {
                attempts.append(attempt)
                break
            }
            let retryAfter =
                response.status == nil
                ? nil
                : response.headers.first(named: "Retry-After")
                    .flatMap { RetryAfter.seconds(from: $0, now: Date()) }
            let delay = config.retry.delay(beforeRetry: index + 1, retryAfter: retryAfter, using: &generator)
            let micros = Int64((delay * 1_000_000).rounded())
            attempt.backoff = micros
            do {
                try await sleep(.microseconds(micros))
            } catch {
                // Interrupted while waiting: there is no next attempt to have waited for.
                attempt.backoff = nil
                attempts.append(attempt)
                break
            }
            attempts.append(attempt)
        }
        return Transcript(key: item.key, request: prepared.recorded, attempts: attempts)
    }

    /// One attempt as recorded: secrets scrubbed from headers and chunks, non-2xx statuses turned
    /// into `.http` failures, and the body decoded from the recorded chunks (so decoding the
    /// archive later gives the same answer).
    func makeAttempt(index: Int, startedAt: String, response: HTTPResponse, streamed: Bool) -> Attempt {
        var failure = response.failure
        if let status = response.status, !(200..<300).contains(status) {
            var message = HTTPStatusText.message(for: status)
            if let transport = failure { message += " (then \(transport.kind.rawValue): \(transport.message))" }
            failure = TransportFailure(kind: .http, message: message, curlCode: failure?.curlCode)
        } else if response.status == nil, failure == nil {
            failure = TransportFailure(kind: .protocol, message: "the server sent no HTTP status line")
        }
        let attempt = Attempt(
            index: index, startedAt: startedAt, elapsed: response.elapsed, status: response.status,
            headers: response.headers, chunks: response.chunks, failure: failure,
            response: ChatResponseDecoder.decode(chunks: response.chunks, streamed: streamed),
            responseCap: response.cappedAt)
        return redactor.redact(attempt: attempt, streamed: streamed)
    }

    private static func timestamp() -> String { UTCTimestamp.string(from: Date()) }
}
