import NIOCore
import NIOPosix
import Testing
import UnsaidSuite
import UnsaidTranscript
import UnsaidReplay

/// The server over real loopback sockets, read by a bare TCP client (no HTTP library), so every
/// expectation is about the exact bytes on the wire.
@Suite(.timeLimit(.minutes(2))) struct LoopbackServerTests {
    /// Records what the server handed to the script handler.
    private actor RequestLog {
        var requests: [ReceivedRequest] = []
        func append(_ request: ReceivedRequest) { requests.append(request) }
    }

    private func withServer(
        _ handler: @escaping @Sendable (ReceivedRequest) async -> ScriptedResponse,
        _ body: (LoopbackServer) async throws -> Void
    ) async throws {
        let server = try await LoopbackServer.start(handler: handler)
        do {
            try await body(server)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    private func post(_ body: String, path: String = "/v1/chat/completions", close: Bool = true) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" + body
    }

    private static let sseHead =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    private static let events = ["data: {\"a\":1}\n\n", "data: {\"b\":22}\n\n", "data: [DONE]\n\n"]

    @Test func jsonResponseIsByteExactAndRequestIsPassedOn() async throws {
        let log = RequestLog()
        try await withServer({ request in
            await log.append(request)
            return .json(200, "{\"ok\":true}")
        }) { server in
            let reply = try await RawConnection.exchange(port: server.port, post("{\"q\":1}"))
            #expect(
                reply.text
                    == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
            #expect(reply.ending == .eof)
        }
        let requests = await log.requests
        #expect(
            requests == [
                ReceivedRequest(
                    method: "POST",
                    uri: "/v1/chat/completions",
                    headers: [
                        HTTPHeader(name: "Host", value: "127.0.0.1"),
                        HTTPHeader(name: "Content-Type", value: "application/json"),
                        HTTPHeader(name: "Content-Length", value: "7"),
                        HTTPHeader(name: "Connection", value: "close"),
                    ],
                    body: Array("{\"q\":1}".utf8)
                )
            ])
    }

    @Test func sseResponseIsChunkedOneEventPerChunk() async throws {
        try await withServer({ _ in .sse(events: Self.events, interval: .zero) }) { server in
            let reply = try await RawConnection.exchange(port: server.port, post("{}"))
            #expect(
                reply.text == Self.sseHead
                    + "F\r\ndata: {\"a\":1}\n\n\r\n"
                    + "10\r\ndata: {\"b\":22}\n\n\r\n"
                    + "E\r\ndata: [DONE]\n\n\r\n"
                    + "0\r\n\r\n")
            let parsed = ParsedResponse(reply.bytes)
            #expect(parsed.bodyText == "data: {\"a\":1}\n\ndata: {\"b\":22}\n\ndata: [DONE]\n\n")
            #expect(parsed.chunkSizes == [15, 16, 14])
            #expect(parsed.isComplete)
        }
    }

    @Test func delayedEventsArriveInOrderAsSeparateChunks() async throws {
        try await withServer({ _ in .sse(events: Self.events, interval: .milliseconds(20)) }) { server in
            let parsed = ParsedResponse(try await RawConnection.exchange(port: server.port, post("{}")).bytes)
            #expect(parsed.bodyText == Self.events.joined())
            #expect(parsed.chunkSizes == [15, 16, 14])
            #expect(parsed.isComplete)
        }
    }

    @Test func anEventIsSentBeforeTheDelayOfTheNextOneRunsOut() async throws {
        // The second event waits an hour: seeing the first one proves it was not held back, and
        // the server must then survive the client leaving while a delay is pending.
        let response = ScriptedResponse.sse(events: ["data: first\n\n", "data: second\n\n"], interval: .seconds(3600))
        try await withServer({ request in request.uri == "/slow" ? response : .json(200, "{}") }) { server in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send(post("{}", path: "/slow"))
            let firstPart = Self.sseHead + "D\r\ndata: first\n\n\r\n"
            let reply = try await connection.waitFor(atLeast: firstPart.utf8.count)
            #expect(reply.text == firstPart)
            #expect(reply.ending == nil)
            await connection.close()

            let next = try await RawConnection.exchange(port: server.port, post("{}"))
            #expect(next.text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        }
    }

    @Test func closeAfterGivesExactlyNBodyBytesThenEOF() async throws {
        try await withServer({ _ in
            ScriptedResponse.sse(events: Self.events, interval: .zero).with(fault: .closeAfter(bytes: 20))
        }) { server in
            let reply = try await RawConnection.exchange(port: server.port, post("{}"))
            let parsed = ParsedResponse(reply.bytes)
            #expect(parsed.bodyText == "data: {\"a\":1}\n\ndata:")
            #expect(!parsed.isComplete)
            #expect(!parsed.isMalformed)
            #expect(reply.ending == .eof)
        }
    }

    @Test func closeAfterOnAContentLengthBodyCutsItShort() async throws {
        try await withServer({ _ in ScriptedResponse.json(200, "{\"ok\":true}").with(fault: .closeAfter(bytes: 5)) }) {
            server in
            let reply = try await RawConnection.exchange(port: server.port, post("{}", close: false))
            #expect(
                reply.text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\"")
            #expect(reply.ending == .eof)
        }
    }

    @Test func resetEndsTheConnectionAndTheServerCarriesOn() async throws {
        let faulty = ScriptedResponse.sse(events: Self.events, interval: .zero).with(fault: .reset(afterBytes: 10))
        try await withServer({ request in request.uri == "/reset" ? faulty : .json(200, "{}") }) { server in
            let reply = try await RawConnection.exchange(port: server.port, post("{}", path: "/reset"))
            // Linux hands over the bytes that arrived before the RST, then reports the reset.
            #expect(reply.ending == .reset)
            #expect(ParsedResponse(reply.bytes).bodyText == "data: {\"a\"")

            let next = try await RawConnection.exchange(port: server.port, post("{}"))
            #expect(next.text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        }
    }

    @Test func resetImmediatelySendsNoResponse() async throws {
        try await withServer({ _ in ScriptedResponse.json(200, "{}").with(fault: .resetImmediately) }) { server in
            let reply = try await RawConnection.exchange(port: server.port, post("{}"))
            #expect(reply.bytes.isEmpty)
            #expect(reply.ending == .reset)
        }
    }

    @Test func stallAndDripKeepTheBodyIntact() async throws {
        let stalled = ScriptedResponse.sse(events: Self.events, interval: .zero).with(
            fault: .stall(afterBytes: 4, seconds: 0.05))
        let dripped = ScriptedResponse.sse(events: ["data: x\n\n"], interval: .zero).with(fault: .drip(intervalMs: 1))
        try await withServer({ request in request.uri == "/stall" ? stalled : dripped }) { server in
            let stall = ParsedResponse(
                try await RawConnection.exchange(port: server.port, post("{}", path: "/stall")).bytes)
            #expect(stall.bodyText == Self.events.joined())
            #expect(stall.chunkSizes == [4, 11, 16, 14])
            #expect(stall.isComplete)

            let drip = ParsedResponse(
                try await RawConnection.exchange(port: server.port, post("{}", path: "/drip")).bytes)
            #expect(drip.bodyText == "data: x\n\n")
            #expect(drip.chunkSizes == [1, 1, 1, 1, 1, 1, 1, 1, 1])
            #expect(drip.isComplete)
        }
    }

    @Test func serverKeepsServingAfterAClientLeavesMidStream() async throws {
        let big = ScriptedResponse(
            status: 200,
            headers: [],
            parts: [.repeated(Array("data: {}\n\n".utf8), totalBytes: 50_000_000, chunkSize: 65_536, delay: .zero)]
        )
        try await withServer({ request in request.uri == "/big" ? big : .json(200, "{}") }) { server in
            for _ in 0..<3 {
                let connection = try await RawConnection.connect(port: server.port)
                try await connection.send(post("{}", path: "/big"))
                let reply = try await connection.waitFor(atLeast: 200_000)
                #expect(reply.ending == nil)
                await connection.close()
            }
            let next = try await RawConnection.exchange(port: server.port, post("{}"))
            #expect(next.text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        }
    }

    @Test func hundredMegabyteBodyStreamsThrough() async throws {
        let unit = Array("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n".utf8)
        let total = 100 * 1024 * 1024
        let response = ScriptedResponse(
            status: 200,
            headers: [HTTPHeader(name: "Content-Type", value: "text/event-stream")],
            parts: [.repeated(unit, totalBytes: total, chunkSize: 65_536, delay: .zero)]
        )
        try await withServer({ _ in response }) { server in
            let connection = try await RawConnection.connect(
                port: server.port, streamingCheck: PatternCheck(unit: unit, maxChunk: 65_536))
            try await connection.send(post("{}"))
            let reply = try await connection.waitForEnd()
            #expect(reply.ending == .eof)
            #expect(
                reply.streamed
                    == PatternCheck.Summary(
                        payloadBytes: 104_857_600, complete: true, malformed: false, firstMismatch: nil))
        }
    }

    @Test func keepAliveAnswersPipelinedRequestsInOrder() async throws {
        try await withServer({ request in .json(200, "{\"uri\":\"\(request.uri)\"}") }) { server in
            let reply = try await RawConnection.exchange(
                port: server.port,
                post("{}", path: "/one", close: false) + post("{}", path: "/two", close: true)
            )
            #expect(
                reply.text
                    == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"uri\":\"/one\"}"
                    + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{\"uri\":\"/two\"}"
            )
            #expect(reply.ending == .eof)
        }
    }

    @Test func connectionCloseAnswerClosesAKeepAliveConnection() async throws {
        try await withServer({ _ in ScriptedResponse.json(200, "{}").closingConnection() }) { server in
            let reply = try await RawConnection.exchange(port: server.port, post("{}", close: false))
            #expect(
                reply.text
                    == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            )
            #expect(reply.ending == .eof)
        }
    }

    @Test func expectContinueIsAnsweredBeforeTheBody() async throws {
        try await withServer({ request in .json(200, String(decoding: request.body, as: UTF8.self)) }) { server in
            let connection = try await RawConnection.connect(port: server.port)
            try await connection.send(
                "POST /v1/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
            )
            let interim = "HTTP/1.1 100 Continue\r\n\r\n"
            #expect(try await connection.waitFor(atLeast: interim.utf8.count).text == interim)
            try await connection.send("{}")
            #expect(
                try await connection.waitForEnd().text
                    == interim + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        }
    }

    @Test func malformedRequestGetsA400() async throws {
        try await withServer({ _ in .json(200, "{}") }) { server in
            let reply = try await RawConnection.exchange(port: server.port, "NOT HTTP AT ALL\r\n\r\n")
            #expect(reply.text == "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
    }

    @Test func manyConcurrentConnectionsEachGetTheirOwnAnswer() async throws {
        try await withServer({ request in
            .sse(events: ["data: \(request.uri)\n\n", "data: [DONE]\n\n"], interval: .milliseconds(1))
        }) { server in
            let port = server.port
            let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var results: [Int: String] = [:]
                for index in 0..<64 {
                    if index >= 16, let (done, body) = try await group.next() {
                        results[done] = body
                    }
                    group.addTask {
                        let reply = try await RawConnection.exchange(port: port, post("{}", path: "/r\(index)"))
                        return (index, ParsedResponse(reply.bytes).bodyText)
                    }
                }
                for try await (done, body) in group {
                    results[done] = body
                }
                return results
            }
            #expect(bodies.count == 64)
            for index in 0..<64 {
                #expect(bodies[index] == "data: /r\(index)\n\ndata: [DONE]\n\n")
            }
        }
    }

    @Test func shutdownClosesOpenStreamsAndStopsListening() async throws {
        let server = try await LoopbackServer.start { _ in
            .sse(events: ["data: a\n\n", "data: b\n\n"], interval: .seconds(3600))
        }
        let port = server.port
        #expect(server.baseURL == "http://127.0.0.1:\(port)/v1")
        let connection = try await RawConnection.connect(port: port)
        try await connection.send(post("{}"))
        _ = try await connection.waitFor(atLeast: Self.sseHead.utf8.count)

        try await server.shutdown()
        let reply = try await connection.waitForEnd()
        #expect(reply.ending == .eof || reply.ending == .reset)
        await #expect(throws: (any Error).self) {
            _ = try await RawConnection.connect(port: port)
        }
        try await server.shutdown()  // a second call is harmless
    }

    @Test func shutdownWaitsOutAHandlerStillThinking() async throws {
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let server = try await LoopbackServer.start { _ in
            startedContinuation.yield()
            // Shutdown cancels handler tasks, which cuts this sleep short.
            try? await Task.sleep(for: .seconds(3600))
            return .json(200, "{}")
        }
        let connection = try await RawConnection.connect(port: server.port)
        try await connection.send(post("{}"))
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()

        try await server.shutdown()
        let reply = try await connection.waitForEnd()
        #expect(reply.ending != nil)
    }

    @Test(arguments: ["0.0.0.0", "192.168.1.10", "10.0.0.1", "8.8.8.8", "::", "example.com", ""])
    func nonLoopbackHostIsRefused(host: String) async throws {
        await #expect(throws: LoopbackServerError.nonLoopbackHost(host)) {
            let server = try await LoopbackServer.start(host: host) { _ in .json(200, "{}") }
            try await server.shutdown()
        }
    }

    @Test func localhostAndOtherLoopbackAddressesAreAccepted() async throws {
        for host in ["localhost", "127.0.0.2"] {
            let server = try await LoopbackServer.start(host: host) { _ in .json(200, "{}") }
            let expectedHost = host == "localhost" ? "127.0.0.1" : host
            #expect(server.baseURL == "http://\(expectedHost):\(server.port)/v1")
            try await server.shutdown()
        }
    }

    @Test func outOfRangePortIsRefused() async throws {
        await #expect(throws: LoopbackServerError.invalidPort(70_000)) {
            _ = try await LoopbackServer.start(port: 70_000) { _ in .json(200, "{}") }
        }
    }
}
