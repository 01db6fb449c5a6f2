import Foundation
import UnsaidSuite

extension Manifest {
    /// A shard's place in its audit: enough for `merge` to check that shards belong together
    /// (same plan digest and count) and that none is missing.
    package struct ShardInfo: Codable, Sendable, Equatable {
        /// 1...count.
        package var index: Int
        package var count: Int
        /// `PlanDigest` of the whole plan, before the shard took its part.
        package var planDigest: String
        /// Requests in the whole plan (the manifest's `planned` counts this shard's part).
        package var wholePlan: Int
        /// How the index was chosen: `--shard` or the environment variable and its convention.
        package var source: String

        package init(shard: Shard, planDigest: String, wholePlan: Int, source: String) {
            self.index = shard.index
            self.count = shard.count
            self.planDigest = planDigest
            self.wholePlan = wholePlan
            self.source = source
        }

        package var name: String { "\(index)/\(count)" }
    }

    /// The shards a merged run was made of. Each shard's manifest is kept byte for byte under
    /// `shards/`, and `provenance.jsonl` says for every merged record which shard line it was,
    /// so `verify` can rebuild every shard's own chain from the merged records.
    package struct MergeInfo: Codable, Sendable, Equatable {
        package var shardCount: Int
        package var planDigest: String
        /// True when some shards were missing or unfinished (`merge --allow-partial`).
        package var partial: Bool
        package var shards: [MergedShard]
        /// Shards left out, e.g. `3/8: missing`, `5/8: not finished (status running)`.
        package var missing: [String]

        package init(shardCount: Int, planDigest: String, partial: Bool, shards: [MergedShard], missing: [String]) {
            self.shardCount = shardCount
            self.planDigest = planDigest
            self.partial = partial
            self.shards = shards
            self.missing = missing
        }
    }

    /// One shard of a merged run, as it was when merged.
    package struct MergedShard: Codable, Sendable, Equatable {
        package var index: Int
        package var runID: String
        /// Where the merged run keeps the shard's manifest (relative to the run directory).
        package var manifestFile: String
        /// SHA-256 of the shard's `manifest.json` bytes.
        package var manifestSHA256: String
        /// The shard's own transcript chain head and record count.
        package var chainHead: String
        package var records: Int
        /// The shard's file digests, as its manifest committed to them.
        package var files: [String: FileDigest]

        package init(index: Int, runID: String, manifestFile: String, manifestSHA256: String, chainHead: String,
                    records: Int, files: [String: FileDigest]) {
            self.index = index
            self.runID = runID
            self.manifestFile = manifestFile
            self.manifestSHA256 = manifestSHA256
            self.chainHead = chainHead
            self.records = records
            self.files = files
        }
    }
}
