import Foundation
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidFixture
import UnsaidTarget
import UnsaidVerdict

/// A hand-built recording: what was asked, and the bytes a provider sent back with their gaps.
/// `fixture()` turns it into the same `Fixture` a recording would produce — the request body is
/// built by the real `ChatRequestBuilder`, so the chat client replaying it sends a request with
/// the same canonical hash, and the response is decoded by the real `ChatResponseDecoder`.
struct FixtureRecipe {
    var name: String
    var description: String
    var provider: String
    var source: String
    var expected: VerdictLabel
    var flags: [VerdictFlag]
    var fault: String? = nil

    var baseURL: String
    var model: String
    var prompt: String
    var system: String? = nil
    var language = "en"
    var category = ProbeCategory.censorship
    var expect = Expectation.answer
    var topic: String? = nil
    var parameters = GenerationParameters()
    var streamed: Bool

    var status = 200
    /// Response headers as the provider sends them (framing included; replay drops it).
    var headers: [HTTPHeader]
    /// Each read: microseconds since the previous one (the first: since the request), and bytes.
    var reads: [(gap: Int64, bytes: [UInt8])]
    var failure: TransportFailure? = nil

    static let startedAt = "2025-01-20T08:00:00.000Z"

    func fixture() throws -> Fixture {
        var messages: [ChatMessage] = []
        if let system { messages.append(ChatMessage(role: "system", content: system)) }
        messages.append(ChatMessage(role: "user", content: prompt))
        let probe = Probe(
            id: name, messages: messages, language: language, topic: topic, tags: [provider],
            category: category, expect: expect, stream: streamed ? .on : .off,
            parameters: parameters)
        let item = try RunPlan.items(for: Suite(id: "fixtures", name: "Fixture catalogue", probes: [probe]))[0]
        let config = TargetConfig(name: provider, baseURL: baseURL, model: model)
        let body = try ChatRequestBuilder.body(config: config, item: item)
        var requestHeaders = ChatRequestBuilder.headers(config: config, apiKey: nil, streamed: streamed)
        requestHeaders.append(HTTPHeader(name: "Authorization", value: FixtureWriter.redactedValue))
        let request = RecordedRequest(
            url: config.chatCompletionsURL, headers: requestHeaders,
            body: String(decoding: body, as: UTF8.self), streamed: streamed)

        var t: Int64 = 0
        let chunks = reads.map { read -> WireChunk in
            t += read.gap
            return WireChunk(t: t, bytes: read.bytes)
        }
        var headers = self.headers
        if !streamed || status != 200, !headers.contains(where: { $0.name.lowercased() == "transfer-encoding" }) {
            let length = chunks.reduce(0) { $0 + $1.byteCount }
            headers.removeAll { $0.name.lowercased() == "content-length" }
            headers.append(HTTPHeader(name: "Content-Length", value: String(length)))
        }
        var attemptFailure = failure
        if !(200..<300).contains(status) {
            attemptFailure = TransportFailure(kind: .http, message: Self.statusMessage(status))
        }
        let attempt = Attempt(
            index: 0, startedAt: Self.startedAt, elapsed: t + 1_200, status: status,
            headers: headers, chunks: chunks, failure: attemptFailure,
            response: ChatResponseDecoder.decode(chunks: chunks, streamed: streamed))
        let meta = FixtureMeta(
            name: name, description: description, provider: provider, source: source,
            expectedVerdict: expected, expectedFlags: flags, fault: fault)
        return Fixture(
            meta: meta, probe: probe,
            transcript: Transcript(key: item.key, request: request, attempts: [attempt]))
    }

    private static func statusMessage(_ status: Int) -> String {
        switch status {
        case 400: return "HTTP 400 Bad Request"
        case 403: return "HTTP 403 Forbidden"
        default: return "HTTP \(status)"
        }
    }

    // MARK: - Building reads

    /// SSE events, one read each, `gap` apart (the first after `firstByte`).
    static func stream(_ events: [String], firstByte: Int64, gap: Int64) -> [(gap: Int64, bytes: [UInt8])] {
        events.enumerated().map { index, event in
            (index == 0 ? firstByte : gap, Array(event.utf8))
        }
    }

    /// One JSON body in a single read.
    static func body(_ json: WireJSON, after gap: Int64) -> [(gap: Int64, bytes: [UInt8])] {
        [(gap, Array(json.text.utf8))]
    }

    static func sseHeaders(_ extra: [(String, String)] = []) -> [HTTPHeader] {
        [
            HTTPHeader(name: "Content-Type", value: "text/event-stream; charset=utf-8"),
            HTTPHeader(name: "Transfer-Encoding", value: "chunked"),
            HTTPHeader(name: "Connection", value: "keep-alive"),
        ]
            + extra.map { HTTPHeader(name: $0.0, value: $0.1) }
    }

    static func jsonHeaders(_ extra: [(String, String)] = []) -> [HTTPHeader] {
        [HTTPHeader(name: "Content-Type", value: "application/json")]
            + extra.map { HTTPHeader(name: $0.0, value: $0.1) }
    }
}
