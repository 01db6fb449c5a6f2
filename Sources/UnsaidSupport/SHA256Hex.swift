import Crypto
import Foundation

/// Lower-case hex SHA-256, the digest format used across archives and probe hashes.
package enum SHA256Hex {
    /// Spelled by `hex`: a string per byte (`String(_:radix:)`) then joined was most of the
    /// cost of hashing a probe's few hundred bytes, done for every probe a run plans.
    package static func digest<D: DataProtocol>(_ data: D) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The same digest of bytes where they lie, hashed without a generic walk over their regions.
    package static func digest(bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hex(hasher.finalize())
    }

    /// 64 lower-case hex digits, written into one string's storage: the one spelling of a digest
    /// (chain hashes, file digests) across the archive.
    package static func hex(_ digest: SHA256.Digest) -> String {
        String(unsafeUninitializedCapacity: 64) { output in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            for byte in digest {
                output[index] = digits.utf8Start[Int(byte >> 4)]
                output[index + 1] = digits.utf8Start[Int(byte & 0x0F)]
                index += 2
            }
            return 64
        }
    }

    package static func digest(_ string: String) -> String {
        digest(Data(string.utf8))
    }
}
