import UnsaidCore

/// A whole transfer collected by `CurlEventLoop.perform(_:)`.
public struct HTTPResponse: Sendable, Equatable {
    /// `nil` when no final status line arrived (the transfer failed before it).
    public var status: Int?
    public var headers: [HTTPHeader]
    public var chunks: [WireChunk]
    public var failure: TransportFailure?
    /// Microseconds from the start of the transfer to its end (monotonic).
    public var elapsed: Int64
    /// Set when the body was stopped at the request's response-size cap (the cap, in bytes).
    public var cappedAt: Int?

    public init(status: Int?, headers: [HTTPHeader], chunks: [WireChunk], failure: TransportFailure?, elapsed: Int64,
                cappedAt: Int? = nil) {
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.failure = failure
        self.elapsed = elapsed
        self.cappedAt = cappedAt
    }
}
