import NIOCore
import Testing
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidReplay

/// The protocol side, without sockets: which bytes and waits a script turns into.
@Suite struct ResponseScriptTests {
    /// Runs a script to its end and renders each step as text, so expectations read like the wire.
    private func steps(_ response: ScriptedResponse, keepAlive: Bool = true) -> [String] {
        var script = ResponseScript(response, keepAlive: keepAlive)
        var rendered: [String] = []
        while let step = script.next() {
            switch step {
            case .write(let buffer): rendered.append(String(decoding: buffer.readableBytesView, as: UTF8.self))
            case .wait(let duration): rendered.append("wait \(duration)")
            case .finish: rendered.append("finish")
            case .close: rendered.append("close")
            case .reset: rendered.append("reset")
            }
            if rendered.count > 10_000 { break }
        }
        return rendered
    }

    private let sseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    private let twoEvents = ScriptedResponse.sse(events: ["data: a\n\n", "data: bc\n\n"], interval: .milliseconds(30))

    @Test func jsonIsHeadThenBodyWithContentLength() {
        #expect(
            steps(.json(200, "{\"ok\":true}")) == [
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n",
                "{\"ok\":true}",
                "finish",
            ])
    }

    @Test func requestWithoutKeepAliveEndsInClose() {
        #expect(
            steps(.json(404, "{}"), keepAlive: false) == [
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n",
                "{}",
                "close",
            ])
    }

    @Test func connectionCloseHeaderEndsInClose() {
        #expect(steps(ScriptedResponse.json(200, "{}").closingConnection()).last == "close")
    }

    @Test func sseEventsAreChunksWithTheIntervalBetweenThem() {
        #expect(
            steps(twoEvents) == [
                sseHead,
                "9\r\ndata: a\n\n\r\n",
                "wait 0.03 seconds",
                "A\r\ndata: bc\n\n\r\n",
                "0\r\n\r\n",
                "finish",
            ])
    }

    @Test func responseWithoutFramingHeadersIsChunked() {
        let response = ScriptedResponse(status: 500, headers: [], parts: [.bytes(Array("oops".utf8), delay: .zero)])
        #expect(
            steps(response) == [
                "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n",
                "4\r\noops\r\n",
                "0\r\n\r\n",
                "finish",
            ])
    }

    @Test func closeAfterCutsInsideAPartAndLeavesOutTheTerminator() {
        #expect(
            steps(twoEvents.with(fault: .closeAfter(bytes: 12))) == [
                sseHead,
                "9\r\ndata: a\n\n\r\n",
                "wait 0.03 seconds",
                "3\r\ndat\r\n",
                "close",
            ])
    }

    @Test func closeAfterZeroSendsOnlyTheHead() {
        #expect(steps(twoEvents.with(fault: .closeAfter(bytes: 0))) == [sseHead, "close"])
    }

    @Test func closeAfterMoreThanTheBodySendsItAllButTheTerminator() {
        #expect(
            steps(twoEvents.with(fault: .closeAfter(bytes: 1_000))) == [
                sseHead,
                "9\r\ndata: a\n\n\r\n",
                "wait 0.03 seconds",
                "A\r\ndata: bc\n\n\r\n",
                "close",
            ])
    }

    @Test func resetAtAPartBoundaryHappensBeforeTheNextDelay() {
        #expect(
            steps(twoEvents.with(fault: .reset(afterBytes: 9))) == [
                sseHead,
                "9\r\ndata: a\n\n\r\n",
                "reset",
            ])
    }

    @Test func stallPausesThenCarriesOn() {
        #expect(
            steps(twoEvents.with(fault: .stall(afterBytes: 4, seconds: 2))) == [
                sseHead,
                "4\r\ndata\r\n",
                "wait 2.0 seconds",
                "5\r\n: a\n\n\r\n",
                "wait 0.03 seconds",
                "A\r\ndata: bc\n\n\r\n",
                "0\r\n\r\n",
                "finish",
            ])
    }

    @Test func dripSendsOneByteAtATime() {
        let response = ScriptedResponse.sse(events: ["ab", "c"], interval: .zero).with(fault: .drip(intervalMs: 5))
        #expect(
            steps(response) == [
                sseHead,
                "1\r\na\r\n",
                "wait 0.005 seconds",
                "1\r\nb\r\n",
                "wait 0.005 seconds",
                "1\r\nc\r\n",
                "0\r\n\r\n",
                "finish",
            ])
    }

    @Test func resetImmediatelySendsNothing() {
        #expect(steps(twoEvents.with(fault: .resetImmediately)) == ["reset"])
    }

    @Test func noFinalNewlineTrimsTheLastEvent() {
        #expect(
            steps(twoEvents.with(fault: .noFinalNewline)) == [
                sseHead,
                "9\r\ndata: a\n\n\r\n",
                "wait 0.03 seconds",
                "8\r\ndata: bc\r\n",
                "0\r\n\r\n",
                "finish",
            ])
    }

    @Test func noFinalNewlineCorrectsContentLength() {
        let response = ScriptedResponse(
            status: 200,
            headers: [HTTPHeader(name: "Content-Length", value: "9")],
            parts: [.bytes(Array("data: x\n\n".utf8), delay: .zero)],
            fault: .noFinalNewline
        )
        #expect(steps(response) == ["HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", "data: x", "finish"])
    }

    @Test func repeatedPartCyclesItsUnitInChunkSizedWrites() {
        let response = ScriptedResponse(
            status: 200,
            headers: [],
            parts: [.repeated(Array("abc".utf8), totalBytes: 8, chunkSize: 3, delay: .zero)]
        )
        #expect(
            steps(response) == [
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "3\r\nabc\r\n",
                "3\r\nabc\r\n",
                "2\r\nab\r\n",
                "0\r\n\r\n",
                "finish",
            ])
    }

    @Test func emptyPartsNeverBecomeATerminatingChunk() {
        let response = ScriptedResponse(
            status: 200,
            headers: [],
            parts: [.bytes([], delay: .zero), .bytes(Array("x".utf8), delay: .zero)]
        )
        #expect(
            steps(response) == [
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "1\r\nx\r\n",
                "0\r\n\r\n",
                "finish",
            ])
    }
}
