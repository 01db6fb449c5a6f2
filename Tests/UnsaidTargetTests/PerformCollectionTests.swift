import Foundation
import Testing
import UnsaidReplay
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidTarget

/// `perform` gathers a transfer's events on the loop thread and hands them over once; `stream`
/// passes each one on as it comes and stays the reference. For the same scripted answers (SSE in
/// several writes, JSON, an error status, a body stopped at the size cap) both must give the same
/// status, headers, body bytes, cap and failure.
@Suite struct PerformCollectionTests {
    static let events = (0..<40).map { #"{"choices":[{"index":0,"delta":{"content":"word \#($0) "}}]}"# }

    static let answers: [(String, ScriptedResponse, Int?)] = [
        ("sse", .sse(events: events, interval: .milliseconds(1)), nil),
        ("json", .json(200, #"{"choices":[{"message":{"content":"hello"}}]}"#), nil),
        ("error status", .json(429, #"{"error":{"message":"slow down"}}"#), nil),
        ("capped", .sse(events: events, interval: .milliseconds(1)), 700),
    ]

    /// What a stream of events amounts to, as `perform` reports it (chunk boundaries and times
    /// aside: they belong to each transfer's reads).
    struct Summary: Equatable {
        var status: Int?
        var headers: [HTTPHeader]
        var body: [UInt8]
        var cappedAt: Int?
        var failure: TransportFailure?
    }

    static func summary(of events: [HTTPEvent]) -> Summary {
        var summary = Summary(status: nil, headers: [], body: [], cappedAt: nil, failure: nil)
        for event in events {
            switch event {
            case .head(let status, let headers):
                summary.status = status
                summary.headers = headers
            case .body(let bytes, _): summary.body += bytes
            case .capped(let limit): summary.cappedAt = limit
            case .end(let failure): summary.failure = failure
            }
        }
        return summary
    }

    static func summary(of response: HTTPResponse) -> Summary {
        Summary(
            status: response.status, headers: response.headers.filter { $0.name != "Date" },
            body: response.chunks.flatMap(\.bytes), cappedAt: response.cappedAt, failure: response.failure)
    }

    @Test(arguments: 0..<answers.count)
    func performReportsWhatTheStreamReports(_ index: Int) async throws {
        let (name, answer, cap) = Self.answers[index]
        let server = try await LoopbackServer.start { _ in answer }
        let loop = CurlEventLoop(name: "test.perform")
        defer { loop.shutdown() }
        let request = HTTPRequest(
            url: server.baseURL + "/chat/completions", body: Array("{}".utf8), connectTimeout: .seconds(10),
            totalTimeout: .seconds(60), maxResponseBytes: cap)
        var streamed: [HTTPEvent] = []
        for await event in loop.stream(request) { streamed.append(event) }
        let performed = await loop.perform(request)
        var reference = Self.summary(of: streamed)
        reference.headers = reference.headers.filter { $0.name != "Date" }
        let collected = Self.summary(of: performed)
        #expect(collected == reference, "\(name)")
        #expect(!collected.body.isEmpty, "\(name)")
        #expect(collected.status == (name == "error status" ? 429 : 200), "\(name)")
        #expect(collected.cappedAt == cap, "\(name)")
        // Reads in the order they came, each timed from the start of the transfer.
        let times = performed.chunks.map(\.t)
        #expect(times == times.sorted() && times.allSatisfy { $0 >= 0 }, "\(name)")
        #expect(performed.elapsed >= (times.last ?? 0), "\(name)")
        try await server.shutdown()
    }

    /// A task cancelled while its transfer waits for an answer: the transfer leaves the loop and
    /// `perform` returns a `.cancelled` failure with whatever had come (here nothing).
    @Test func cancellingAPerformInFlightRemovesItsTransfer() async throws {
        let listener = try #require(LoopbackSocket.silentListener())
        defer { close(listener.fd) }
        let loop = CurlEventLoop(name: "test.perform-cancel")
        defer { loop.shutdown() }
        let request = HTTPRequest(url: "http://127.0.0.1:\(listener.port)/", body: Array("{}".utf8))
        let task = Task { await loop.perform(request) }
        // Wait until the loop runs the transfer, so the cancellation is one in flight.
        var waited = 0
        while await loop.activeTransferCount() == 0, waited < 1000 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
        #expect(await loop.activeTransferCount() == 1)
        task.cancel()
        let response = await task.value
        #expect(response.failure == TransportFailure(kind: .cancelled, message: "the request was cancelled"))
        #expect(response.status == nil && response.chunks.isEmpty)
        #expect(await loop.activeTransferCount() == 0)
    }
}
