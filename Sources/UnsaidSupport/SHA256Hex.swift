import Crypto
import Foundation

/// Lower-case hex SHA-256, the digest format used across archives and probe hashes.
package enum SHA256Hex {
    package static func digest<D: DataProtocol>(_ data: D) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    package static func digest(_ string: String) -> String {
        digest(Data(string.utf8))
    }
}
