import Crypto
import Foundation

/// The first 128 bits of a SHA-256: enough to tell lines or keys apart, small enough to index
/// millions. The archive's in-memory indexes (duplicate keys in `verify`, cross-mode pairs in
/// scoring, the plan in `merge`) key on it, so an entry costs tens of bytes however long the
/// names are.
struct Digest128: Hashable {
    var high: UInt64
    var low: UInt64

    init(_ data: Data) {
        let bytes = Array(SHA256.hash(data: data))
        var high: UInt64 = 0
        var low: UInt64 = 0
        for byte in bytes[0..<8] { high = high << 8 | UInt64(byte) }
        for byte in bytes[8..<16] { low = low << 8 | UInt64(byte) }
        self.high = high
        self.low = low
    }

    /// The digest of the fields, each followed by a NUL byte, so `["ab", "c"]` and `["a", "bc"]` differ.
    init(fields: [String]) {
        var data = Data()
        for field in fields {
            data.append(contentsOf: field.utf8)
            data.append(0)
        }
        self.init(data)
    }
}
