/// One piece of a scripted response body. The server sends parts in order; with chunked framing
/// each piece it writes becomes its own chunk, so a client sees the same boundaries a provider would.
package enum ScriptedPart: Sendable, Equatable {
    /// `bytes`, sent after waiting `delay` (measured from the end of the previous part).
    case bytes([UInt8], delay: Duration = .zero)
    /// `unit` repeated cyclically until `totalBytes` are sent, in writes of at most `chunkSize` bytes,
    /// after waiting `delay`. Produced lazily, so a 100 MB body never sits in memory; a unit may be
    /// split across writes, which is what a client's reassembly has to cope with anyway.
    case repeated([UInt8], totalBytes: Int, chunkSize: Int = 65_536, delay: Duration = .zero)

    /// The number of body bytes this part contributes.
    package var byteCount: Int {
        switch self {
        case .bytes(let bytes, _):
            return bytes.count
        case .repeated(let unit, let totalBytes, _, _):
            return unit.isEmpty ? 0 : max(0, totalBytes)
        }
    }

    var delay: Duration {
        switch self {
        case .bytes(_, let delay), .repeated(_, _, _, let delay):
            return delay
        }
    }
}
