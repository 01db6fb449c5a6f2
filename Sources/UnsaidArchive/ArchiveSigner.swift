#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import UnsaidSupport

/// Ed25519 signatures over `manifest.json`, which commits to every other file of a run.
///
/// Key files are one line of text: `unsaid-ed25519-private <base64 of the 32-byte seed>` or
/// `unsaid-ed25519-public <base64 of the 32-byte key>`, so they are easy to inspect and store.
package enum ArchiveSigner {
    static let privatePrefix = "unsaid-ed25519-private "
    static let publicPrefix = "unsaid-ed25519-public "

    package struct SignatureFile: Codable, Sendable, Equatable {
        package var algorithm: String
        package var publicKey: String
        package var keyFingerprint: String
        package var manifestSHA256: String
        package var signature: String
        package var signedAt: String
    }

    package enum KeyError: Error, CustomStringConvertible, Equatable {
        case unreadable(path: String)
        case malformed(path: String, expected: String)
        case exists(path: String)

        package var description: String {
            switch self {
            case .unreadable(let path): return "\(path): cannot read the key file"
            case .malformed(let path, let expected): return "\(path): not an unsaid \(expected) key file"
            case .exists(let path): return "\(path): already exists; refusing to overwrite a key"
            }
        }
    }

    /// Writes a new key pair: the private key readable by the owner only (0600).
    package static func generateKeyPair(privatePath: String, publicPath: String) throws -> String {
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw KeyError.exists(path: path)
        }
        let key = Curve25519.Signing.PrivateKey()
        let privateText = privatePrefix + key.rawRepresentation.base64EncodedString() + "\n"
        // Create with 0600 from the start rather than chmod afterwards, so the secret is never
        // readable by others even briefly.
        let descriptor = open(privatePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ArchiveError.io(path: privatePath, reason: String(cString: strerror(errno)))
        }
        let bytes = Array(privateText.utf8)
        let written = write(descriptor, bytes, bytes.count)
        _ = fsync(descriptor)
        _ = close(descriptor)
        guard written == bytes.count else { throw ArchiveError.io(path: privatePath, reason: "short write") }
        let publicText = publicPrefix + key.publicKey.rawRepresentation.base64EncodedString() + "\n"
        try Data(publicText.utf8).write(to: URL(fileURLWithPath: publicPath))
        return fingerprint(key.publicKey)
    }

    package static func loadPrivateKey(path: String) throws -> Curve25519.Signing.PrivateKey {
        let raw = try readKey(path: path, prefix: privatePrefix, kind: "private")
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw KeyError.malformed(path: path, expected: "private")
        }
        return key
    }

    package static func loadPublicKey(path: String) throws -> Curve25519.Signing.PublicKey {
        let raw = try readKey(path: path, prefix: publicPrefix, kind: "public")
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw KeyError.malformed(path: path, expected: "public")
        }
        return key
    }

    private static func readKey(path: String, prefix: String, kind: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw KeyError.unreadable(path: path) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(prefix), let raw = Data(base64Encoded: String(text.dropFirst(prefix.count))) else {
            throw KeyError.malformed(path: path, expected: kind)
        }
        return raw
    }

    package static func fingerprint(_ key: Curve25519.Signing.PublicKey) -> String {
        String(SHA256Hex.digest(key.rawRepresentation).prefix(16))
    }

    /// Signs the manifest of the run in `directory`, writing `manifest.sig`.
    package static func sign(directory: URL, key: Curve25519.Signing.PrivateKey) throws -> SignatureFile {
        let layout = ArchiveLayout(directory: directory)
        guard let manifest = FileManager.default.contents(atPath: layout.manifest.path) else {
            throw ArchiveError.missing(path: layout.manifest.path)
        }
        let signature = try key.signature(for: manifest)
        let file = SignatureFile(
            algorithm: "ed25519", publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
            keyFingerprint: fingerprint(key.publicKey), manifestSHA256: SHA256Hex.digest(manifest),
            signature: signature.base64EncodedString(), signedAt: Timestamp.now())
        try writeAtomically(CanonicalJSON.encodePretty(file), to: layout.signature)
        return file
    }

    /// Checks `manifest.sig` against the manifest bytes and, when given, a trusted public key.
    package static func check(
        directory: URL, trustedKey: Curve25519.Signing.PublicKey?
    ) -> Result<SignatureFile, ArchiveError> {
        let layout = ArchiveLayout(directory: directory)
        guard let data = FileManager.default.contents(atPath: layout.signature.path) else {
            return .failure(.missing(path: layout.signature.path))
        }
        guard let file = try? CanonicalJSON.decode(SignatureFile.self, from: data),
            let signature = Data(base64Encoded: file.signature),
            let embeddedRaw = Data(base64Encoded: file.publicKey),
            let embedded = try? Curve25519.Signing.PublicKey(rawRepresentation: embeddedRaw)
        else {
            return .failure(.corrupt(file: layout.signature.path, line: 1, reason: "not a readable signature file"))
        }
        guard let manifest = FileManager.default.contents(atPath: layout.manifest.path) else {
            return .failure(.missing(path: layout.manifest.path))
        }
        let key = trustedKey ?? embedded
        // Fingerprints are computed from the keys, never taken from the file: a forged file can
        // state any fingerprint it likes, the trusted key's included.
        let embeddedFingerprint = fingerprint(embedded)
        if let trustedKey, trustedKey.rawRepresentation != embedded.rawRepresentation {
            return .failure(
                .mismatch(
                    "\(layout.signature.path): signed by key \(embeddedFingerprint), not by the trusted key \(fingerprint(trustedKey))"
                ))
        }
        guard file.keyFingerprint == embeddedFingerprint else {
            return .failure(
                .mismatch(
                    "\(layout.signature.path): states key fingerprint \(file.keyFingerprint), but its key's fingerprint is \(embeddedFingerprint)"
                ))
        }
        guard key.isValidSignature(signature, for: manifest) else {
            return .failure(
                .mismatch(
                    "\(layout.signature.path): the signature does not match manifest.json (the manifest changed after signing, or the signature is forged)"
                ))
        }
        return .success(file)
    }
}
