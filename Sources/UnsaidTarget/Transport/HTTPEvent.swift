import UnsaidTranscript

/// What a transfer reports, in order: at most one `head`, any number of `body` reads, then
/// exactly one `end` (unless the consumer stopped listening first).
package enum HTTPEvent: Sendable, Equatable {
    /// The final status line and its headers (interim `1xx` blocks are not reported).
    case head(status: Int, headers: [HTTPHeader])
    /// Bytes as one libcurl write delivered them; `t` is microseconds since the transfer started,
    /// from a monotonic clock.
    case body(bytes: [UInt8], t: Int64)
    /// The body reached the request's `maxResponseBytes` and the transfer was stopped there; the
    /// `body` events before this one hold exactly the first `limit` bytes. An `end(nil)` follows.
    case capped(limit: Int)
    /// The transfer finished; `nil` when libcurl reported success. A non-2xx status is not a
    /// failure at this level.
    case end(TransportFailure?)
}
