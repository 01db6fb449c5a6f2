/// A test-side HTTP/1.1 response reader fed bytes as they arrive: skips the head, then undoes
/// chunked framing (or passes an identity body through), strictly, so bad framing from the
/// server is reported rather than papered over. Bulk data is handed on in slices, which keeps a
/// 100 MB body cheap to check without storing it.
struct ChunkedStreamDecoder {
    enum State: Equatable {
        case head
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case lastChunkEnd
        case complete
        case identity
        case malformed(String)
    }

    private(set) var state = State.head
    private(set) var head: [UInt8] = []
    private(set) var chunkSizes: [Int] = []
    private var line: [UInt8] = []

    /// `chunked: false` reads the body after the head as is (Content-Length bodies).
    init() {}

    var isComplete: Bool { state == .complete }

    /// Feeds raw wire bytes; `onPayload` receives the de-framed body bytes in order.
    mutating func feed(_ bytes: ArraySlice<UInt8>, onPayload: (ArraySlice<UInt8>) -> Void) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch state {
            case .head:
                head.append(bytes[index])
                index += 1
                if head.suffix(4) == [13, 10, 13, 10] {
                    let text = String(decoding: head, as: UTF8.self).lowercased()
                    state = text.contains("transfer-encoding: chunked") ? .sizeLine : .identity
                }
            case .identity:
                onPayload(bytes[index...])
                index = bytes.endIndex
            case .sizeLine, .dataEnd, .lastChunkEnd:
                line.append(bytes[index])
                index += 1
                guard line.suffix(2) == [13, 10] else { continue }
                let text = String(decoding: line.dropLast(2), as: UTF8.self)
                line.removeAll()
                advance(afterLine: text)
            case .data(let remaining):
                let take = min(remaining, bytes.endIndex - index)
                onPayload(bytes[index..<(index + take)])
                index += take
                state = remaining == take ? .dataEnd : .data(remaining: remaining - take)
            case .complete, .malformed:
                state = .malformed("bytes after the end of the body")
                return
            }
        }
    }

    private mutating func advance(afterLine text: String) {
        switch state {
        case .sizeLine:
            guard let size = Int(text, radix: 16), size >= 0 else {
                state = .malformed("bad chunk size line '\(text)'")
                return
            }
            chunkSizes.append(size)
            state = size == 0 ? .lastChunkEnd : .data(remaining: size)
        case .dataEnd:
            state = text.isEmpty ? .sizeLine : .malformed("chunk data longer than its size")
        case .lastChunkEnd:
            state = text.isEmpty ? .complete : .malformed("trailers are not expected")
        default:
            break
        }
    }
}

/// A whole response read at once: head text, de-framed body, the chunk sizes seen (without the
/// terminating 0), and whether the body ended properly.
struct ParsedResponse {
    var head: String
    var body: [UInt8]
    var chunkSizes: [Int]
    var isComplete: Bool
    var isMalformed: Bool

    init(_ bytes: [UInt8]) {
        var decoder = ChunkedStreamDecoder()
        var body: [UInt8] = []
        decoder.feed(bytes[...]) { body.append(contentsOf: $0) }
        self.head = String(decoding: decoder.head, as: UTF8.self)
        self.body = body
        self.chunkSizes = decoder.chunkSizes.filter { $0 > 0 }
        self.isComplete = decoder.isComplete
        if case .malformed = decoder.state { self.isMalformed = true } else { self.isMalformed = false }
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
