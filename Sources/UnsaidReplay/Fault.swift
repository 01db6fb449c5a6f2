/// A transport misbehaviour the server acts out while sending a scripted response. Byte counts are
/// body (payload) bytes, never chunk framing, so a test can say "the client saw exactly N bytes".
package enum Fault: Sendable, Equatable {
    /// Send the head and the first `bytes` body bytes, then close cleanly (FIN) without finishing
    /// the body (no chunked terminator). If the body is shorter, all of it is sent before the close.
    case closeAfter(bytes: Int)
    /// Like `closeAfter`, but abort with a TCP reset (SO_LINGER 0) instead of a FIN.
    case reset(afterBytes: Int)
    /// Stop for `seconds` after `afterBytes` body bytes, then carry on (if the client is still there).
    case stall(afterBytes: Int, seconds: Double)
    /// Send the body one byte at a time, waiting `intervalMs` before every byte but the first.
    case drip(intervalMs: Int)
    /// Drop the trailing "\n\n" of the last `.bytes` part (the last SSE event loses its terminator).
    /// A Content-Length header is corrected to match.
    case noFinalNewline
    /// Reset the connection as soon as the request has been read, before any response byte.
    case resetImmediately
}
