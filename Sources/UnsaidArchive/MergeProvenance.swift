import Crypto
import Foundation
import UnsaidSupport

/// `verify` on a merged run: beyond its own chain, every record must have come from a shard
/// whose own chain holds. The merged run keeps each shard's manifest and, per record, the
/// shard's `seq`, `prev` and line hash (`provenance.jsonl`); from those and the merged records
/// every shard's chain is rebuilt line by line and must end in the head its manifest names.
package enum MergeProvenance {
    /// nil when everything holds, else the first problem (file, line, what differs).
    package static func check(_ layout: ArchiveLayout, manifest: Manifest) -> String? {
        guard let merge = manifest.merge else { return nil }
        let directory = layout.directory
        // The extra files a merged run commits to: provenance and the kept shard manifests.
        let standard: Set<String> = [
            ArchiveLayout.transcriptsName, ArchiveLayout.verdictsName, ArchiveLayout.rulesetName,
            JudgeRecords.fileName,
        ]
        for (name, expected) in manifest.files.sorted(by: { $0.key < $1.key }) where !standard.contains(name) {
            let url = directory.appendingPathComponent(name)
            do {
                let actual = try FileDigester.digest(url)
                if actual != expected {
                    return
                        "\(url.path): SHA-256 \(actual.sha256) (\(actual.bytes) bytes), manifest says \(expected.sha256) (\(expected.bytes) bytes)"
                }
            } catch {
                return "\(error)"
            }
        }
        guard manifest.files[ProvenanceRecord.fileName] != nil else {
            return "manifest lists no digest for \(ProvenanceRecord.fileName)"
        }
        var chains: [Int: ShardChain] = [:]
        for shard in merge.shards {
            guard manifest.files[shard.manifestFile] != nil else {
                return "manifest lists no digest for \(shard.manifestFile)"
            }
            let url = directory.appendingPathComponent(shard.manifestFile)
            guard let bytes = FileManager.default.contents(atPath: url.path) else { return "\(url.path): missing" }
            guard SHA256Hex.digest(bytes) == shard.manifestSHA256 else {
                return "\(url.path): not the manifest of shard \(shard.index) that was merged (SHA-256 differs)"
            }
            guard let kept = try? CanonicalJSON.decode(Manifest.self, from: bytes) else {
                return "\(url.path): not a manifest"
            }
            guard let info = kept.shard, info.index == shard.index, info.count == merge.shardCount,
                info.planDigest == merge.planDigest
            else {
                return
                    "\(url.path): is not shard \(shard.index)/\(merge.shardCount) of plan \(merge.planDigest.prefix(12))"
            }
            guard kept.status == .complete, kept.chainHead == shard.chainHead, kept.completed == shard.records else {
                return
                    "\(url.path): the shard's manifest does not say what the merge recorded (status, head or records)"
            }
            chains[shard.index] = ShardChain(expected: shard.records, head: shard.chainHead)
        }

        // The merged records and their provenance, in step.
        let provenanceURL = directory.appendingPathComponent(ProvenanceRecord.fileName)
        guard let provenance = LineReader(path: provenanceURL.path) else { return "\(provenanceURL.path): missing" }
        var problem: String?
        do {
            try ArchiveStream.transcripts(layout) { record, _ in
                guard problem == nil else { return }
                guard let line = try provenance.next(), line.terminated,
                    let link = try? CanonicalJSON.decode(ProvenanceRecord.self, from: line.bytes),
                    link.seq == record.seq
                else {
                    problem = "\(provenanceURL.path):\(record.seq): no provenance for merged record \(record.seq)"
                    return
                }
                guard chains[link.shard] != nil else {
                    problem =
                        "\(provenanceURL.path):\(record.seq): names shard \(link.shard), which the merge does not list"
                    return
                }
                let rebuilt = ArchiveChain.hash(ofLine: try link.shardLine(of: record))
                guard rebuilt == link.shardHash else {
                    problem =
                        "\(layout.transcripts.path):\(record.seq): \(record.transcript.key) is not the record shard \(link.shard) held at line \(link.shardSeq)"
                    return
                }
                chains[link.shard]?.add(seq: link.shardSeq, prev: link.shardPrev, hash: link.shardHash)
            }
            if problem == nil, let extra = try provenance.next(), !extra.bytes.isEmpty {
                problem = "\(provenanceURL.path): more provenance lines than merged records"
            }
        } catch {
            return "\(error)"
        }
        if let problem { return problem }
        for (index, chain) in chains.sorted(by: { $0.key < $1.key }) {
            if let broken = chain.problem() { return "shard \(index)/\(merge.shardCount): \(broken)" }
        }
        return nil
    }

    /// One shard's chain, rebuilt from the links the merged records carry (in any order).
    struct ShardChain {
        var expected: Int
        var head: String
        private var links: [(seq: Int, prev: Hash256, hash: Hash256)] = []
        private var malformed: Int?

        init(expected: Int, head: String) {
            self.expected = expected
            self.head = head
        }

        mutating func add(seq: Int, prev: String, hash: String) {
            guard let prev = Hash256(hex: prev), let hash = Hash256(hex: hash) else {
                if malformed == nil { malformed = seq }
                return
            }
            links.append((seq, prev, hash))
        }

        func problem() -> String? {
            if let malformed { return "line \(malformed): its provenance holds something that is not a SHA-256" }
            guard links.count == expected else {
                return "the merged run holds \(links.count) of its \(expected) records"
            }
            guard var previous = Hash256(hex: ArchiveChain.genesis) else { return "no genesis" }
            for (position, link) in links.sorted(by: { $0.seq < $1.seq }).enumerated() {
                guard link.seq == position + 1 else { return "line \(position + 1) is missing or doubled" }
                guard link.prev == previous else {
                    return "line \(link.seq) does not follow line \(position) (chain broken)"
                }
                previous = link.hash
            }
            guard Hash256(hex: head) == previous else {
                return "the rebuilt chain does not end in its manifest's head \(head.prefix(12))"
            }
            return nil
        }
    }
}
