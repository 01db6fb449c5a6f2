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

/// What reports read of a request across a whole run (counts, rates, pairings, groupings, sort
/// keys), kept for every request; the rest of its entry (prompt, answer, evidence, timeline) is
/// read again from the archive when its row is written (`ReportRun.forEachEntry`).
package struct RequestSummary: Sendable, Equatable {
    package var key: WorkKey
    /// `Probe.id`.
    package var probeID: String
    package var category: ProbeCategory
    package var language: String
    package var topic: String?
    package var group: String?
    /// `Probe.turn?.parent`: set on a follow-up turn, the key (`WorkKey.description`) of the
    /// request it answers.
    package var parent: String?
    /// `Probe.transform`'s name and the id of the probe it rewrote.
    package var transform: (name: String, source: String)? {
        get { transformName.map { ($0, transformSource ?? "") } }
        set {
            transformName = newValue?.name
            transformSource = newValue?.source
        }
    }
    private var transformName: String?
    private var transformSource: String?
    package var verdict: VerdictLabel
    package var outcome: Outcome
    /// Microseconds of the attempt the verdict describes; nil when there was none.
    package var elapsed: Int64?
    /// Where the request's record and verdict are in the archive; nil for a run built from
    /// records in memory.
    var place: Place?

    /// The lines a request's entry is read back from.
    struct Place: Sendable, Equatable {
        var record: ArchiveStream.LineSpan
        var verdict: ArchiveStream.LineSpan
        /// The record's sequence number, checked when it is read again.
        var seq: Int
    }

    /// - Parameter attempt: `Verdict.attempt`.
    init(probe: Probe, transcript: Transcript, verdict: VerdictLabel, outcome: Outcome, attempt: Int, place: Place?) {
        key = transcript.key
        probeID = probe.id
        category = probe.category
        language = probe.language
        topic = probe.topic
        group = probe.group
        parent = probe.turn?.parent
        transformName = probe.transform?.name
        transformSource = probe.transform?.source
        self.verdict = verdict
        self.outcome = outcome
        // As `ReportEntry.attempt`.
        elapsed = (transcript.attempts.first { $0.index == attempt } ?? transcript.finalAttempt)?.elapsed
        self.place = place
    }

    init(_ entry: ReportEntry) {
        self.init(
            probe: entry.probe, transcript: entry.transcript, verdict: entry.verdict.verdict,
            outcome: entry.verdict.outcome, attempt: entry.verdict.attempt, place: nil)
    }

    package var isFollowUp: Bool { parent != nil }

    /// `stream` or `json`, as `ReportEntry.mode`.
    package var mode: String { key.streamed ? "stream" : "json" }
}

/// A run read back from its archive, ready for metrics and rendering.
///
/// Requests are sorted by suite, probe, sample and mode, so every report lists them in the same
/// order no matter in which order they completed. A run keeps of each request only its
/// `RequestSummary` and the run's sums (`tally`); renderers that list every request read the
/// entries back one at a time, in that order (`forEachEntry`).
package struct ReportRun: Sendable {
    package var manifest: Manifest
    /// One per scored request, in report order.
    package private(set) var requests: [RequestSummary]
    /// The run's figures (`RunMetrics(tally:)`), summed as the requests were read.
    package private(set) var tally: MetricTally
    /// A person's latest label of a request (`unsaid review`), by position in `requests`.
    package private(set) var reviews: [Int: ReviewRecord]
    /// Transcripts that have no verdict yet (a run still in progress or torn); left out of every figure.
    package var unscored: Int
    /// How tables and charts name the run: the model, with the run id added when two runs of
    /// the same model are shown side by side.
    package var label: String
    /// Where the entries are read from.
    private let source: Source

    private enum Source: Sendable {
        /// Entries built from records in memory (tests, and what the archive path is checked against).
        case kept([ReportEntry])
        /// The run's archive: its transcripts and verdicts files.
        case archive(records: URL, verdicts: URL)
    }

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
        self.init(manifest: manifest, entries: entries, unscored: unscored)
    }

    package init(contents: ArchiveContents, reviews: [WorkKey: ReviewRecord] = [:]) {
        self.init(manifest: contents.manifest, records: contents.records, verdicts: contents.verdicts, reviews: reviews)
    }

    /// A run of the given entries (sorted here), each with its own `review`.
    package init(manifest: Manifest, entries: [ReportEntry], unscored: Int) {
        var entries = entries
        entries.sort { ReportRun.order($0.key, $1.key) }
        var tally = MetricTally()
        var reviews: [Int: ReviewRecord] = [:]
        for (index, entry) in entries.enumerated() {
            tally.add(probe: entry.probe, verdict: entry.verdict)
            if let review = entry.review { reviews[index] = review }
        }
        self.manifest = manifest
        requests = entries.map(RequestSummary.init)
        self.tally = tally
        self.reviews = reviews
        self.unscored = unscored
        label = manifest.target.model
        source = .kept(entries)
    }

    /// Reads `Results/<run>` and its reviewers' labels; only the archive, never the network.
    ///
    /// Both files are read as streams, and of each request only its summary and place are kept
    /// (about 300 bytes); the entries are read again when a report writes their rows. Keeping a
    /// slimmed entry per request held about 4 KB each (386 MB for a 390 MB archive of 100,000
    /// requests). Errors come in the order reading the whole archive gave them: manifest,
    /// transcripts, verdicts, judge records, labels.
    package static func load(_ directory: URL) throws -> ReportRun {
        let layout = ArchiveLayout(directory: directory)
        let manifest = try ArchiveReader.readManifest(layout)
        // Verdicts are read first, since a request's summary holds its verdict; a broken
        // verdicts file is reported only after the transcripts have been read. Of each key's
        // last verdict only what the summary reads and its place are kept.
        let verdicts = Result { () throws -> [WorkKey: VerdictPlace] in
            var places: [WorkKey: VerdictPlace] = [:]
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _, span in
                places[verdict.key] = VerdictPlace(
                    span: span, verdict: verdict.verdict, outcome: verdict.outcome, attempt: verdict.attempt)
            }
            return places
        }
        var places = (try? verdicts.get()) ?? [:]
        let labelled = LabelsLedger.exists(in: directory)
        // Only the labels ledger needs each record's line hash (the first record of a key wins,
        // as in `LabelsLedger.load(_:)`).
        var recordHashes: [WorkKey: String] = [:]
        var requests: [RequestSummary] = []
        var tally = MetricTally()
        var unscored = 0
        _ = try ArchiveStream.transcripts(layout) { record, hash, span in
            let key = record.transcript.key
            if labelled, recordHashes[key] == nil { recordHashes[key] = hash }
            guard let verdict = places[key] else {
                unscored += 1
                return
            }
            tally.add(probe: record.probe, label: verdict.verdict, outcome: verdict.outcome, key: key)
            requests.append(
                RequestSummary(
                    probe: record.probe, transcript: record.transcript, verdict: verdict.verdict,
                    outcome: verdict.outcome, attempt: verdict.attempt,
                    place: .init(record: span, verdict: verdict.span, seq: record.seq)))
        }
        places = [:]
        _ = try verdicts.get()
        _ = try manifest.judge.map { _ in try JudgeRecords.read(layout.judgements) }
        // Sorted here, where the array has no other owner, so in place.
        requests.sort { ReportRun.order($0.key, $1.key) }
        var reviews: [Int: ReviewRecord] = [:]
        if labelled {
            let latest: [WorkKey: ReviewRecord]
            do {
                latest = try LabelsLedger.load(
                    directory: directory, root: manifest.chainHead, transcripts: recordHashes
                )
                .latest
            } catch let error as LabelsError {
                throw ArchiveError.mismatch(error.description)
            }
            for (index, request) in requests.enumerated() {
                if let review = latest[request.key] { reviews[index] = review }
            }
        }
        return ReportRun(
            manifest: manifest, requests: requests, tally: tally, reviews: reviews, unscored: unscored,
            source: .archive(records: layout.transcripts, verdicts: layout.verdicts))
    }

    /// What `load` keeps of a verdict while it walks the transcripts.
    private struct VerdictPlace {
        var span: ArchiveStream.LineSpan
        var verdict: VerdictLabel
        var outcome: Outcome
        var attempt: Int
    }

    private init(
        manifest: Manifest, requests: [RequestSummary], tally: MetricTally, reviews: [Int: ReviewRecord],
        unscored: Int, source: Source
    ) {
        self.manifest = manifest
        self.requests = requests
        self.tally = tally
        self.reviews = reviews
        self.unscored = unscored
        self.source = source
        label = manifest.target.model
    }

    /// Positions in `requests` of the requests a person has labelled, in report order.
    package var reviewed: [Int] { reviews.keys.sorted() }

    /// Calls `body` with the entry of each position of `indices`, in that order, reading each
    /// from the archive as its turn comes (one at a time, never all of them).
    package func entries(at indices: some Sequence<Int>, _ body: (_ index: Int, ReportEntry) throws -> Void) throws {
        switch source {
        case .kept(let entries):
            for index in indices { try body(index, entries[index]) }
        case .archive(let recordsURL, let verdictsURL):
            // Opened at the first entry asked for: a run without scored requests may have no
            // verdicts file, and lists nothing.
            var readers: (records: ArchiveLineReader, verdicts: ArchiveLineReader)?
            for index in indices {
                if readers == nil {
                    guard let records = ArchiveLineReader(recordsURL) else {
                        throw ArchiveError.missing(path: recordsURL.path)
                    }
                    guard let verdicts = ArchiveLineReader(verdictsURL) else {
                        throw ArchiveError.missing(path: verdictsURL.path)
                    }
                    readers = (records, verdicts)
                }
                guard let (records, verdicts) = readers else { continue }
                let request = requests[index]
                guard let place = request.place else { continue }
                let record = try records.decode(TranscriptRecord.self, at: place.record)
                let verdict = try verdicts.decode(Verdict.self, at: place.verdict)
                guard record.seq == place.seq, record.transcript.key == request.key, verdict.key == request.key
                else { throw ArchiveError.mismatch(records.changed(place.record)) }
                try body(
                    index,
                    ReportEntry(
                        probe: record.probe, transcript: record.transcript, verdict: verdict, review: reviews[index]))
            }
        }
    }

    /// Every entry in report order, one at a time.
    package func forEachEntry(_ body: (ReportEntry) throws -> Void) throws {
        try entries(at: requests.indices) { _, entry in try body(entry) }
    }

    /// The entry at a position of `requests`.
    package func entry(at index: Int) throws -> ReportEntry {
        var found: ReportEntry?
        try entries(at: CollectionOfOne(index)) { _, entry in found = entry }
        guard let found else { throw ArchiveError.mismatch("request \(index) of \(manifest.runID) has no entry") }
        return found
    }

    /// Every entry at once, for tests and small runs; reports read them one at a time.
    package func allEntries() throws -> [ReportEntry] {
        var all: [ReportEntry] = []
        all.reserveCapacity(requests.count)
        try forEachEntry { all.append($0) }
        return all
    }

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
