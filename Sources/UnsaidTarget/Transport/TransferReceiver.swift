import UnsaidTranscript

/// Where a transfer's events go: a stream the caller iterates (`CurlEventLoop.stream(_:)`), or a
/// collector that keeps them on the loop thread and hands the whole response over once
/// (`CurlEventLoop.perform(_:)`).
///
/// The collector exists because `perform` wants only the whole answer: fed through a stream,
/// every head and body read woke the waiting task on another thread (a continuation resumed, a
/// job enqueued, often a futex wake), five hand-offs a typical request instead of one.
enum TransferReceiver {
    case stream(AsyncStream<HTTPEvent>.Continuation)
    case collector(ResponseCollector)

    /// Passes an event on (loop thread, or the creating thread before the loop has the transfer).
    func deliver(_ event: HTTPEvent) {
        switch self {
        case .stream(let continuation): continuation.yield(event)
        case .collector(let collector): collector.receive(event)
        }
    }

    /// Passes a body read on. The collector makes its chunk straight from libcurl's buffer; a
    /// stream's event needs an array of its own first.
    func deliverBody(_ bytes: UnsafeRawBufferPointer, t: Int64) {
        switch self {
        case .stream(let continuation): continuation.yield(.body(bytes: Array(bytes), t: t))
        case .collector(let collector): collector.receiveBody(bytes, t: t)
        }
    }

    /// No event follows; called once, right after `.end`.
    func finish() {
        switch self {
        case .stream(let continuation): continuation.finish()
        case .collector: break
        }
    }
}

/// A transfer's events gathered in the order they came, for `CurlEventLoop.perform(_:)`.
struct CollectedResponse: Sendable {
    var status: Int?
    var headers: [HTTPHeader] = []
    var chunks: [WireChunk] = []
    var failure: TransportFailure?
    var cappedAt: Int?
}

/// Gathers a transfer's events and resumes the waiting caller once, at `.end`.
///
/// Thread confinement as for `CurlTransfer`: the caller sets `continuation` before it hands the
/// transfer to the loop (the loop's lock orders the two), then only the thread the transfer is
/// ended on touches it.
final class ResponseCollector: @unchecked Sendable {
    var continuation: CheckedContinuation<CollectedResponse, Never>?
    private var response = CollectedResponse()

    /// A body read as `receive(.body(…))` keeps it, without the array in between.
    func receiveBody(_ bytes: UnsafeRawBufferPointer, t: Int64) {
        response.chunks.append(WireChunk(t: t, bytes: bytes.assumingMemoryBound(to: UInt8.self)))
    }

    func receive(_ event: HTTPEvent) {
        switch event {
        case .head(let status, let headers):
            response.status = status
            response.headers = headers
        case .body(let bytes, let t):
            response.chunks.append(WireChunk(t: t, bytes: bytes))
        case .capped(let limit):
            response.cappedAt = limit
        case .end(let failure):
            response.failure = failure
            let waiting = continuation
            continuation = nil
            waiting?.resume(returning: response)
            response = CollectedResponse()
        }
    }
}
