import Foundation
import UnsaidSuite
import UnsaidVerdict

/// Where an interrupted run stands, read as a stream: how many whole records, the chain head,
/// a torn tail if any, and the request keys already archived (a small index, not the records).
package struct ResumePoint: Sendable {
    package var layout: ArchiveLayout
    package var manifest: Manifest
    package var recordCount: Int
    package var chainHead: String
    package var tornTail: ArchiveContents.TornTail?
    /// Keys of every archived request, follow-up turns included.
    package var keys: ArchivedKeys
    /// Keys of archived requests that a plan must account for (first turns, not follow-ups).
    package var plannedKeys: ArchivedKeys
    /// Verdicts per label, once `ArchiveResume.repair` has re-derived them.
    package var counts: [String: Int]
    /// Where the judge's exchanges are, for a run with a judge (one per judged request, each read
    /// back when its request is scored).
    package var judgements: JudgeIndex?
}

/// Picks up a run that stopped early (crash, kill -9, Ctrl-C).
///
/// Checking and repairing are separate steps so that a resume that must be refused (a changed
/// suite, another target) is refused before anything on disk changes. Both read the archive as a
/// stream, so a resume needs memory for the index of keys, not for the run.
package enum ArchiveResume {
    /// Reads the archive and checks that it can be resumed. Changes nothing.
    package static func inspect(_ directory: URL) throws -> ResumePoint {
        let layout = ArchiveLayout(directory: directory)
        guard FileManager.default.fileExists(atPath: layout.manifest.path) else {
            throw ArchiveError.missing(path: layout.manifest.path)
        }
        let manifest = try ArchiveReader.readManifest(layout)
        if manifest.status == .complete {
            throw ArchiveError.mismatch("\(directory.path): the run is already complete; nothing to resume")
        }
        var keys = ArchivedKeys()
        var plannedKeys = ArchivedKeys()
        let summary = try ArchiveStream.transcripts(layout) { record, _ in
            keys.insert(record.transcript.key)
            if record.probe.turn == nil { plannedKeys.insert(record.transcript.key) }
        }
        let judgements = try manifest.judge.map { _ in try JudgeIndex.read(layout.judgements) }
        return ResumePoint(
            layout: layout, manifest: manifest, recordCount: summary.records, chainHead: summary.chainHead,
            tornTail: summary.tornTail, keys: keys, plannedKeys: plannedKeys, counts: [:],
            judgements: judgements)
    }

    /// Cuts a torn last record back to the last whole one and rewrites the provisional verdicts
    /// from the surviving transcripts (a crash can leave them one behind or torn). Returns the
    /// repaired point.
    package static func repair(_ point: ResumePoint, engine: VerdictEngine) throws -> ResumePoint {
        var point = point
        // Records written before a crash may still be only in the kernel's cache (group commit
        // had not synced them yet): sync them now, since the resumed run counts them as done.
        guard let handle = try? FileHandle(forWritingTo: point.layout.transcripts) else {
            throw ArchiveError.io(path: point.layout.transcripts.path, reason: "cannot open for repair")
        }
        do {
            if let torn = point.tornTail { try handle.truncate(atOffset: UInt64(torn.validLength)) }
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ArchiveError.io(
                path: point.layout.transcripts.path, reason: "cannot cut the torn record or sync: \(error)")
        }
        point.tornTail = nil
        if let torn = point.judgements?.tornTail {
            guard let handle = try? FileHandle(forWritingTo: point.layout.judgements) else {
                throw ArchiveError.io(path: point.layout.judgements.path, reason: "cannot open for repair")
            }
            do {
                try handle.truncate(atOffset: UInt64(torn.validLength))
                try handle.synchronize()
                try handle.close()
            } catch {
                throw ArchiveError.io(
                    path: point.layout.judgements.path, reason: "cannot cut the torn record: \(error)")
            }
            point.judgements?.tornTail = nil
        }
        // Only the counts are used; the figures' sums (`MetricTally`) do not grow with records.
        let scored = try ArchiveScoring.score(
            point.layout, engine: engine, to: point.layout.verdicts, judgements: point.judgements,
            scoringOnly: true)
        point.counts = scored.counts
        return point
    }
}
