#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidTarget

/// The transport against sockets with a known behaviour: nothing listening, or listening and
/// never answering. No model needed.
@Suite struct LoopbackTransportTests {
    /// Tiny on purpose: libcurl's low-speed check averages over a few seconds and counts
    /// uploaded bytes, so a bigger body would only delay the stall being noticed.
    static let body = Array("{}".utf8)

    @Test func deadPortFailsAsConnectAfterEveryAttempt() async throws {
        let (fd, port) = try #require(LoopbackSocket.deadPort())
        defer { close(fd) }
        let config = TargetConfig(
            name: "dead", baseURL: "http://127.0.0.1:\(port)/v1", model: "m",
            retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.01))
        let client = ChatClient(config: config, environment: [:])
        let transcript = await client.send(try TestItems.item(streamed: true))

        try #require(transcript.attempts.count == 3)
        #expect(transcript.attempts.map(\.index) == [0, 1, 2])
        #expect(transcript.attempts.allSatisfy { $0.failure?.kind == .connect && $0.failure?.curlCode == 7 })
        #expect(transcript.attempts.allSatisfy { $0.status == nil && $0.chunks.isEmpty })
        // Waits are recorded between attempts, never after the last one.
        #expect(transcript.attempts[0].backoff != nil)
        #expect(transcript.attempts[1].backoff != nil)
        #expect(transcript.attempts[2].backoff == nil)
        #expect(transcript.finalAttempt?.failure?.kind == .connect)
        #expect(transcript.request.url == "http://127.0.0.1:\(port)/v1/chat/completions")
        #expect(transcript.request.streamed)
    }

    @Test func silentServerIsAStall() async throws {
        let listener = try #require(LoopbackSocket.silentListener())
        defer { close(listener.fd) }
        let request = HTTPRequest(
            url: "http://127.0.0.1:\(listener.port)/v1/chat/completions",
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: Self.body, connectTimeout: .seconds(5), totalTimeout: .seconds(60),
            stallTimeout: .seconds(1))
        let response = await CurlEventLoop.shared.perform(request)
        #expect(response.failure?.kind == .stall)
        #expect(response.failure?.curlCode == 28)
        #expect(response.status == nil)
        #expect(response.chunks.isEmpty)
    }

    @Test func cancellingTheConsumerRemovesTheTransfer() async throws {
        let listener = try #require(LoopbackSocket.silentListener())
        defer { close(listener.fd) }
        let loop = CurlEventLoop(name: "test.cancel")
        defer { loop.shutdown() }
        let request = HTTPRequest(url: "http://127.0.0.1:\(listener.port)/", body: Self.body)

        let stream = loop.stream(request)
        #expect(await loop.activeTransferCount() == 1)
        let consumer = Task {
            var events: [HTTPEvent] = []
            for await event in stream { events.append(event) }
            return events
        }
        consumer.cancel()
        let events = await consumer.value
        // The loop may get its `.cancelled` end in before the stream closes; nothing else can come.
        #expect(
            events.isEmpty
                || events == [.end(TransportFailure(kind: .cancelled, message: "the request was cancelled"))],
            "\(events)")
        #expect(await loop.activeTransferCount() == 0)
    }

    @Test func cancelledPerformReportsCancelled() async throws {
        let listener = try #require(LoopbackSocket.silentListener())
        defer { close(listener.fd) }
        let request = HTTPRequest(url: "http://127.0.0.1:\(listener.port)/", body: Self.body)
        let task = Task { await CurlEventLoop.shared.perform(request) }
        task.cancel()
        let response = await task.value
        #expect(response.failure?.kind == .cancelled)
    }

    @Test func shutdownEndsTransfersInFlightAndRefusesNewOnes() async throws {
        let listener = try #require(LoopbackSocket.silentListener())
        defer { close(listener.fd) }
        let loop = CurlEventLoop(name: "test.shutdown")
        let request = HTTPRequest(url: "http://127.0.0.1:\(listener.port)/", body: Self.body)
        let stream = loop.stream(request)
        #expect(await loop.activeTransferCount() == 1)
        loop.shutdown()
        var events: [HTTPEvent] = []
        for await event in stream { events.append(event) }
        #expect(events.count == 1)
        guard case .end(let failure) = events.first else {
            Issue.record("expected only an end event, got \(events)")
            return
        }
        #expect(failure?.kind == .cancelled)
        let late = await loop.perform(request)
        #expect(late.failure?.kind == .cancelled)
    }

    @Test func malformedURLIsAProtocolFailure() async {
        let response = await CurlEventLoop.shared.perform(HTTPRequest(url: "nope://127.0.0.1/", body: Self.body))
        #expect(response.failure?.kind == .protocol)
        #expect(response.failure?.curlCode == 1)
    }
}
