import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidArchive

@Suite("Shards: partition, flags and job-runner indexes")
struct ShardTests {
    private func key(
        _ suite: String, _ hash: String, _ sample: Int, streamed: Bool = true, probe: String = "p"
    ) -> WorkKey {
        WorkKey(suite: suite, probe: probe, probeHash: hash, sample: sample, streamed: streamed)
    }

    /// Computed outside Swift, in a shell, so they pin the partition across processes, machines
    /// and versions: `printf '%s\0%s\0%s\0' SUITE HASH SAMPLE | sha256sum`, the first 16 hex
    /// digits as a number, modulo N, plus one. E.g. cli/aaaa#1 → 1c1a3e156e2d6cb7, which is odd
    /// (shard 2 of 2) and ≡ 3 mod 4 (shard 4 of 4).
    @Test func assignmentsMatchOnesComputedBySha256sum() {
        let expected: [(WorkKey, [Int: Int])] = [
            (key("cli", "aaaa", 0), [1: 1, 2: 1, 3: 1, 4: 1, 7: 1, 10: 7]),
            (key("cli", "aaaa", 1), [1: 1, 2: 2, 3: 2, 4: 4, 7: 7, 10: 4]),
            (key("cli", "bbbb", 0), [1: 1, 2: 2, 3: 3, 4: 4, 7: 1, 10: 6]),
            (key("censorship", "0123456789abcdef", 2), [1: 1, 2: 2, 3: 1, 4: 4, 7: 2, 10: 4]),
            (key("中文", "ff", 7), [1: 1, 2: 2, 3: 3, 4: 4, 7: 1, 10: 10]),
        ]
        for (key, byCount) in expected {
            for (count, shard) in byCount {
                #expect(Shard.index(of: key, count: count) == shard, "\(key) of \(count)")
            }
        }
    }

    @Test func bothModesOfASampleShareAShardAndTheProbeIdDoesNotMatter() {
        for sample in 0..<20 {
            let streamed = key("s", "h\(sample)", sample, streamed: true, probe: "a")
            let json = key("s", "h\(sample)", sample, streamed: false, probe: "b")
            #expect(Shard.index(of: streamed, count: 5) == Shard.index(of: json, count: 5))
        }
    }

    @Test func shardsAreDisjointAndCoverThePlan() throws {
        let probes = (0..<150).map {
            Probe(id: "p\($0)", messages: [ChatMessage(role: "user", content: "question \($0)")], stream: .both)
        }
        let plan = try RunPlan.items(for: Suite(id: "s", name: "s", probes: probes))
        for count in [1, 2, 3, 8] {
            let shards = (1...count).compactMap { Shard(index: $0, count: count) }
            let slices = shards.map { $0.slice(plan) }
            #expect(slices.map(\.count).reduce(0, +) == plan.count)
            #expect(Set(slices.flatMap { $0.map(\.key) }) == Set(plan.map(\.key)))
            for slice in slices {
                // A slice keeps plan order.
                let positions = slice.compactMap { item in plan.firstIndex { $0.key == item.key } }
                #expect(positions == positions.sorted())
                // Roughly even: 300 requests over 8 shards is about 37 each; a broken hash gives 0 or all.
                if count > 1 {
                    #expect(slice.count > plan.count / count / 3 && slice.count < plan.count * 2 / count + 10)
                }
            }
        }
    }

    @Test func badShardValuesAreOneLineEach() throws {
        let cases: [(String, String)] = [
            ("0/3", "--shard '0/3': the shard index must be between 1 and 3 (shards count from 1)"),
            ("4/3", "--shard '4/3': the shard index must be between 1 and 3 (shards count from 1)"),
            ("1/0", "--shard '1/0': the number of shards must be between 1 and 100000"),
            ("a/b", "--shard 'a/b' is not of the form I/N (e.g. 2/8)"),
            ("3", "--shard '3' is not of the form I/N (e.g. 2/8)"),
            ("1/2/3", "--shard '1/2/3' is not of the form I/N (e.g. 2/8)"),
        ]
        for (text, message) in cases {
            #expect(throws: ShardError(message)) { try Shard.parse(text) }
        }
        #expect(try Shard.parse("3/3") == Shard(index: 3, count: 3))
    }

    @Test func environmentIndexesFollowEachRunnersConvention() throws {
        // Kubernetes Indexed Jobs count from 0.
        let kubernetes = try ShardEnvironment.resolve(count: 4, environment: ["JOB_COMPLETION_INDEX": "0"])
        #expect(kubernetes.shard == Shard(index: 1, count: 4))
        #expect(kubernetes.source == "JOB_COMPLETION_INDEX=0 (0-based)")
        #expect(try ShardEnvironment.resolve(count: 4, environment: ["JOB_COMPLETION_INDEX": "3"]).shard.index == 4)
        #expect(
            throws: ShardError(
                "--shard-from-env: JOB_COMPLETION_INDEX=4 (0-based) is shard 5, outside 1...4 of --shards 4")
        ) {
            try ShardEnvironment.resolve(count: 4, environment: ["JOB_COMPLETION_INDEX": "4"])
        }
        // Slurm counts from wherever --array starts.
        let slurmZero = ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try ShardEnvironment.resolve(count: 4, environment: slurmZero).shard.index == 1)
        let slurmOne = ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_STEP": "1"]
        #expect(try ShardEnvironment.resolve(count: 4, environment: slurmOne).shard.index == 4)
        #expect(throws: ShardError("--shard-from-env: SLURM_ARRAY_TASK_COUNT=8 but --shards 4")) {
            try ShardEnvironment.resolve(
                count: 4, environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "8"])
        }
        #expect(throws: ShardError("--shard-from-env: SLURM_ARRAY_TASK_STEP=2; use a contiguous --array such as 1-4")) {
            try ShardEnvironment.resolve(
                count: 4, environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_STEP": "2"])
        }
        // GitLab's CI_NODE_INDEX counts from 1.
        #expect(
            try ShardEnvironment.resolve(count: 3, environment: ["CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"]).shard
                .index == 1)
        #expect(
            throws: ShardError("--shard-from-env: CI_NODE_INDEX=0 (1-based) is shard 0, outside 1...3 of --shards 3")
        ) {
            try ShardEnvironment.resolve(count: 3, environment: ["CI_NODE_INDEX": "0"])
        }
        // The first variable set wins, in the documented order; an empty one counts as unset.
        let both = ["JOB_COMPLETION_INDEX": "", "SLURM_ARRAY_TASK_ID": "2", "CI_NODE_INDEX": "1"]
        #expect(try ShardEnvironment.resolve(count: 3, environment: both).source.hasPrefix("SLURM_ARRAY_TASK_ID=2"))
        #expect(
            throws: ShardError(
                "--shard-from-env: none of JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, CI_NODE_INDEX is set")
        ) {
            try ShardEnvironment.resolve(count: 3, environment: [:])
        }
        #expect(throws: ShardError("--shard-from-env: JOB_COMPLETION_INDEX='x' is not a whole number")) {
            try ShardEnvironment.resolve(count: 3, environment: ["JOB_COMPLETION_INDEX": "x"])
        }
    }

    @Test func planDigestDependsOnEveryKeyAndTheirOrder() {
        let keys = [key("s", "a", 0), key("s", "b", 0), key("s", "b", 0, streamed: false)]
        let digest = PlanDigest.digest(keys)
        #expect(digest.count == 64)
        #expect(PlanDigest.digest([keys[1], keys[0], keys[2]]) != digest)
        #expect(PlanDigest.digest(Array(keys.prefix(2))) != digest)
        #expect(PlanDigest.digest([keys[0], keys[1], key("s", "b", 1, streamed: false)]) != digest)
        #expect(PlanDigest.digest(keys) == digest)
    }

    /// A shard's chain rebuilt from a merged run's provenance: any lost, doubled or relinked line shows.
    @Test func rebuiltShardChainsNoticeLostDoubledAndRelinkedLines() {
        let hashes = (1...3).map { SHA256Hex.digest("line \($0)") }
        func chain(_ links: [(Int, String, String)], expected: Int = 3, head: String? = nil) -> String? {
            var chain = MergeProvenance.ShardChain(expected: expected, head: head ?? hashes[2])
            for (seq, prev, hash) in links { chain.add(seq: seq, prev: prev, hash: hash) }
            return chain.problem()
        }
        let whole = [(3, hashes[1], hashes[2]), (1, ArchiveChain.genesis, hashes[0]), (2, hashes[0], hashes[1])]
        #expect(chain(whole) == nil)
        #expect(chain(Array(whole.prefix(2))) == "the merged run holds 2 of its 3 records")
        #expect(chain([whole[0], whole[1], whole[1]]) == "line 2 is missing or doubled")
        #expect(
            chain([whole[0], whole[1], (2, hashes[2], hashes[1])]) == "line 2 does not follow line 1 (chain broken)")
        #expect(
            chain(whole, head: hashes[1])
                == "the rebuilt chain does not end in its manifest's head \(hashes[1].prefix(12))")
        #expect(
            chain([whole[0], whole[1], (2, "not hex", hashes[1])])
                == "line 2: its provenance holds something that is not a SHA-256")
    }
}
