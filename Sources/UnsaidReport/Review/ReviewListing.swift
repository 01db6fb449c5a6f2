import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidVerdict

/// The items of `ReviewQueue` read as a stream, for `unsaid review --list` (and a review without
/// a terminal): the same items in the same order, without the whole archive in memory. Loading
/// it whole held 755 MB for a 100,000-request run whose every verdict was flagged.
///
/// Three walks: the verdicts, keeping where the flagged ones are (the last verdict of a key
/// decides, as in the queue); the transcripts, counting the items and finding the hashes the
/// labels check; then the transcripts again, reading each item's verdict back as it is handed on.
package enum ReviewListing {
    /// What the walks found, for the command's own checks and its closing line.
    package struct Summary: Sendable {
        package var items: Int
        package var labelled: Int
    }

    /// - Parameters:
    ///   - check: called once the run has been walked and before any item is handed on, with the
    ///     manifest and whether `transcripts.jsonl` ends in a torn line (the command refuses an
    ///     unfinished run there).
    ///   - body: each item with its 1-based position and the number of items.
    @discardableResult
    package static func forEach(
        _ directory: URL, all: Bool, minConfidence: Int?,
        check: (Manifest, _ torn: Bool) throws -> Void = { _, _ in },
        _ body: (ReviewItem, _ position: Int, _ total: Int) throws -> Void
    ) throws -> Summary {
        let layout = ArchiveLayout(directory: directory)
        let manifest = try ArchiveReader.readManifest(layout)
        var flagged: [RequestDigest: ArchiveStream.LineSpan] = [:]
        try ArchiveStream.verdicts(layout.verdicts) { verdict, _, span in
            let digest = RequestDigest(verdict.key)
            if all || verdict.flags.contains(.needsReview) || ReviewQueue.isUnsure(verdict, below: minConfidence) {
                flagged[digest] = span
            } else {
                flagged[digest] = nil
            }
        }
        var labels = LabelledTranscripts(directory)
        var total = 0
        let summary = try ArchiveStream.transcripts(layout, scoringOnly: true) { record, hash in
            let key = record.transcript.key
            labels.see(key, hash: hash)
            if flagged[RequestDigest(key)] != nil { total += 1 }
        }
        try check(manifest, summary.tornTail != nil)
        let latest = try labels.ledger(root: manifest.chainHead).latest
        guard total > 0, let verdicts = ArchiveLineReader(layout.verdicts) else {
            return Summary(items: 0, labelled: 0)
        }
        var position = 0
        var reviewed = 0
        try ArchiveStream.transcripts(layout, scoringOnly: true) { record, hash in
            let key = record.transcript.key
            guard let span = flagged[RequestDigest(key)] else { return }
            position += 1
            let item = ReviewItem(
                record: record, recordHash: hash, verdict: try verdicts.decode(Verdict.self, at: span),
                review: latest[key])
            if item.review != nil { reviewed += 1 }
            try body(item, position, total)
        }
        return Summary(items: position, labelled: reviewed)
    }

    /// What `unsaid review --set` needs, found by walking the run like `forEach`: for each
    /// reference, the item `ReviewQueue.item` would give (its first record in archive order that
    /// has a verdict, with the last verdict of its key), and the labels ledger, checked.
    package static func find(
        _ references: Set<RequestReference>, in directory: URL,
        check: (Manifest, _ torn: Bool) throws -> Void = { _, _ in }
    ) throws -> (items: [RequestReference: ReviewItem], ledger: LabelsLedger) {
        let layout = ArchiveLayout(directory: directory)
        let manifest = try ArchiveReader.readManifest(layout)
        var verdicts: [WorkKey: Verdict] = [:]
        try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in
            if references.contains(RequestReference(verdict.key)) { verdicts[verdict.key] = verdict }
        }
        var labels = LabelledTranscripts(directory)
        var found: [RequestReference: (record: TranscriptRecord, hash: String, verdict: Verdict)] = [:]
        let summary = try ArchiveStream.transcripts(layout) { record, hash in
            let key = record.transcript.key
            labels.see(key, hash: hash)
            let reference = RequestReference(key)
            if references.contains(reference), found[reference] == nil, let verdict = verdicts[key] {
                found[reference] = (record, hash, verdict)
            }
        }
        try check(manifest, summary.tornTail != nil)
        let ledger = try labels.ledger(root: manifest.chainHead)
        let latest = ledger.latest
        let items = found.mapValues { found in
            ReviewItem(
                record: found.record, recordHash: found.hash, verdict: found.verdict,
                review: latest[found.record.transcript.key])
        }
        return (items, ledger)
    }
}

/// The hashes of the transcript records the run's labels name, gathered as a walk passes them
/// (the first record of a key, as `LabelsLedger.load(_:)` takes it), then the ledger checked
/// against them: the labels of a run read without holding its records.
private struct LabelledTranscripts {
    private let directory: URL
    private let named: Set<WorkKey>
    private var hashes: [WorkKey: String] = [:]

    init(_ directory: URL) {
        self.directory = directory
        named = LabelsLedger.labelledKeys(in: directory)
    }

    mutating func see(_ key: WorkKey, hash: String) {
        if named.contains(key), hashes[key] == nil { hashes[key] = hash }
    }

    func ledger(root: String) throws -> LabelsLedger {
        try LabelsLedger.load(directory: directory, root: root, transcripts: hashes)
    }
}
