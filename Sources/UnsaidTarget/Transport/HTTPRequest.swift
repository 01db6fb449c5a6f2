import UnsaidTranscript

/// One HTTP exchange to hand to a `CurlEventLoop`. Transport-level only: nothing here knows
/// about chat completions.
package struct HTTPRequest: Sendable, Equatable {
    package var method: String = "POST"
    package var url: String
    package var headers: [HTTPHeader] = []
    /// The request body; `nil` sends none.
    package var body: [UInt8]?
    /// Time allowed to establish the connection (TCP and TLS). `nil` keeps libcurl's default.
    package var connectTimeout: Duration?
    /// Time allowed for the whole exchange. `nil` means no limit.
    package var totalTimeout: Duration?
    /// The longest the server may go without sending a byte before the transfer is abandoned as
    /// stalled. libcurl measures it in whole seconds, so it is rounded up (minimum one second).
    package var stallTimeout: Duration?
    /// The most body bytes kept; past it the transfer is stopped from the write callback and what
    /// arrived up to the cap is kept. `nil` means no cap.
    package var maxResponseBytes: Int?
}

extension Duration {
    /// Whole milliseconds, rounded up so a tiny positive duration never becomes "no limit" (0).
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return remainder > 0 ? millis + 1 : millis
    }

    /// Whole microseconds, truncated.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
