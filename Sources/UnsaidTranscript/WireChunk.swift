import Foundation

/// Bytes exactly as one network read delivered them, with when they arrived.
///
/// Stored as UTF-8 text when the chunk is valid UTF-8 on its own (readable in the archive), and
/// as base64 otherwise (a multi-byte character split across reads, or a garbage body), so the
/// original bytes can always be rebuilt exactly.
package struct WireChunk: Codable, Sendable, Equatable {
    /// Microseconds since the attempt started, from a monotonic clock.
    package var t: Int64
    package var text: String?
    package var base64: String?

    package init(t: Int64, bytes: some Collection<UInt8>) {
        self.t = t
        let data = Data(bytes)
        if let text = String(data: data, encoding: .utf8), Data(text.utf8) == data {
            self.text = text
            self.base64 = nil
        } else {
            self.text = nil
            self.base64 = data.base64EncodedString()
        }
    }

    package var bytes: Data {
        if let text { return Data(text.utf8) }
        if let base64, let data = Data(base64Encoded: base64) { return data }
        return Data()
    }

    package var byteCount: Int {
        if let text { return text.utf8.count }
        return bytes.count
    }
}

extension Array where Element == WireChunk {
    /// The whole body as received.
    package var joinedBytes: Data {
        var data = Data()
        data.reserveCapacity(reduce(0) { $0 + $1.byteCount })
        for chunk in self { data.append(chunk.bytes) }
        return data
    }
}
