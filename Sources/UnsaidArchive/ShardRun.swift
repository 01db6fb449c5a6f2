import Foundation
import UnsaidSupport

/// A shard's run directory as `merge` reads it: the manifest, and its exact bytes (kept in the
/// merged run as provenance).
package struct ShardRun: Sendable {
    package var directory: URL
    package var manifest: Manifest
    package var manifestBytes: Data
    package var shard: Manifest.ShardInfo

    package var layout: ArchiveLayout { ArchiveLayout(directory: directory) }

    /// Names the shard and its directory in messages: `shard 2/4 (Results/a-shard-2-of-4)`.
    package var label: String { "shard \(shard.name) (\(directory.path))" }

    package static func read(_ directory: URL) throws -> ShardRun {
        let layout = ArchiveLayout(directory: directory)
        let manifest: Manifest
        do {
            manifest = try ArchiveReader.readManifest(layout)
        } catch {
            throw MergeRefusal("\(error)")
        }
        guard let bytes = FileManager.default.contents(atPath: layout.manifest.path) else {
            throw MergeRefusal("\(layout.manifest.path): not readable")
        }
        if manifest.merge != nil {
            throw MergeRefusal("\(directory.path) is already a merged run; merge the shards themselves")
        }
        guard let shard = manifest.shard else {
            throw MergeRefusal("\(directory.path) is not a shard (it was run without --shard)")
        }
        if manifest.judge != nil {
            throw MergeRefusal("\(directory.path) was run with a judge; merging judged shards is not supported")
        }
        return ShardRun(directory: directory, manifest: manifest, manifestBytes: bytes, shard: shard)
    }
}

/// Why `merge` will not merge: one line for the terminal (the CLI exits 2).
package struct MergeRefusal: Error, CustomStringConvertible, Equatable {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// One line of a merged run's `provenance.jsonl`: which shard line merged record `seq` was.
/// With the shard's `seq` and `prev`, the merged record's probe and transcript re-encode to the
/// shard's line byte for byte, so its hash (`shardHash`) and every shard's chain can be rebuilt
/// from the merged run alone.
package struct ProvenanceRecord: Codable, Sendable, Equatable {
    package static let fileName = "provenance.jsonl"

    package var seq: Int
    package var shard: Int
    package var shardSeq: Int
    package var shardPrev: String
    package var shardHash: String

    /// The shard's own line for `record` (merged), as this provenance says it was.
    func shardLine(of record: TranscriptRecord) throws -> Data {
        try CanonicalJSON.encode(
            TranscriptRecord(
                seq: shardSeq, prev: shardPrev, probe: record.probe,
                transcript: record.transcript))
    }
}
