import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript
import UnsaidVerdict

/// One request of a run as reports see it: what was asked, what came back, what was decided.
package struct ReportEntry: Sendable, Equatable {
    package var probe: Probe
    package var transcript: Transcript
    package var verdict: Verdict
    /// A person's latest label for this request (`unsaid review`), shown beside the verdict.
    package var review: ReviewRecord?

    package init(probe: Probe, transcript: Transcript, verdict: Verdict, review: ReviewRecord? = nil) {
        self.probe = probe
        self.transcript = transcript
        self.verdict = verdict
        self.review = review
    }

    package var key: WorkKey { transcript.key }

    /// The answer text of the attempt the verdict describes.
    package var answer: String { attempt?.response.content ?? "" }

    /// The attempt the verdict describes (the last one, normally).
    package var attempt: Attempt? {
        transcript.attempts.first { $0.index == verdict.attempt } ?? transcript.finalAttempt
    }

    /// `stream` or `json`, as in `WorkKey.description` and the CSV report's `mode` column.
    package var mode: String { key.streamed ? "stream" : "json" }
}

/// A run read back from its archive, ready for metrics and rendering.
///
/// Entries are sorted by suite, probe, sample and mode, so every report lists requests in the
/// same order no matter in which order the requests completed.
package struct ReportRun: Sendable {
    package var manifest: Manifest
    package var entries: [ReportEntry]
    /// Transcripts that have no verdict yet (a run still in progress or torn); left out of every figure.
    package var unscored: Int
    /// How tables and charts name the run: the model, with the run id added when two runs of
    /// the same model are shown side by side.
    package var label: String

    package init(
        manifest: Manifest, records: [TranscriptRecord], verdicts: [Verdict], reviews: [WorkKey: ReviewRecord] = [:]
    ) {
        var byKey: [WorkKey: Verdict] = [:]
        for verdict in verdicts { byKey[verdict.key] = verdict }
        var entries: [ReportEntry] = []
        var unscored = 0
        for record in records {
            guard let verdict = byKey[record.transcript.key] else {
                unscored += 1
                continue
            }
            entries.append(
                ReportEntry(
                    probe: record.probe, transcript: record.transcript, verdict: verdict,
                    review: reviews[record.transcript.key]))
        }
        entries.sort { ReportRun.order($0.key, $1.key) }
        self.init(manifest: manifest, ordered: entries, unscored: unscored)
    }

    package init(contents: ArchiveContents, reviews: [WorkKey: ReviewRecord] = [:]) {
        self.init(manifest: contents.manifest, records: contents.records, verdicts: contents.verdicts, reviews: reviews)
    }

    /// Reads `Results/<run>` and its reviewers' labels; only the archive, never the network.
    ///
    /// The transcripts are read as a stream, and each entry keeps only what reports read of its
    /// transcript (`Transcript.keepingWhatReportsRead(for:)`): the raw bytes, most events and
    /// the headers are let go record by record. Loading every record whole held about 2.6 times
    /// the archive (1.0 GB for a 390 MB archive of 100,000 requests). Every report renders the
    /// same bytes from these entries as from whole records. Errors come in the order reading the
    /// whole archive gave them: manifest, transcripts, verdicts, judge records, labels.
    package static func load(_ directory: URL) throws -> ReportRun {
        let layout = ArchiveLayout(directory: directory)
        let manifest = try ArchiveReader.readManifest(layout)
        // Verdicts are read first, since what an entry keeps depends on its verdict; a broken
        // verdicts file is reported only after the transcripts have been read. They are kept in
        // file order with the position of each key's last one: a dictionary of whole verdicts
        // kept about 200 bytes a bucket beside the entries' own copies.
        let verdicts = Result { () throws -> (all: [Verdict], positions: [WorkKey: Int]) in
            var all: [Verdict] = []
            var positions: [WorkKey: Int] = [:]
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in
                positions[verdict.key] = all.count
                all.append(verdict)
            }
            return (all, positions)
        }
        let (all, positions) = (try? verdicts.get()) ?? ([], [:])
        let labelled = LabelsLedger.exists(in: directory)
        // Only the labels ledger needs each record's line hash (the first record of a key wins,
        // as in `LabelsLedger.load(_:)`).
        var recordHashes: [WorkKey: String] = [:]
        var entries: [ReportEntry] = []
        var unscored = 0
        _ = try ArchiveStream.transcripts(layout) { record, hash in
            let key = record.transcript.key
            if labelled, recordHashes[key] == nil { recordHashes[key] = hash }
            guard let position = positions[key] else {
                unscored += 1
                return
            }
            let verdict = all[position]
            entries.append(
                ReportEntry(
                    probe: record.probe, transcript: record.transcript.keepingWhatReportsRead(for: verdict),
                    verdict: verdict))
        }
        _ = try verdicts.get()
        _ = try manifest.judge.map { _ in try JudgeRecords.read(layout.judgements) }
        if labelled {
            let reviews: [WorkKey: ReviewRecord]
            do {
                reviews = try LabelsLedger.load(
                    directory: directory, root: manifest.chainHead, transcripts: recordHashes
                )
                .latest
            } catch let error as LabelsError {
                throw ArchiveError.mismatch(error.description)
            }
            for index in entries.indices { entries[index].review = reviews[entries[index].key] }
        }
        // Sorted here, where the array has no other owner, so in place: a sorted copy of 100,000
        // entries would be held beside them.
        entries.sort { ReportRun.order($0.key, $1.key) }
        return ReportRun(manifest: manifest, ordered: entries, unscored: unscored)
    }

    /// - Parameter entries: already in `order`.
    private init(manifest: Manifest, ordered entries: [ReportEntry], unscored: Int) {
        self.manifest = manifest
        self.entries = entries
        self.unscored = unscored
        self.label = manifest.target.model
    }

    /// Entries a person has labelled.
    package var reviewed: [ReportEntry] { entries.filter { $0.review != nil } }

    /// Suite, probe, sample, then streamed before non-streamed.
    static func order(_ lhs: WorkKey, _ rhs: WorkKey) -> Bool {
        if lhs.suite != rhs.suite { return lhs.suite < rhs.suite }
        if lhs.probe != rhs.probe { return lhs.probe < rhs.probe }
        if lhs.sample != rhs.sample { return lhs.sample < rhs.sample }
        return lhs.streamed && !rhs.streamed
    }

    /// Gives runs distinct labels: the model name, or `model (run id)` when models repeat.
    package static func disambiguate(_ runs: [ReportRun]) -> [ReportRun] {
        var seen: [String: Int] = [:]
        for run in runs { seen[run.manifest.target.model, default: 0] += 1 }
        return runs.map { run in
            var run = run
            let model = run.manifest.target.model
            run.label = (seen[model] ?? 0) > 1 ? "\(model) (\(run.manifest.runID))" : model
            return run
        }
    }
}

extension Excerpt {
    /// What a model said, for flip tables: the answer, or for a retraction the text that was
    /// withdrawn and what replaced it, since the final text alone reads as if it were the answer.
    package static func ofAnswer(_ entry: ReportEntry, length: Int = defaultLength) -> String {
        guard entry.verdict.verdict == .retracted,
            let evidence = entry.verdict.evidence.first(where: { $0.withdrawn != nil }),
            let withdrawn = evidence.withdrawn
        else { return of(entry.answer, length: length) }
        let replacement =
            evidence.replacement.map { "replaced by: " + of($0.text, length: length / 2) } ?? "nothing replaced it"
        return "withdrawn: " + of(withdrawn.text, length: length / 2) + " → " + replacement
    }
}
