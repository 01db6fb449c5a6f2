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
        // Nearly every read is valid UTF-8 that does not open with a BOM: its text is made from
        // the bytes in one pass, where `Data` and `String(data:encoding:)` copied them three times
        // and compared them once more. Anything else takes the path below, which decides exactly
        // as before (Foundation may drop a leading BOM, which the round trip then refuses).
        if let text = bytes.withContiguousStorageIfAvailable(Self.plainText) ?? nil {
            self.text = text
            self.base64 = nil
            return
        }
        let data = Data(bytes)
        if let text = String(data: data, encoding: .utf8), Data(text.utf8) == data {
            self.text = text
            self.base64 = nil
        } else {
            self.text = nil
            self.base64 = data.base64EncodedString()
        }
    }

    private static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The bytes as text when they are valid UTF-8 and do not open with a BOM, else nil.
    private static func plainText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard !bytes.starts(with: utf8BOM) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    package var bytes: Data {
        if let text { return Data(text.utf8) }
        if let base64, let data = Data(base64Encoded: base64) { return data }
        return Data()
    }

    /// Calls `body` with the chunk's bytes, without the copy into `Data` that `bytes` makes for a
    /// text chunk (the decoder reads every chunk of every attempt this way).
    package func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if var text {
            return text.withUTF8(body)
        }
        return [UInt8](bytes).withUnsafeBufferPointer(body)
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
