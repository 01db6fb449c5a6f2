import Foundation

/// One request of a run as reports see it: what was asked, what came back, what was decided.
public struct ReportEntry: Sendable, Equatable {
    public var probe: Probe
    public var transcript: Transcript
    public var verdict: Verdict
    /// A person's latest label for this request (`unsaid review`), shown beside the verdict.
    public var review: ReviewRecord?

    public init(probe: Probe, transcript: Transcript, verdict: Verdict, review: ReviewRecord? = nil) {
        self.probe = probe
        self.transcript = transcript
        self.verdict = verdict
        self.review = review
    }

    public var key: WorkKey { transcript.key }

    /// The answer text of the attempt the verdict describes.
    public var answer: String { attempt?.response.content ?? "" }

    /// The attempt the verdict describes (the last one, normally).
    public var attempt: Attempt? {
        transcript.attempts.first { $0.index == verdict.attempt } ?? transcript.finalAttempt
    }

    /// `stream` or `json`, as in `WorkKey.description` and the CSV report's `mode` column.
    public var mode: String { key.streamed ? "stream" : "json" }
}

/// A run read back from its archive, ready for metrics and rendering.
///
/// Entries are sorted by suite, probe, sample and mode, so every report lists requests in the
/// same order no matter in which order the requests completed.
public struct ReportRun: Sendable {
    public var manifest: Manifest
    public var entries: [ReportEntry]
    /// Transcripts that have no verdict yet (a run still in progress or torn); left out of every figure.
    public var unscored: Int
    /// How tables and charts name the run: the model, with the run id added when two runs of
    /// the same model are shown side by side.
    public var label: String

    public init(manifest: Manifest, records: [TranscriptRecord], verdicts: [Verdict], reviews: [WorkKey: ReviewRecord] = [:]) {
        var byKey: [WorkKey: Verdict] = [:]
        for verdict in verdicts { byKey[verdict.key] = verdict }
        var entries: [ReportEntry] = []
        var unscored = 0
        for record in records {
            guard let verdict = byKey[record.transcript.key] else {
                unscored += 1
                continue
            }
            entries.append(ReportEntry(probe: record.probe, transcript: record.transcript, verdict: verdict,
                                       review: reviews[record.transcript.key]))
        }
        self.manifest = manifest
        self.entries = entries.sorted { ReportRun.order($0.key, $1.key) }
        self.unscored = unscored
        self.label = manifest.target.model
    }

    public init(contents: ArchiveContents, reviews: [WorkKey: ReviewRecord] = [:]) {
        self.init(manifest: contents.manifest, records: contents.records, verdicts: contents.verdicts, reviews: reviews)
    }

    /// Reads `Results/<run>` and its reviewers' labels; only the archive, never the network.
    public static func load(_ directory: URL) throws -> ReportRun {
        let contents = try ArchiveReader.read(directory)
        guard LabelsLedger.exists(in: directory) else { return ReportRun(contents: contents) }
        do {
            return ReportRun(contents: contents, reviews: try LabelsLedger.load(contents).latest)
        } catch let error as LabelsError {
            throw ArchiveError.mismatch(error.description)
        }
    }

    /// Entries a person has labelled.
    public var reviewed: [ReportEntry] { entries.filter { $0.review != nil } }

    /// Suite, probe, sample, then streamed before non-streamed.
    static func order(_ lhs: WorkKey, _ rhs: WorkKey) -> Bool {
        if lhs.suite != rhs.suite { return lhs.suite < rhs.suite }
        if lhs.probe != rhs.probe { return lhs.probe < rhs.probe }
        if lhs.sample != rhs.sample { return lhs.sample < rhs.sample }
        return lhs.streamed && !rhs.streamed
    }

    /// Gives runs distinct labels: the model name, or `model (run id)` when models repeat.
    public static func disambiguate(_ runs: [ReportRun]) -> [ReportRun] {
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

/// Short, single-line quotations of model answers for tables and flip lists.
public enum Excerpt {
    public static let defaultLength = 120

    /// The first `length` characters with runs of whitespace folded to one space, `…` when cut.
    public static func of(_ text: String, length: Int = defaultLength) -> String {
        let folded = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        guard folded.count > length else { return folded }
        return String(folded.prefix(length)) + "…"
    }

    /// What a model said, for flip tables: the answer, or for a retraction the text that was
    /// withdrawn and what replaced it, since the final text alone reads as if it were the answer.
    public static func ofAnswer(_ entry: ReportEntry, length: Int = defaultLength) -> String {
        guard entry.verdict.verdict == .retracted,
              let evidence = entry.verdict.evidence.first(where: { $0.withdrawn != nil }),
              let withdrawn = evidence.withdrawn else { return of(entry.answer, length: length) }
        let replacement = evidence.replacement.map { "replaced by: " + of($0.text, length: length / 2) } ?? "nothing replaced it"
        return "withdrawn: " + of(withdrawn.text, length: length / 2) + " → " + replacement
    }
}
