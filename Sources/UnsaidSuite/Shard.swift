import Crypto
import Foundation

/// One of N disjoint parts of a run plan (`unsaid run --shard I/N`), 1-based.
///
/// Which shard a request belongs to is a pure function of its key, so every machine of a sharded
/// audit agrees on the split without talking to the others, and a resumed shard plans exactly
/// the requests it planned before.
package struct Shard: Codable, Sendable, Hashable, CustomStringConvertible {
    /// 1...count.
    package var index: Int
    package var count: Int

    /// More shards than this is a typo, not an audit (and keeps `index` printable everywhere).
    package static let maximumCount = 100_000

    package init?(index: Int, count: Int) {
        guard count >= 1, count <= Self.maximumCount, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    package var description: String { "\(index)/\(count)" }

    /// `I/N` as the command line spells it; the error says what is wrong in one line.
    package static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("--shard '\(text)' is not of the form I/N (e.g. 2/8)")
        }
        guard count >= 1, count <= maximumCount else {
            throw ShardError("--shard '\(text)': the number of shards must be between 1 and \(maximumCount)")
        }
        guard let shard = Shard(index: index, count: count) else {
            throw ShardError("--shard '\(text)': the shard index must be between 1 and \(count) (shards count from 1)")
        }
        return shard
    }

    /// Whether this shard sends `key`.
    package func contains(_ key: WorkKey) -> Bool {
        Self.index(of: key, count: count) == index
    }

    /// The 1-based shard of `key` among `count`: the first 8 bytes of SHA-256 over the key's
    /// suite, probe hash and sample (each followed by a NUL byte, the sample in decimal), read
    /// big-endian, modulo `count`, plus one.
    ///
    /// SHA-256 and not Swift's `Hasher`, which is seeded per process: two machines must agree.
    /// The transport mode is left out on purpose, so a probe sent both ways (`--stream both`)
    /// has both answers in one shard; the cross-mode finding that compares them is then the same
    /// in the shard's own archive as in the merged one. Follow-up turns are not planned: they are
    /// sent by the shard that sent their first turn.
    package static func index(of key: WorkKey, count: Int) -> Int {
        var hasher = SHA256()
        for field in [key.suite, key.probeHash, String(key.sample)] {
            hasher.update(data: Data(field.utf8))
            hasher.update(data: Data([0]))
        }
        var value: UInt64 = 0
        for byte in hasher.finalize().prefix(8) { value = value << 8 | UInt64(byte) }
        return Int(value % UInt64(max(1, count))) + 1
    }

    /// The part of `plan` this shard sends, in plan order.
    package func slice(_ plan: [WorkItem]) -> [WorkItem] {
        plan.filter { contains($0.key) }
    }
}

/// A bad `--shard`, `--shards` or shard environment variable: one line for the terminal.
package struct ShardError: Error, CustomStringConvertible, Equatable {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// `--shard-from-env`: the shard index as the job runner hands it to each task.
///
/// Conventions (the index each runner sets, and how it becomes a 1-based shard):
/// - `JOB_COMPLETION_INDEX` (Kubernetes Indexed Job): 0-based, 0...completions-1; shard = value + 1.
/// - `SLURM_ARRAY_TASK_ID` (Slurm job array): whatever `--array` says; counted from
///   `SLURM_ARRAY_TASK_MIN` (which Slurm sets beside it), so `--array=0-7` and `--array=1-8`
///   both give shards 1...8. Arrays with a step (`1-15:2`) are refused.
/// - `CI_NODE_INDEX` (GitLab `parallel:`, or a GitHub Actions matrix that sets it): 1-based,
///   1...CI_NODE_TOTAL; shard = value. `CI_NODE_TOTAL`, when set, must equal `--shards`.
/// The first of these that is set wins, in this order.
package enum ShardEnvironment {
    package static let variables = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "CI_NODE_INDEX"]

    package struct Resolved: Sendable, Equatable {
        package var shard: Shard
        /// E.g. `JOB_COMPLETION_INDEX=3 (0-based)`: recorded in the manifest and printed.
        package var source: String

        package init(shard: Shard, source: String) {
            self.shard = shard
            self.source = source
        }
    }

    package static func resolve(count: Int, environment: [String: String]) throws -> Resolved {
        guard count >= 1, count <= Shard.maximumCount else {
            throw ShardError("--shards \(count): the number of shards must be between 1 and \(Shard.maximumCount)")
        }
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ShardError("--shard-from-env: \(name)='\(text)' is not a whole number")
            }
            return value
        }
        func shard(_ index: Int, from name: String, value: Int, convention: String) throws -> Resolved {
            guard let shard = Shard(index: index, count: count) else {
                throw ShardError(
                    "--shard-from-env: \(name)=\(value) (\(convention)) is shard \(index), outside 1...\(count) of --shards \(count)"
                )
            }
            return Resolved(shard: shard, source: "\(name)=\(value) (\(convention))")
        }
        if let value = try integer("JOB_COMPLETION_INDEX") {
            return try shard(value + 1, from: "JOB_COMPLETION_INDEX", value: value, convention: "0-based")
        }
        if let value = try integer("SLURM_ARRAY_TASK_ID") {
            if let step = try integer("SLURM_ARRAY_TASK_STEP"), step != 1 {
                throw ShardError(
                    "--shard-from-env: SLURM_ARRAY_TASK_STEP=\(step); use a contiguous --array such as 1-\(count)")
            }
            if let tasks = try integer("SLURM_ARRAY_TASK_COUNT"), tasks != count {
                throw ShardError("--shard-from-env: SLURM_ARRAY_TASK_COUNT=\(tasks) but --shards \(count)")
            }
            let minimum = try integer("SLURM_ARRAY_TASK_MIN") ?? 1
            return try shard(
                value - minimum + 1, from: "SLURM_ARRAY_TASK_ID", value: value,
                convention: "counted from SLURM_ARRAY_TASK_MIN=\(minimum)")
        }
        if let value = try integer("CI_NODE_INDEX") {
            if let total = try integer("CI_NODE_TOTAL"), total != count {
                throw ShardError("--shard-from-env: CI_NODE_TOTAL=\(total) but --shards \(count)")
            }
            return try shard(value, from: "CI_NODE_INDEX", value: value, convention: "1-based")
        }
        throw ShardError("--shard-from-env: none of \(variables.joined(separator: ", ")) is set")
    }
}

/// The digest of a whole run plan (before any shard takes its part): SHA-256 over each planned
/// request's suite, probe, probe hash, sample and mode, NUL-separated, one request per line, in
/// plan order. Shards of one audit share it; `merge` refuses shards whose digests differ.
package enum PlanDigest {
    package static func digest<Keys: Sequence<WorkKey>>(_ keys: Keys) -> String {
        var hasher = SHA256()
        for key in keys {
            for field in [key.suite, key.probe, key.probeHash, String(key.sample), key.streamed ? "stream" : "json"] {
                hasher.update(data: Data(field.utf8))
                hasher.update(data: Data([0]))
            }
            hasher.update(data: Data([0x0A]))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
