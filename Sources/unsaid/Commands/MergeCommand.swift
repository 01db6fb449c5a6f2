import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidSupport

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shards of a sharded run (run --shard) into one verifiable archive.",
        discussion: """
            Checks that every shard verifies and that they belong together (same suites, ruleset, \
            target, shard count and plan digest; each shard once; no request twice), then writes \
            <out>/<run-id>/ with every record in plan order under a new hash chain, verdicts \
            re-derived, each shard's manifest under shards/ and provenance.jsonl naming the shard \
            line of every record. unsaid verify on the merged run checks its chain and rebuilds \
            every shard's chain from it. The suite files the shards ran must be readable (the plan \
            order comes from them). Shards are only read; the merged run is written under its lock.

            Exit codes: 0 merged; 2 refused (one line saying why: shards of different suites, \
            rulesets, targets or plans, a shard given twice, a request present twice, shards \
            missing or unfinished without --allow-partial, a shard that does not verify).
            """)

    @Argument(help: ArgumentHelp("The shards' run directories.", valueName: "shard-run"))
    var shardRuns: [String] = []

    @Option(name: .long, help: ArgumentHelp("Directory that receives the merged run.", valueName: "dir"))
    var out: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Name of the merged run directory (default: the shards' run id without -shard-I-of-N).", valueName: "id"))
    var runID: String?

    @Flag(
        name: .long,
        help:
            "Merge the finished shards even if some are missing or unfinished; the merged run is marked partial and lists them."
    )
    var allowPartial = false

    func run() throws {
        guard !shardRuns.isEmpty else { throw ConfigurationError("cannot merge: give the shards' run directories") }
        do {
            try merge()
        } catch let error as MergeRefusal {
            throw ConfigurationError("cannot merge: \(error.description)")
        } catch let error as ArchiveLock.HeldError {
            throw ConfigurationError("cannot merge: \(error)")
        }
    }

    private func merge() throws {
        let runs = try shardRuns.map { try ShardRun.read(URL(fileURLWithPath: $0)) }
        let selection = try ShardMerge.select(runs, allowPartial: allowPartial)
        // Every shard must verify on its own before its records are trusted.
        for shard in selection.shards {
            let report = ArchiveVerifier.verify(directory: shard.directory)
            if let failure = report.firstFailure {
                throw MergeRefusal("\(shard.label) does not verify: \(failure.name): \(failure.detail)")
            }
        }
        guard let reference = selection.shards.first else { throw MergeRefusal("no finished shard to merge") }
        let plan = try ShardMerge.plan(for: reference)

        let id = runID ?? Self.defaultRunID(selection.shards)
        if let problem = SafeName.problem(with: id) { throw ConfigurationError("--run-id \(problem)") }
        let directory = URL(fileURLWithPath: out).appendingPathComponent(id)
        let fileManager = FileManager.default
        let existing = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
        if fileManager.fileExists(atPath: directory.path) && !existing.allSatisfy({ $0 == ArchiveLock.fileName }) {
            throw MergeRefusal("\(directory.path) already exists; choose another --out or --run-id")
        }
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("\(directory.path): \(error.localizedDescription)")
        }
        let lock = try ArchiveLock.acquire(directory)
        let manifest: Manifest
        do {
            manifest = try ShardMerge.write(
                selection, plan: plan,
                to: .init(
                    layout: ArchiveLayout(directory: directory), runID: id,
                    tool: .init(gitCommit: BuildInfo.gitCommit()),
                    host: BuildInfo.host))
        } catch {
            // Nothing half-merged is left behind to be mistaken for a run.
            for name in (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
            where name != ArchiveLock.fileName {
                try? fileManager.removeItem(at: directory.appendingPathComponent(name))
            }
            withExtendedLifetime(lock) {}
            try? fileManager.removeItem(at: directory)
            if let refusal = error as? MergeRefusal { throw refusal }
            throw ConfigurationError("cannot merge: \(error)")
        }
        withExtendedLifetime(lock) {}
        let counts = manifest.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print(
            "merged \(selection.shards.count) of \(selection.count) shards into \(directory.path): \(manifest.completed) records of \(manifest.planned) planned\(counts.isEmpty ? "" : " (\(counts))")"
        )
        if !selection.missing.isEmpty {
            print("partial: left out \(selection.missing.joined(separator: "; "))")
        }
    }

    /// The shards' common run id without its `-shard-I-of-N` suffix, else a fresh id.
    static func defaultRunID(_ shards: [ShardRun]) -> String {
        let bases = Set(
            shards.map { shard -> String in
                let suffix = ShardOptions.runIDSuffix(index: shard.shard.index, count: shard.shard.count)
                return shard.manifest.runID.hasSuffix(suffix)
                    ? String(shard.manifest.runID.dropLast(suffix.count)) : shard.manifest.runID
            })
        if bases.count == 1, let base = bases.first { return base + "-merged" }
        return ArchiveLayout.makeRunID(model: (shards.first?.manifest.target.model ?? "run") + "-merged")
    }
}
