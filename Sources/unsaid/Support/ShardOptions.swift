import ArgumentParser
import Foundation
import UnsaidRun
import UnsaidSuite

/// `unsaid run --shard I/N` or `--shard-from-env --shards N`: send one of N disjoint parts of
/// the run plan, chosen from each request's key, so the machines of a sharded audit agree on
/// the split without talking to each other.
struct ShardOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Send only the I-th of N disjoint parts of the plan (1-based), e.g. 2/8; merge the parts with unsaid merge.",
            valueName: "I/N"))
    var shard: String?

    @Flag(
        name: .long,
        help:
            "Take the shard index from JOB_COMPLETION_INDEX (Kubernetes, 0-based), SLURM_ARRAY_TASK_ID (from SLURM_ARRAY_TASK_MIN) or CI_NODE_INDEX (1-based); needs --shards."
    )
    var shardFromEnv = false

    @Option(name: .long, help: ArgumentHelp("The number of shards, with --shard-from-env.", valueName: "N"))
    var shards: Int?

    var isSet: Bool { shard != nil || shardFromEnv || shards != nil }

    /// The shard this process runs, or nil for a whole run. Every problem is one line (exit 2).
    func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ShardEnvironment.Resolved? {
        do {
            if let shard {
                if shardFromEnv {
                    throw ConfigurationError("--shard and --shard-from-env contradict each other; give one")
                }
                if shards != nil {
                    throw ConfigurationError("--shards goes with --shard-from-env; --shard I/N already says N")
                }
                return ShardEnvironment.Resolved(shard: try Shard.parse(shard), source: "--shard \(shard)")
            }
            if shardFromEnv {
                guard let shards else {
                    throw ConfigurationError("--shard-from-env needs --shards N (the number of shards)")
                }
                return try ShardEnvironment.resolve(count: shards, environment: environment)
            }
            if shards != nil { throw ConfigurationError("--shards N goes with --shard-from-env") }
            return nil
        } catch let error as ShardError {
            throw ConfigurationError(error.description)
        }
    }

    /// The directory-name suffix that keeps the shards of one run id apart: `-shard-2-of-8`.
    static func runIDSuffix(index: Int, count: Int) -> String { RunPlanning.runIDSuffix(index: index, count: count) }
}
