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
        try writeAtomically(Data((SHA256Hex.digest(data) + "  manifest.json\n").utf8), to: layout.manifestDigest)
    }
}
