import Foundation
import UnsaidSupport

/// Writes `manifest.json` and its digest sidecar `manifest.sha256`.
///
/// The manifest commits to every other file; the sidecar lets `unsaid verify` notice a changed
/// byte in the manifest itself on an unsigned archive. (Without a signature this proves
/// integrity, not authorship: anyone can rewrite both files. `unsaid sign` adds authorship.)
package enum ManifestFile {
    package static func write(_ manifest: Manifest, layout: ArchiveLayout) throws {
        let data = try CanonicalJSON.encodePretty(manifest)
        try writeAtomically(data, to: layout.manifest)
        try writeAtomically(sidecar(for: data), to: layout.manifestDigest)
    }

    /// The bytes of `manifest.sha256` for a manifest's bytes, as `sha256sum` would print them.
    package static func sidecar(for manifest: Data) -> Data {
        Data((SHA256Hex.digest(manifest) + "  manifest.json\n").utf8)
    }
}
