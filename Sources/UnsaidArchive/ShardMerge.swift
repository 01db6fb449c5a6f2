#if canImport(Glibc)
import Glibc
#endif
import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// `unsaid merge`: the shards of one audit into one archive, every record in plan order under a
/// new hash chain, with each shard's manifest and a line of provenance per record.
///
/// Memory: the archive is streamed twice (an index pass, then a copy pass that reads each record
/// at its offset), so what is held is the plan's key index and about 80 bytes per record, never
/// the records themselves.
package enum ShardMerge {
    /// The shards that go into a merged run, and what is left out.
    package struct Selection: Sendable {
        /// In shard order.
        package var shards: [ShardRun]
        /// E.g. `3/4: missing`, `2/4: not finished (status running)`.
        package var missing: [String]
        package var count: Int
        package var planDigest: String
    }

    /// Checks that the given shards belong to one audit and says which are missing or unfinished.
    /// Refuses (one line) shards of different suites, rulesets, targets, shard counts or plans,
    /// the same shard twice, and — unless `allowPartial` — missing or unfinished shards.
    package static func select(_ runs: [ShardRun], allowPartial: Bool) throws -> Selection {
        guard let first = runs.first else { throw MergeRefusal("no shard runs given") }
        for run in runs.dropFirst() {
            try checkSameAudit(first, run)
        }
        var byIndex: [Int: ShardRun] = [:]
        for run in runs {
            if let other = byIndex[run.shard.index] {
                throw MergeRefusal(
                    "shard \(run.shard.name) given twice: \(other.directory.path) and \(run.directory.path)")
            }
            byIndex[run.shard.index] = run
        }
        var missing: [String] = []
        var included: [ShardRun] = []
        for index in 1...first.shard.count {
            guard let run = byIndex[index] else {
                missing.append("\(index)/\(first.shard.count): missing")
                continue
            }
            if let live = ArchiveLock.holder(of: run.directory) {
                missing.append(
                    "\(run.shard.name): still being written\(live.pid.map { " (pid \($0))" } ?? "") in \(run.directory.path)"
                )
            } else if run.manifest.status != .complete {
                missing.append(
                    "\(run.shard.name): not finished (status \(run.manifest.status.rawValue)) in \(run.directory.path)")
            } else {
                included.append(run)
            }
        }
        if !missing.isEmpty && !allowPartial {
            throw MergeRefusal(
                "shards missing or unfinished: \(missing.joined(separator: "; ")); pass every shard, resume the unfinished ones, or use --allow-partial"
            )
        }
        if included.isEmpty {
            throw MergeRefusal("no finished shard to merge (\(missing.joined(separator: "; ")))")
        }
        return Selection(
            shards: included, missing: missing, count: first.shard.count, planDigest: first.shard.planDigest)
    }

    private static func checkSameAudit(_ first: ShardRun, _ run: ShardRun) throws {
        let a = first.manifest
        let b = run.manifest
        func suites(_ manifest: Manifest) -> String {
            manifest.suites.map { "\($0.id) \($0.version)" }.joined(separator: ", ")
        }
        // Paths may differ between machines; what was loaded is the ids, versions and bytes.
        func suiteIdentity(_ manifest: Manifest) -> [String] {
            manifest.suites.map { suite in
                "\(suite.id)\u{0}\(suite.version)\u{0}\(suite.probes)\u{0}"
                    + suite.sources.map(\.sha256).sorted().joined(separator: ",")
            }
        }
        if suiteIdentity(a) != suiteIdentity(b) {
            throw MergeRefusal(
                "different suites: \(first.directory.path) ran \(suites(a)), \(run.directory.path) ran \(suites(b))")
        }
        if a.ruleset != b.ruleset {
            throw MergeRefusal(
                "different rulesets: \(first.directory.path) was scored with \(a.ruleset.version) (\(a.ruleset.sha256.prefix(12))), \(run.directory.path) with \(b.ruleset.version) (\(b.ruleset.sha256.prefix(12)))"
            )
        }
        if a.target != b.target {
            throw MergeRefusal(
                "different targets: \(first.directory.path) ran \(a.target.model) at \(a.target.baseURL), \(run.directory.path) ran \(b.target.model) at \(b.target.baseURL) (or other parameters)"
            )
        }
        if first.shard.count != run.shard.count {
            throw MergeRefusal(
                "different shard counts: \(first.directory.path) is one of \(first.shard.count), \(run.directory.path) one of \(run.shard.count)"
            )
        }
        if first.shard.planDigest != run.shard.planDigest {
            throw MergeRefusal(
                "different plan digests: \(first.directory.path) has \(first.shard.planDigest.prefix(12)), \(run.directory.path) has \(run.shard.planDigest.prefix(12)) (another selection or stream mode)"
            )
        }
    }

    /// The whole plan's keys, rebuilt from the suite files the shards ran (their paths as
    /// recorded), checked against the recorded suite digests and plan digest.
    package static func plan(for shard: ShardRun) throws -> PlanIndex {
        let arguments = shard.manifest.arguments
        let suites: [Suite]
        do {
            let loaded = try SuiteLoader.load(paths: arguments.suitePaths.map(InstalledResources.suitePath))
            suites = try TransformExpansion.expand(loaded, with: (arguments.transforms ?? []).map(TransformSpec.parse))
        } catch {
            throw MergeRefusal(
                "merge needs the suite files the shards ran (\(arguments.suitePaths.joined(separator: ", "))): \(String(describing: error).split(separator: "\n").first ?? "")"
            )
        }
        let recorded = Set(shard.manifest.suites.flatMap(\.sources).map(\.sha256))
        for source in suites.flatMap(\.sources) where !recorded.contains(source.sha256) {
            throw MergeRefusal(
                "suite file \(source.path) changed since the shards ran (SHA-256 now \(source.sha256.prefix(12)))")
        }
        // Planned as the shards planned it, without materialising the items or their keys: an
        // array of the keys (each with its 64-digit probe hash) was about 25 MB for 100,000
        // requests, a third of the merge's peak; the index is a few tens of bytes a request.
        let planned = try PlannedRequests(
            suites: suites, streamMode: arguments.forcedStreamMode, selection: arguments.selection ?? RunSelection())
        guard PlanDigest.digest(planned.keys) == shard.shard.planDigest else {
            throw MergeRefusal(
                "the suites at \(arguments.suitePaths.joined(separator: ", ")) no longer plan what the shards ran (plan digest differs)"
            )
        }
        return PlanIndex(planned.keys)
    }

    /// What to write the merged run as.
    package struct Output: Sendable {
        package var layout: ArchiveLayout
        package var runID: String
        package var tool: Manifest.Tool
        package var host: String

        package init(layout: ArchiveLayout, runID: String, tool: Manifest.Tool, host: String) {
            self.layout = layout
            self.runID = runID
            self.tool = tool
            self.host = host
        }
    }

    /// Writes the merged run into `output.layout.directory` (which the caller created and locked).
    /// Every shard must verify before this is called; records are checked again as they are copied.
    @discardableResult
    package static func write(_ selection: Selection, plan: PlanIndex, to output: Output) throws -> Manifest {
        let layout = output.layout
        let index = try indexRecords(selection, plan: plan)
        let fileManager = FileManager.default
        guard let reference = selection.shards.first else { throw MergeRefusal("no finished shard to merge") }

        // The transcripts, in plan order, under a new chain; provenance beside them.
        var transcripts = BufferedLines(try AppendOnlyFile(truncating: layout.transcripts.path))
        var provenance = BufferedLines(
            try AppendOnlyFile(
                truncating: layout.directory.appendingPathComponent(ProvenanceRecord.fileName).path))
        let readers = try selection.shards.map { try RecordFile(path: $0.layout.transcripts.path) }
        var head = ArchiveChain.genesis
        var sequence = 0
        for entry in index.sorted(by: { ($0.position, $0.turn) < ($1.position, $1.turn) }) {
            let shard = selection.shards[entry.shard]
            let bytes = try readers[entry.shard].read(offset: entry.offset, length: entry.length)
            guard Digest128(bytes) == entry.check else {
                throw MergeRefusal("\(shard.layout.transcripts.path):\(entry.shardSeq): changed while merging")
            }
            let original: TranscriptRecord
            do {
                original = try CanonicalJSON.decode(TranscriptRecord.self, from: bytes)
            } catch {
                throw MergeRefusal("\(shard.layout.transcripts.path):\(entry.shardSeq): not a transcript record")
            }
            let link = ProvenanceRecord(
                seq: sequence + 1, shard: shard.shard.index, shardSeq: original.seq,
                shardPrev: original.prev, shardHash: ArchiveChain.hash(ofLine: bytes))
            // Provenance is only worth keeping if the shard's line can be rebuilt from the merged record.
            guard try link.shardLine(of: original) == bytes else {
                throw MergeRefusal(
                    "\(shard.layout.transcripts.path):\(entry.shardSeq): the record does not re-encode to the same bytes; it cannot be merged verifiably"
                )
            }
            sequence += 1
            let line = try CanonicalJSON.encode(
                TranscriptRecord(
                    seq: sequence, prev: head, probe: original.probe,
                    transcript: original.transcript))
            head = ArchiveChain.hash(ofLine: line)
            try transcripts.append(line)
            try provenance.append(CanonicalJSON.encode(link))
        }
        try transcripts.finish()
        try provenance.finish()

        // The ruleset every shard was scored with (they are the same bytes: the digests matched).
        let rulesetBytes: Data
        do {
            rulesetBytes = try Data(contentsOf: reference.layout.ruleset)
        } catch {
            throw MergeRefusal("\(reference.layout.ruleset.path): \(error.localizedDescription)")
        }
        try writeAtomically(rulesetBytes, to: layout.ruleset)
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset.load(from: rulesetBytes)
        } catch {
            throw MergeRefusal("\(reference.layout.ruleset.path): cannot be loaded (\(error))")
        }
        // Verdicts are re-derived over the merged run (a probe's two modes meet here even if
        // an older split had put them in different shards).
        let scored = try ArchiveScoring.score(
            layout, engine: VerdictEngine(ruleset: ruleset), to: layout.verdicts)

        // Each shard's manifest, byte for byte.
        let shardsDirectory = layout.directory.appendingPathComponent("shards")
        do {
            try fileManager.createDirectory(at: shardsDirectory, withIntermediateDirectories: true)
        } catch {
            throw ArchiveError.io(path: shardsDirectory.path, reason: error.localizedDescription)
        }
        var merged: [Manifest.MergedShard] = []
        var files: [String: Manifest.FileDigest] = [:]
        for shard in selection.shards {
            let name = "shards/shard-\(shard.shard.index)-of-\(shard.shard.count).manifest.json"
            try writeAtomically(shard.manifestBytes, to: layout.directory.appendingPathComponent(name))
            files[name] = try FileDigester.digest(layout.directory.appendingPathComponent(name))
            merged.append(
                Manifest.MergedShard(
                    index: shard.shard.index, runID: shard.manifest.runID, manifestFile: name,
                    manifestSHA256: SHA256Hex.digest(shard.manifestBytes),
                    chainHead: shard.manifest.chainHead, records: shard.manifest.completed,
                    files: shard.manifest.files))
        }
        files[ArchiveLayout.transcriptsName] = try FileDigester.digest(layout.transcripts)
        files[ArchiveLayout.verdictsName] = try FileDigester.digest(layout.verdicts)
        files[ArchiveLayout.rulesetName] = try FileDigester.digest(layout.ruleset)
        files[ProvenanceRecord.fileName] = try FileDigester.digest(
            layout.directory.appendingPathComponent(ProvenanceRecord.fileName))

        let first = reference.manifest
        var manifest = Manifest(
            runID: output.runID, tool: output.tool, host: output.host,
            startedAt: selection.shards.map(\.manifest.startedAt).min() ?? first.startedAt,
            target: first.target, suites: first.suites, arguments: first.arguments, ruleset: first.ruleset,
            planned: reference.shard.wholePlan)
        manifest.finishedAt = selection.shards.compactMap(\.manifest.finishedAt).max() ?? Timestamp.now()
        manifest.status = .complete
        manifest.completed = sequence
        manifest.counts = scored.counts
        manifest.chainHead = head
        manifest.files = files
        manifest.merge = Manifest.MergeInfo(
            shardCount: selection.count, planDigest: selection.planDigest,
            partial: !selection.missing.isEmpty, shards: merged, missing: selection.missing)
        try ManifestFile.write(manifest, layout: layout)
        return manifest
    }

    /// Where each record of every shard is, and where it goes in plan order.
    struct Entry {
        /// Plan position of the request, or of the first turn of a follow-up's conversation.
        var position: Int
        /// 1 for a planned request, 2… for follow-up turns (sent after their parent).
        var turn: Int
        /// Index into `Selection.shards`.
        var shard: Int
        var shardSeq: Int
        var offset: Int
        var length: Int
        /// The line's digest, to notice a shard that changed between the two passes.
        var check: Digest128
    }

    /// The index pass: every shard's chain checked again as it is read, every record placed in
    /// the plan, each request allowed once across all shards and only in its own shard.
    static func indexRecords(_ selection: Selection, plan: PlanIndex) throws -> [Entry] {
        var entries: [Entry] = []
        var seen = RequestKeyIndex()
        for (position, shard) in selection.shards.enumerated() {
            let path = shard.layout.transcripts.path
            guard let reader = LineReader(path: path) else { throw ArchiveError.missing(path: path) }
            var previous = ArchiveChain.genesis
            var lineNumber = 0
            while let line = try reader.next() {
                lineNumber += 1
                guard line.terminated, let record = try? CanonicalJSON.decode(TranscriptRecord.self, from: line.bytes)
                else {
                    throw MergeRefusal("\(path):\(lineNumber): not a whole transcript record")
                }
                guard record.seq == lineNumber, record.prev == previous else {
                    throw MergeRefusal("\(path):\(lineNumber): the chain is broken")
                }
                previous = ArchiveChain.hash(ofLine: line.bytes)
                let key = record.transcript.key
                let placed: (position: Int, turn: Int)
                if let turn = record.probe.turn {
                    guard
                        let root = plan.position(
                            suite: key.suite, probe: turn.root, sample: key.sample, streamed: key.streamed)
                    else {
                        throw MergeRefusal("\(path):\(lineNumber): follow-up \(key) belongs to no planned request")
                    }
                    placed = (root, turn.turn)
                } else {
                    guard let at = plan.position(of: key) else {
                        throw MergeRefusal("\(path):\(lineNumber): \(key) is not in the plan")
                    }
                    guard shard.shard.index == Shard.index(of: key, count: selection.count) else {
                        throw MergeRefusal(
                            "\(path):\(lineNumber): \(key) belongs to shard \(Shard.index(of: key, count: selection.count))/\(selection.count), not \(shard.shard.name)"
                        )
                    }
                    placed = (at, 1)
                }
                if let first = seen.insert(key, line: entries.count) {
                    let other = selection.shards[entries[first].shard]
                    throw MergeRefusal(
                        "request \(key) is present twice: \(other.label) line \(entries[first].shardSeq) and \(shard.label) line \(lineNumber)"
                    )
                }
                entries.append(
                    Entry(
                        position: placed.position, turn: placed.turn, shard: position, shardSeq: lineNumber,
                        offset: line.offset, length: line.bytes.count, check: Digest128(line.bytes)))
            }
            guard previous == shard.manifest.chainHead, lineNumber == shard.manifest.completed else {
                throw MergeRefusal(
                    "\(path): \(lineNumber) records ending in \(previous.prefix(12)), its manifest says \(shard.manifest.completed) ending in \(shard.manifest.chainHead.prefix(12))"
                )
            }
        }
        return entries
    }
}

/// The plan's requests by (suite, probe, sample, mode), as 128-bit digests with their position
/// and a digest of the probe hash: a plan of any size in a few tens of bytes per request.
package struct PlanIndex: Sendable {
    private var slots: [Digest128: (position: Int, probeHash: Digest128)] = [:]

    init(_ keys: some Sequence<WorkKey>) {
        for (position, key) in keys.enumerated() {
            let slot = Self.slot(suite: key.suite, probe: key.probe, sample: key.sample, streamed: key.streamed)
            if slots[slot] == nil { slots[slot] = (position, Digest128(Data(key.probeHash.utf8))) }
        }
    }

    func position(of key: WorkKey) -> Int? {
        guard
            let found = slots[
                Self.slot(suite: key.suite, probe: key.probe, sample: key.sample, streamed: key.streamed)],
            found.probeHash == Digest128(Data(key.probeHash.utf8))
        else { return nil }
        return found.position
    }

    func position(suite: String, probe: String, sample: Int, streamed: Bool) -> Int? {
        slots[Self.slot(suite: suite, probe: probe, sample: sample, streamed: streamed)]?.position
    }

    private static func slot(suite: String, probe: String, sample: Int, streamed: Bool) -> Digest128 {
        Digest128(fields: [suite, probe, String(sample), streamed ? "s" : "j"])
    }
}

/// Reads whole lines at known offsets of a file: a shard's transcripts (the copy pass), a run's
/// judge exchanges (`JudgeIndex`). Shared between threads: it only ever calls `pread` on a
/// descriptor that does not change.
final class RecordFile: @unchecked Sendable {
    private let descriptor: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { _ = close(descriptor) }

    func read(offset: Int, length: Int) throws -> Data {
        var data = Data(count: length)
        var done = 0
        try data.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) in
            guard let base = buffer.baseAddress else { return }
            while done < length {
                let result = pread(descriptor, base + done, length - done, off_t(offset + done))
                if result < 0 && errno == EINTR { continue }
                if result < 0 { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
                if result == 0 { throw ArchiveError.io(path: path, reason: "ends before offset \(offset + length)") }
                done += result
            }
        }
        return data
    }
}
