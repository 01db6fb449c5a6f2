import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidVerdict

/// The items of `ReviewQueue` read as a stream, for `unsaid review` (listing them, or asking a
/// person about them at a terminal): the same items in the same order, without the whole archive
/// in memory. Loading it whole held 755 MB for a 100,000-request run whose every verdict was
/// flagged.
///
/// Three walks: the verdicts, keeping where the flagged ones are (the last verdict of a key
/// decides, as in the queue); the transcripts, counting the items and finding the hashes the
/// labels check (`ReviewWalk`); then the transcripts again, reading each item's verdict back as
/// it is handed on (`ReviewWalk.forEach`).
package enum ReviewListing {
    /// What the walks found, for the command's own checks and its closing line.
    package struct Summary: Sendable {
        package var items: Int
        package var labelled: Int
    }

    /// - Parameters:
    ///   - check: called once the run has been walked and before any item is handed on, with the
    ///     manifest and the 1-based line of a torn last record in `transcripts.jsonl`, if there is
    ///     one (the command refuses an unfinished or altered run there).
    ///   - body: each item with its 1-based position and the number of items.
    @discardableResult
    package static func forEach(
        _ directory: URL, all: Bool, minConfidence: Int?,
        check: (Manifest, _ tornLine: Int?) throws -> Void = { _, _ in },
        _ body: (ReviewItem, _ position: Int, _ total: Int) throws -> Void
    ) throws -> Summary {
        let walk = try ReviewWalk(directory, all: all, minConfidence: minConfidence, check: check)
        var reviewed = 0
        let handed = try walk.forEach(unlabelledOnly: false) { item, position in
            if item.review != nil { reviewed += 1 }
            try body(item, position, walk.items)
            return true
        }
        return Summary(items: handed, labelled: reviewed)
    }

    /// What `unsaid review --set` needs, found by walking the run like `forEach`: for each
    /// reference, the item `ReviewQueue.item` would give (its first record in archive order that
    /// has a verdict, with the last verdict of its key), and the labels ledger, checked.
    package static func find(
        _ references: Set<RequestReference>, in directory: URL,
        check: (Manifest, _ tornLine: Int?) throws -> Void = { _, _ in }
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
        try check(manifest, summary.tornTail?.line)
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

/// A run walked for review, holding where its items' verdicts are rather than the items: how
/// many items the queue has and how many of them a label names, and the labels ledger, checked.
/// `forEach` reads the items again as it hands them on, so an interactive review of a large run
/// asks its first question without loading the run.
package struct ReviewWalk {
    /// The items, as `ReviewQueue.items` counts them.
    package let items: Int
    /// The items that have a label (`review` set), as the queue's would.
    package let labelledItems: Int
    /// The run's labels, checked against its transcripts: what a review appends to.
    package let ledger: LabelsLedger
    private let layout: ArchiveLayout
    private let flagged: [RequestDigest: ArchiveStream.LineSpan]
    /// The latest label of each request when the walk began; items carry these, as the queue's do.
    private let latest: [WorkKey: ReviewRecord]

    /// - Parameter check: called once the run has been walked, before anything else, with the
    ///   manifest and the line of a torn last record in `transcripts.jsonl`, if there is one.
    package init(
        _ directory: URL, all: Bool, minConfidence: Int?,
        check: (Manifest, _ tornLine: Int?) throws -> Void = { _, _ in }
    ) throws {
        layout = ArchiveLayout(directory: directory)
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
        // Items whose request the labels file names, by request: few, as labels are.
        var named: [WorkKey: Int] = [:]
        let summary = try ArchiveStream.transcripts(layout, scoringOnly: true) { record, hash in
            let key = record.transcript.key
            labels.see(key, hash: hash)
            guard flagged[RequestDigest(key)] != nil else { return }
            total += 1
            if labels.names(key) { named[key, default: 0] += 1 }
        }
        try check(manifest, summary.tornTail?.line)
        let ledger = try labels.ledger(root: manifest.chainHead)
        let latest = ledger.latest
        self.ledger = ledger
        self.latest = latest
        self.flagged = flagged
        items = total
        labelledItems = named.reduce(0) { sum, entry in latest[entry.key] == nil ? sum : sum + entry.value }
    }

    /// Hands on each item in archive order with its 1-based position among those handed on, until
    /// `body` returns false; returns how many it handed on.
    /// - Parameter unlabelledOnly: only the items without a label (a review that is not `--again`).
    @discardableResult
    package func forEach(
        unlabelledOnly: Bool, _ body: (ReviewItem, _ position: Int) throws -> Bool
    ) throws -> Int {
        guard items > 0, let verdicts = ArchiveLineReader(layout.verdicts) else { return 0 }
        var position = 0
        do {
            try ArchiveStream.transcripts(layout, scoringOnly: true) { record, hash in
                let key = record.transcript.key
                guard let span = flagged[RequestDigest(key)] else { return }
                let review = latest[key]
                if unlabelledOnly, review != nil { return }
                position += 1
                let item = ReviewItem(
                    record: record, recordHash: hash, verdict: try verdicts.decode(Verdict.self, at: span),
                    review: review)
                guard try body(item, position) else { throw Stopped() }
            }
        } catch is Stopped {}
        return position
    }

    /// Ends the walk early when `body` asks to (a person quits).
    private struct Stopped: Error {}
}

/// The hashes of the transcript records the run's labels name, gathered as a walk passes them
/// (the first record of a key, as `LabelsLedger.load(_:)` takes it), then the ledger checked
/// against them: the labels of a run read without holding its records.
struct LabelledTranscripts {
    private let directory: URL
    private let named: Set<WorkKey>
    private var hashes: [WorkKey: String] = [:]

    init(_ directory: URL) {
        self.directory = directory
        named = LabelsLedger.labelledKeys(in: directory)
    }

    /// Whether the labels file names `key`.
    func names(_ key: WorkKey) -> Bool { named.contains(key) }

    mutating func see(_ key: WorkKey, hash: String) {
        if named.contains(key), hashes[key] == nil { hashes[key] = hash }
    }

    func ledger(root: String) throws -> LabelsLedger {
        try LabelsLedger.load(directory: directory, root: root, transcripts: hashes)
    }
}
