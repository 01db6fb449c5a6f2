import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript
import UnsaidVerdict

/// The result of scoring a whole archive as a stream (see `ArchiveScoring.score(_:engine:to:each:)`).
package struct ScoredArchive: Sendable {
    package var transcripts: ArchiveStream.TranscriptsSummary
    /// Verdicts per label (`Manifest.counts`).
    package var counts: [String: Int]
    package var summary: VerdictSummary
    /// What the run's figures are computed from (`RunMetrics(tally:)`); nil when the caller
    /// needed none (a run finalised without `--fail-under`).
    package var tally: MetricTally?
    /// Verdicts changed afterwards because the other transport's answer to the same sample
    /// disagreed (`stream_nonstream_mismatch`).
    package var crossModeMarked: Int

}

extension ArchiveScoring {
    /// Judges every record of an archive as it is read and writes the verdicts file to `output`
    /// (written beside it under a temporary name, then renamed). Byte for byte the same file as
    /// `VerdictFile.encode(verdicts(for:engine:))` over the loaded records.
    ///
    /// Whole-run findings come from a small index instead of held transcripts: each record's
    /// (suite, probe, probe hash, sample) digest with its verdict label. When a streamed and a
    /// non-streamed answer to the same sample disagree, only those lines are rewritten in a second
    /// pass over the (small) verdict lines.
    ///
    /// - Parameter each: sees every record with its provisional verdict (before cross-mode
    ///   marking, which changes flags and evidence but never labels or outcomes).
    @discardableResult
    /// - Parameter judgements: the judge's archived exchanges for a run with a judge (each record's
    ///   verdict then takes the exchange linked to its line hash); nil for a run without one.
    /// - Parameter scoringOnly: `each` sees records without the raw chunks of attempts that are
    ///   not HTTP errors (`Attempt.scoringOnly`): the verdicts are the same, the reading faster.
    /// - Parameter digest: takes every transcript line read (see `WalkDigest`).
    package static func score(
        _ layout: ArchiveLayout, engine: VerdictEngine, to output: URL, judgements: JudgeIndex? = nil,
        scoringOnly: Bool = false, digesting digest: WalkDigest? = nil,
        each: (TranscriptRecord, _ hash: String, Verdict) throws -> Void = { _, _, _ in }
    ) throws -> ScoredArchive {
        let temporary = output.deletingLastPathComponent().appendingPathComponent(
            ".\(output.lastPathComponent).partial")
        var lines = BufferedLines(try AppendOnlyFile(truncating: temporary.path))
        var aggregate = VerdictAggregate()
        // Sums only (`MetricTally`), so it is always gathered: nothing of it grows with the run.
        var tally = MetricTally()
        // Judging and encoding a verdict are pure, so they run on every core (`preparing`), each
        // reading back the judge's exchange about its record, if any (the last linked to it, as
        // `JudgeRecords.contexts(recordHashes:)`); the verdicts are then taken in archive order,
        // as one record at a time would give them.
        let transcripts = try ArchiveStream.transcripts(
            layout, scoringOnly: scoringOnly, digesting: digest,
            preparing: { record, hash in
                Result { () throws -> (Verdict, Data) in
                    let verdict = engine.judge(
                        record.transcript, probe: record.probe,
                        judgeContext: try judgements.map { try $0.context(judging: hash) })
                    return (verdict, try CanonicalJSON.encode(verdict))
                }
            }
        ) { record, hash, judged in
            let (verdict, line) = try judged.get()
            try each(record, hash, verdict)
            aggregate.add(verdict)
            tally.add(probe: record.probe, verdict: verdict)
            try lines.append(line)
        }
        try lines.finish()

        let marked = try aggregate.markCrossMode(in: temporary)
        if rename(temporary.path, output.path) != 0 {
            throw ArchiveError.io(path: output.path, reason: String(cString: strerror(errno)))
        }
        return aggregate.scored(transcripts, tally: tally, crossModeMarked: marked)
    }

    /// Finishes the verdicts of a run that judged each record as it archived it, without judging
    /// again: the provisional verdicts file already holds, line for line, what `score` derives
    /// from the transcripts (the same engine judged the same transcript value that was then
    /// encoded), so only the whole-run findings are left to add. It reads the small verdict lines
    /// instead of decoding every transcript — at the end of a run that was about two fifths of
    /// the run's CPU time. `unsaid verify` still re-derives every verdict from the transcripts and
    /// compares byte for byte, so a provisional verdict that differed would not go unnoticed.
    ///
    /// - Parameter transcripts: what the writer appended (records and chain head).
    /// - Parameter tally: the figures gathered as records were archived (every record's), or
    ///   nil when the caller needs none.
    /// - Parameter pairingModes: false when every record of the run has one mode (a new run whose
    ///   plan sends every request one way, `PlannedRequests.mixesModes`): no streamed and
    ///   non-streamed answers can pair, so the cross-mode index (24 bytes a record) is not built.
    /// - Returns: nil when the verdicts file is not one whole verdict per transcript record (a run
    ///   whose provisional verdicts cannot be trusted); the caller then scores with `score`.
    package static func finalise(
        _ layout: ArchiveLayout, transcripts: ArchiveStream.TranscriptsSummary,
        tally: MetricTally?, pairingModes: Bool = true
    ) throws -> ScoredArchive? {
        var aggregate = VerdictAggregate(pairingModes: pairingModes)
        // One verdict per record is expected: the index is allocated once at that size instead of
        // doubling (the copy and the old array were alive together, 1.5 MB more at 100,000).
        aggregate.expect(records: transcripts.records)
        do {
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in aggregate.add(verdict) }
        } catch let error as ArchiveError {
            guard case .corrupt = error else { throw error }
            return nil
        }
        let records = aggregate.records
        guard records == transcripts.records, tally.map({ $0.added == records }) ?? true else {
            return nil
        }
        let marked = try aggregate.markCrossMode(in: layout.verdicts)
        return aggregate.scored(transcripts, tally: tally, crossModeMarked: marked)
    }

    /// Applies the cross-mode marks to the lines at `marked` (position → the other mode's verdict).
    fileprivate static func rewrite(
        _ url: URL, marking marked: [Int: (other: VerdictLabel, otherIsStreamed: Bool)]
    ) throws {
        let rewritten = url.appendingPathExtension("marked")
        var lines = BufferedLines(try AppendOnlyFile(truncating: rewritten.path))
        var position = 0
        try ArchiveStream.verdicts(url) { verdict, line in
            if let mark = marked[position] {
                var verdict = verdict
                let other = Verdict(
                    key: verdict.key, verdict: mark.other, flags: [], evidence: [], attempt: 0,
                    expect: verdict.expect, outcome: .unscored, ruleset: verdict.ruleset)
                verdict =
                    mark.otherIsStreamed
                    ? VerdictEngine.applyingCrossMode(streamed: other, nonStreamed: verdict).nonStreamed
                    : VerdictEngine.applyingCrossMode(streamed: verdict, nonStreamed: other).streamed
                try lines.append(CanonicalJSON.encode(verdict))
            } else {
                try lines.append(line)
            }
            position += 1
        }
        try lines.finish()
        if rename(rewritten.path, url.path) != 0 {
            throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno)))
        }
    }
}

/// What both ways of finishing a run's verdicts (`score`, which judges each record, and
/// `finalise`, which reads the verdicts already judged) gather from the verdicts in archive order,
/// and the whole-run marks they then apply.
private struct VerdictAggregate {
    private var index = CrossModeIndex()
    /// Whether records go into `index` (see `finalise`'s `pairingModes`).
    private let pairingModes: Bool
    private var counts: [String: Int] = [:]
    private var summary = VerdictSummary([])
    /// Verdicts added so far; the next one's position.
    private(set) var records = 0

    init(pairingModes: Bool = true) {
        self.pairingModes = pairingModes
    }

    /// Room for `records` verdicts, allocated at once.
    mutating func expect(records: Int) {
        if pairingModes { index.reserve(records) }
    }

    mutating func add(_ verdict: Verdict) {
        if pairingModes { index.add(verdict.key, label: verdict.verdict, position: records) }
        records += 1
        counts[verdict.verdict.rawValue, default: 0] += 1
        summary.add(verdict)
    }

    /// Marks each streamed/non-streamed pair that disagrees in the verdicts file at `url`;
    /// returns how many verdicts were marked. The marks change flags and evidence, never labels
    /// or outcomes, so the figures gathered before them stand.
    mutating func markCrossMode(in url: URL) throws -> Int {
        let marked = index.disagreeing()
        guard !marked.isEmpty else { return 0 }
        try ArchiveScoring.rewrite(url, marking: marked)
        return marked.count
    }

    func scored(
        _ transcripts: ArchiveStream.TranscriptsSummary, tally: MetricTally?, crossModeMarked: Int
    ) -> ScoredArchive {
        ScoredArchive(
            transcripts: transcripts, counts: counts, summary: summary, tally: tally,
            crossModeMarked: crossModeMarked)
    }
}

/// The small index behind cross-mode findings: for each record, its sample (suite, probe, probe
/// hash, sample), its mode, its position and what it said. Samples are SHA-256 digests cut to 128
/// bits, so an entry costs 24 bytes however long the names are. Entries are kept in a flat array
/// and grouped by sorting once at the end: a dictionary keyed by sample cost about 130 bytes a
/// record at 100,000 (buckets kept at most three quarters full, in powers of two).
struct CrossModeIndex {
    /// 24 bytes: the position, the label's index in `VerdictLabel.allCases` and the mode share one
    /// integer (position above, label in 8 bits, mode in the lowest), so sorting by it still sorts
    /// by position (positions are distinct). Separate fields padded an entry to 32 bytes.
    private struct Entry {
        var sample: Digest128
        private var packed: Int

        init(sample: Digest128, position: Int, label: VerdictLabel, streamed: Bool) {
            self.sample = sample
            let labelIndex = VerdictLabel.allCases.firstIndex(of: label) ?? 0
            // Positions count records, far below where the shift could lose a bit.
            packed = position &<< 9 | (labelIndex & 0xFF) << 1 | (streamed ? 1 : 0)
        }

        var position: Int { packed >> 9 }
        var label: VerdictLabel { VerdictLabel.allCases[(packed >> 1) & 0xFF] }
        var streamed: Bool { packed & 1 == 1 }
        /// Orders as `position` does.
        var order: Int { packed }
    }
    private var entries: [Entry] = []

    mutating func reserve(_ count: Int) { entries.reserveCapacity(Swift.max(0, count)) }

    mutating func add(_ key: WorkKey, label: VerdictLabel, position: Int) {
        entries.append(
            Entry(
                sample: Digest128(fields: [key.suite, key.probe, key.probeHash, String(key.sample)]),
                position: position, label: label, streamed: key.streamed))
    }

    /// Positions whose verdict must be marked, with the other mode's label and whether the other
    /// one is the streamed answer. Sorts the index in place (by sample, then position).
    mutating func disagreeing() -> [Int: (other: VerdictLabel, otherIsStreamed: Bool)] {
        entries.sort { ($0.sample.high, $0.sample.low, $0.order) < ($1.sample.high, $1.sample.low, $1.order) }
        var marked: [Int: (other: VerdictLabel, otherIsStreamed: Bool)] = [:]
        var start = entries.startIndex
        while start < entries.endIndex {
            let sample = entries[start].sample
            var streamed: Entry?
            var nonStreamed: Entry?
            var next = start
            // Positions ascend within a sample, so the last record of a mode wins, as in
            // `verdicts(for:engine:)`.
            while next < entries.endIndex, entries[next].sample == sample {
                if entries[next].streamed { streamed = entries[next] } else { nonStreamed = entries[next] }
                next += 1
            }
            start = next
            guard let streamed, let nonStreamed,
                let left = VerdictEngine.disposition(streamed.label),
                let right = VerdictEngine.disposition(nonStreamed.label),
                left != right
            else { continue }
            marked[streamed.position] = (nonStreamed.label, false)
            marked[nonStreamed.position] = (streamed.label, true)
        }
        return marked
    }
}
