import UnsaidTranscript

/// A whole transfer collected by `CurlEventLoop.perform(_:)`.
package struct HTTPResponse: Sendable, Equatable {
    /// `nil` when no final status line arrived (the transfer failed before it).
    package var status: Int?
    package var headers: [HTTPHeader]
    package var chunks: [WireChunk]
    package var failure: TransportFailure?
    /// Microseconds from the start of the transfer to its end (monotonic).
    package var elapsed: Int64
    /// Set when the body was stopped at the request's response-size cap (the cap, in bytes).
    package var cappedAt: Int?
}
