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
///
/// About 170 bytes: the probe hash is kept as 32 bytes, what few requests have (a group, a
/// follow-up's parent, a transform) behind one reference, and a line's place in 16 bytes.
package struct RequestSummary: Sendable, Equatable, ReportOrdered {
    package var suite: String
    package var probe: String
    package var sample: Int
    package var streamed: Bool
    private var probeHash: CompactHash
    package var category: ProbeCategory
    package var language: String
    package var topic: String?
    private var rare: Rare?
    package var verdict: VerdictLabel
    package var outcome: Outcome
    /// `Probe.repeatCount > 1`: the run's consistency figures count such probes' samples.
    package var repeated: Bool
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

    /// What a probe seldom has, kept apart so that most requests pay one empty reference.
    private final class Rare: Sendable, Equatable {
        let probeID: String?
        let group: String?
        let parent: String?
        let transform: AppliedTransform?

        init?(_ probe: Probe, key: WorkKey) {
            guard probe.id != key.probe || probe.group != nil || probe.turn != nil || probe.transform != nil else {
                return nil
            }
            probeID = probe.id == key.probe ? nil : probe.id
            group = probe.group
            parent = probe.turn?.parent
            transform = probe.transform
        }

        static func == (lhs: Rare, rhs: Rare) -> Bool {
            (lhs.probeID, lhs.group, lhs.parent) == (rhs.probeID, rhs.group, rhs.parent)
                && lhs.transform == rhs.transform
        }
    }

    /// A request before its verdict is known (`ReportRun.load` reads the verdicts after the
    /// records); `elapsed` is the final attempt's.
    init(probe: Probe, transcript: Transcript, place: Place?, strings: inout StringPool) {
        let key = transcript.key
        suite = strings.shared(key.suite)
        self.probe = key.probe
        sample = key.sample
        streamed = key.streamed
        probeHash = CompactHash(key.probeHash)
        category = probe.category
        language = strings.shared(probe.language)
        topic = probe.topic.map { strings.shared($0) }
        rare = Rare(probe, key: key)
        verdict = .error
        outcome = .unscored
        repeated = probe.repeatCount > 1
        elapsed = transcript.finalAttempt?.elapsed
        self.place = place
    }

    init(_ entry: ReportEntry) {
        var strings = StringPool()
        self.init(probe: entry.probe, transcript: entry.transcript, place: nil, strings: &strings)
        verdict = entry.verdict.verdict
        outcome = entry.verdict.outcome
        elapsed = entry.attempt?.elapsed
    }

    package var key: WorkKey {
        WorkKey(suite: suite, probe: probe, probeHash: probeHash.text, sample: sample, streamed: streamed)
    }

    /// `key.description` (`s/p#0@json`), without the probe hash.
    package var keyDescription: String {
        WorkKey(suite: suite, probe: probe, probeHash: "", sample: sample, streamed: streamed).description
    }

    /// Whether both requests' probes have the same content hash (`WorkKey.probeHash`).
    package func hasProbeHash(of other: RequestSummary) -> Bool { probeHash == other.probeHash }

    /// `Probe.id`.
    package var probeID: String { rare?.probeID ?? probe }
    package var group: String? { rare?.group }
    /// `Probe.turn?.parent`: set on a follow-up turn, the key (`WorkKey.description`) of the
    /// request it answers.
    package var parent: String? { rare?.parent }
    /// `Probe.transform`'s name and the id of the probe it rewrote.
    package var transform: (name: String, source: String)? { rare?.transform.map { ($0.name, $0.source) } }

    package var isFollowUp: Bool { parent != nil }

    /// `stream` or `json`, as `ReportEntry.mode`.
    package var mode: String { streamed ? "stream" : "json" }
}

/// A probe hash: 64 lower-case hex digits as the 32 bytes they spell (`Hash256`; a string of them
/// takes about 100 bytes of heap), anything else as it was written.
enum CompactHash: Sendable, Equatable {
    case digest(Hash256)
    case other(String)

    init(_ text: String) {
        // `Hash256` reads exactly 64 lower-case hex digits, which it spells back the same.
        self = Hash256(hex: text).map(CompactHash.digest) ?? .other(text)
    }

    var text: String {
        switch self {
        case .digest(let hash): hash.hex
        case .other(let text): text
        }
    }
}

/// One copy of each longer string that many requests share (suites, languages, topics): a
/// string of more than 15 bytes is stored on the heap, once per request unless shared.
struct StringPool {
    private var pool: Set<String> = []

    mutating func shared(_ text: String) -> String {
        guard text.utf8.count > 15 else { return text }
        if let existing = pool.firstIndex(of: text) { return pool[existing] }
        pool.insert(text)
        return text
    }
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
        entries.sort { $0.key.precedes($1.key) }
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
    /// (`RequestSummary`); the entries are read again when a report writes their rows. Keeping a
    /// slimmed entry per request held about 4 KB each (386 MB for a 390 MB archive of 100,000
    /// requests). Errors come in the order reading the whole archive gave them: manifest,
    /// transcripts, verdicts, judge records, labels; a sealed run whose files no longer match its
    /// manifest is refused before the labels (`SealedRunCheck`): a report must not show an altered
    /// run as the run it was.
    package static func load(_ directory: URL) throws -> ReportRun {
        let layout = ArchiveLayout(directory: directory)
        let manifest = try ArchiveReader.readManifest(layout)
        let labelled = LabelsLedger.exists(in: directory)
        // Only the labels ledger needs each record's line hash (the first record of a key wins,
        // as in `LabelsLedger.load(_:)`).
        var recordHashes: [WorkKey: String] = [:]
        // Every record's summary, in file order, until the verdicts say which are scored; the
        // times of each attempt of the few records retried, until a verdict says which one counts.
        var requests: [RequestSummary] = []
        // The array would otherwise double as it grows, holding the old one and the new one
        // twice as large at once (about 40 MB at 100,000 requests); the manifest's count of
        // records is a hint (a run still in progress may have more, a torn one fewer).
        requests.reserveCapacity(max(0, min(manifest.completed, 1 << 24)))
        var retried: [Int: [(index: Int, elapsed: Int64)]] = [:]
        var strings = StringPool()
        let walked = try ArchiveStream.transcripts(layout) { record, hash, span in
            let transcript = record.transcript
            if labelled, recordHashes[transcript.key] == nil { recordHashes[transcript.key] = hash }
            if transcript.attempts.count > 1 {
                retried[requests.count] = transcript.attempts.map { ($0.index, $0.elapsed) }
            }
            let place = RequestSummary.Place(record: span, verdict: .init(offset: 0, length: 0), seq: record.seq)
            requests.append(
                RequestSummary(probe: record.probe, transcript: transcript, place: place, strings: &strings))
        }
        // Records by key, through the key's hash and a chain of the records that share it (a
        // dictionary of the keys themselves held about 30 MB at 100,000 requests): each verdict
        // goes to every record of its key, the last verdict of a key winning, as before.
        var firstOfHash: [Int: Int32] = [:]
        var nextOfHash = [Int32](repeating: -1, count: requests.count)
        for index in requests.indices {
            let hash = requests[index].key.hashValue
            if let first = firstOfHash[hash] { nextOfHash[index] = first }
            firstOfHash[hash] = Int32(index)
        }
        var scored = [Bool](repeating: false, count: requests.count)
        try ArchiveStream.verdicts(layout.verdicts) { verdict, _, span in
            var candidate = firstOfHash[verdict.key.hashValue] ?? -1
            while candidate >= 0 {
                let index = Int(candidate)
                candidate = nextOfHash[index]
                guard requests[index].key == verdict.key else { continue }
                scored[index] = true
                requests[index].verdict = verdict.verdict
                requests[index].outcome = verdict.outcome
                requests[index].place?.verdict = span
                // As `ReportEntry.attempt`: the attempt the verdict names, else the last.
                if let attempts = retried[index] {
                    requests[index].elapsed =
                        (attempts.first { $0.index == verdict.attempt } ?? attempts.last)?.elapsed
                }
            }
        }
        firstOfHash = [:]
        nextOfHash = []
        retried = [:]
        // The scored records, in file order, moved to the front in place.
        var kept = 0
        for index in requests.indices where scored[index] {
            requests.swapAt(kept, index)
            kept += 1
        }
        let unscored = requests.count - kept
        requests.removeLast(unscored)
        scored = []
        let judgements = try manifest.judge.map { _ in try JudgeIndex.read(layout.judgements) }
        if let problem = try SealedRunCheck.problem(
            layout: layout, manifest: manifest, transcripts: walked, judgements: judgements)
        {
            throw ArchiveError.changedAfterSealing(run: directory.path, problem: problem)
        }
        var tally = MetricTally()
        for request in requests {
            tally.add(
                category: request.category, topic: request.topic, language: request.language,
                followUp: request.isFollowUp, repeated: request.repeated, label: request.verdict,
                outcome: request.outcome, suite: request.suite, probe: request.probe, streamed: request.streamed)
        }
        // Sorted here, where the array has no other owner, so in place.
        requests.sort { $0.precedes($1) }
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
                // Only a request that ended in `error` has its raw chunks read: its cause is told
                // from them (a stall from its last chunk's arrival). Every other part of a report
                // reads the decoded answer, and an HTTP error's body is kept either way.
                let options = request.verdict == .error ? [:] : [Attempt.scoringOnly: true]
                let record = try records.decode(TranscriptRecord.self, at: place.record, userInfo: options)
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
