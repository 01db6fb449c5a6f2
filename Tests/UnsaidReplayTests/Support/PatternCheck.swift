#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a streamed response body against `unit` repeated, without keeping the body: what a
/// client sees of a `.repeated` part. Comparison is by memcmp so 100 MB stays quick in debug builds.
struct PatternCheck: Sendable {
    struct Summary: Sendable, Equatable {
        var payloadBytes: Int
        var complete: Bool
        var malformed: Bool
        /// Body offset of the first byte that broke the pattern, if any.
        var firstMismatch: Int?
    }

    private let unit: [UInt8]
    /// The unit repeated enough to cover any window starting inside its first copy.
    private let window: [UInt8]
    private var decoder = ChunkedStreamDecoder()
    private var offset = 0
    private var firstMismatch: Int?

    init(unit: [UInt8], maxChunk: Int) {
        self.unit = unit
        let copies = (maxChunk + unit.count * 2) / unit.count + 1
        self.window = Array([[UInt8]](repeating: unit, count: copies).joined())
    }

    mutating func feed(_ bytes: [UInt8]) {
        var decoder = self.decoder
        decoder.feed(bytes[...]) { payload in
            checkSlice(payload)
        }
        self.decoder = decoder
    }

    private mutating func checkSlice(_ payload: ArraySlice<UInt8>) {
        var index = payload.startIndex
        while index < payload.endIndex {
            let start = offset % unit.count
            let take = min(payload.endIndex - index, window.count - start)
            let same = payload[index..<(index + take)].withUnsafeBytes { got in
                window[start..<(start + take)].withUnsafeBytes { want in
                    guard let got = got.baseAddress, let want = want.baseAddress else { return take == 0 }
                    return memcmp(got, want, take) == 0
                }
            }
            if !same && firstMismatch == nil {
                firstMismatch = offset
            }
            offset += take
            index += take
        }
    }

    var summary: Summary {
        var malformed = false
        if case .malformed = decoder.state { malformed = true }
        return Summary(
            payloadBytes: offset, complete: decoder.isComplete, malformed: malformed, firstMismatch: firstMismatch)
    }
}
