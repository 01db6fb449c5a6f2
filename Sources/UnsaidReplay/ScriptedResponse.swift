import UnsaidTranscript

/// What the loopback server answers to one request: status, headers in wire order, body parts
/// with their delays, and optionally a fault to act out.
///
/// Framing follows the headers: with a `Content-Length` header the body is sent as is; without
/// one it is sent chunked, and `Transfer-Encoding: chunked` is added if the headers lack it.
/// A `Connection: close` header makes the server close the connection after the response.
package struct ScriptedResponse: Sendable, Equatable {
    package var status: Int
    package var headers: [HTTPHeader]
    package var parts: [ScriptedPart]
    package var fault: Fault?

    package init(status: Int, headers: [HTTPHeader], parts: [ScriptedPart], fault: Fault? = nil) {
        self.status = status
        self.headers = headers
        self.parts = parts
        self.fault = fault
    }

    /// A plain JSON answer with a Content-Length, the shape of a non-streaming chat completion.
    package static func json(_ status: Int, _ body: String) -> ScriptedResponse {
        let bytes = Array(body.utf8)
        return ScriptedResponse(
            status: status,
            headers: [
                HTTPHeader(name: "Content-Type", value: "application/json"),
                HTTPHeader(name: "Content-Length", value: String(bytes.count)),
            ],
            parts: [.bytes(bytes, delay: .zero)]
        )
    }

    /// A chunked `text/event-stream` answer. Each string is one full event as it goes on the wire
    /// (e.g. "data: {...}\n\n"); the first is sent at once, each later one `interval` after the previous.
    package static func sse(events: [String], interval: Duration) -> ScriptedResponse {
        ScriptedResponse(
            status: 200,
            headers: [
                HTTPHeader(name: "Content-Type", value: "text/event-stream"),
                HTTPHeader(name: "Transfer-Encoding", value: "chunked"),
            ],
            parts: events.enumerated().map { index, event in
                .bytes(Array(event.utf8), delay: index == 0 ? .zero : interval)
            }
        )
    }

    /// The same response with `fault` acted out.
    package func with(fault: Fault?) -> ScriptedResponse {
        var copy = self
        copy.fault = fault
        return copy
    }

    /// The same response with `Connection: close`, so the server closes after sending it.
    package func closingConnection() -> ScriptedResponse {
        var copy = self
        copy.headers.removeAll { $0.name.lowercased() == "connection" }
        copy.headers.append(HTTPHeader(name: "Connection", value: "close"))
        return copy
    }

    /// Total body bytes the parts describe (before any fault).
    package var bodyByteCount: Int {
        parts.reduce(0) { $0 + $1.byteCount }
    }

    var closesConnection: Bool {
        headers.first(named: "Connection")?.lowercased() == "close"
    }
}
