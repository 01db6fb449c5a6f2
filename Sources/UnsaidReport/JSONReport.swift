import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// The full metrics object as JSON; the schema is documented in `docs/report-schema.md`.
///
/// Output is canonical (sorted keys, two-space indentation) and every fractional number is
/// rounded to six significant digits, so the bytes are stable across platforms and runs.
package enum JSONReport {
    package static let schema = "unsaid.report/1"

    struct Document: Encodable {
        var schema: String
        var runs: [Run]
        var comparisons: [Comparison]
        var languageFlips: [LanguageFlipJSON]
    }

    struct Run: Encodable {
        var label: String
        var run: RunInfo
        var metrics: RunMetrics
        /// One row per request with a verdict, in report order (suite, probe, sample, streamed first).
        var requests: [JSONRequestRow]
        /// People's labels beside the machine verdicts (`unsaid review`); absent when there are none.
        var reviews: [Review]?
    }

    struct Review: Encodable {
        var request: String
        var machine: String
        var machineFlags: [VerdictFlag]
        var label: String
        var overrides: Bool
        var reviewer: String
        var at: String
        var note: String?
    }

    struct RunInfo: Encodable {
        var id: String
        var target: String
        var baseURL: String
        var model: String
        var status: String
        var startedAt: String
        var finishedAt: String?
        var ruleset: Manifest.RulesetInfo
        var suites: [Suite]
        /// Requests with a verdict (the denominator of `metrics.overall.requests`).
        var requests: Int
        /// Transcripts without a verdict yet (in-progress runs); not in any figure.
        var unscored: Int

        struct Suite: Encodable {
            var id: String
            var version: String
            var probes: Int
        }
    }

    struct Comparison: Encodable {
        var left: String
        var right: String
        var leftRun: String
        var rightRun: String
        var paired: Int
        var changedProbes: [ProbePairing.ChangedProbe]
        var onlyLeft: [String]
        var onlyRight: [String]
        var mcnemar: [McNemarResult]
        var flips: [Flip]
    }

    struct Flip: Encodable {
        var request: String
        var suite: String
        var probe: String
        var sample: Int
        /// `stream` or `json`, kept as schema `unsaid.report/1` first had it; `stream` says the same
        /// in a suite's words.
        var mode: String
        var stream: String
        var category: String
        var topic: String?
        var language: String
        var left: String
        var right: String
        var changesAnswer: Bool
        var leftExcerpt: String
        var rightExcerpt: String
    }

    struct LanguageFlipJSON: Encodable {
        var run: String
        var group: String
        var members: [LanguageFlip.Member]
    }

    package static func render(_ document: ReportDocument) throws -> String {
        try ReportWriter.collect { try render(document, to: $0) }
    }

    /// The document is encoded with every run's `requests` empty, then written with each run's
    /// rows put in their place, each row encoded alone as its entry is read back: the same bytes
    /// as encoding the whole document (the rows are objects in an array at a known depth, and the
    /// encoder's output is the same for a value wherever it sits, but for its indentation).
    package static func render(_ document: ReportDocument, to writer: ReportWriter) throws {
        let text = try render(document, rows: { _ in [] })
        // The key's line starts after the run's indentation, two spaces less than its rows'.
        let keyIndent = "\n" + PrettyJSONList.spaces(rowsIndent - 2)
        let marker = keyIndent + PrettyJSONList.empty("requests", indent: rowsIndent)
        let pieces = text.components(separatedBy: marker)
        guard pieces.count == document.runs.count + 1 else {
            // Not the shape expected (it always is): encode the whole document as one.
            try writer.write(try render(document, rows: { run in try run.allEntries().map(JSONRequestRow.init) }))
            return
        }
        for (index, run) in document.runs.enumerated() {
            try writer.write(pieces[index])
            guard !run.requests.isEmpty else {
                try writer.write(marker)
                continue
            }
            try writer.write(keyIndent + PrettyJSONList.opening("requests"))
            var first = true
            let encoder = CanonicalJSON.prettyEncoder()
            try run.forEachEntry { entry in
                try writer.write(
                    (first ? "" : PrettyJSONList.separator) + (try indented(JSONRequestRow(entry), encoder: encoder)))
                first = false
            }
            try writer.write(PrettyJSONList.closing(indent: rowsIndent))
        }
        try writer.write(pieces[document.runs.count])
    }

    /// The depth of a request row in the document: inside `runs`, a run, its `requests`.
    static let rowsIndent = 8

    /// `row` encoded as the document encodes it in a run's `requests`, by `CanonicalJSON.prettyEncoder()`.
    static func indented(_ row: JSONRequestRow, encoder: JSONEncoder) throws -> String {
        PrettyJSONList.item(try encoder.encode(row), indent: rowsIndent)
    }

    /// The whole document, with each run's rows as `rows` gives them.
    static func render(_ document: ReportDocument, rows: (ReportRun) throws -> [JSONRequestRow]) throws -> String {
        let runs = try zip(document.runs, document.metrics).map { run, metrics in
            let manifest = run.manifest
            let requests = try rows(run)
            return Run(
                label: run.label,
                run: RunInfo(
                    id: manifest.runID, target: manifest.target.name, baseURL: manifest.target.baseURL,
                    model: manifest.target.model, status: manifest.status.rawValue,
                    startedAt: manifest.startedAt, finishedAt: manifest.finishedAt, ruleset: manifest.ruleset,
                    suites: manifest.suites.map { RunInfo.Suite(id: $0.id, version: $0.version, probes: $0.probes) },
                    requests: run.requests.count, unscored: run.unscored),
                metrics: metrics.rounded(), requests: requests, reviews: try reviews(of: run))
        }
        let comparisons = document.comparisons.map { comparison in
            Comparison(
                left: document.runs[comparison.left].label, right: document.runs[comparison.right].label,
                leftRun: document.runs[comparison.left].manifest.runID,
                rightRun: document.runs[comparison.right].manifest.runID,
                paired: comparison.pairing.pairs.count, changedProbes: comparison.pairing.changed,
                onlyLeft: comparison.pairing.onlyLeft.map(\.description),
                onlyRight: comparison.pairing.onlyRight.map(\.description),
                mcnemar: comparison.tests.map {
                    var test = $0; test.pValue = round6(test.pValue); return test
                },
                flips: comparison.flips.map { flip in
                    Flip(
                        request: flip.slot.description, suite: flip.slot.suite, probe: flip.slot.probe,
                        sample: flip.slot.sample, mode: flip.slot.streamed ? "stream" : "json",
                        stream: WorkKey.streamSetting(flip.slot.streamed),
                        category: flip.probe.category.rawValue, topic: flip.probe.topic, language: flip.probe.language,
                        left: flip.left.rawValue, right: flip.right.rawValue, changesAnswer: flip.changesAnswer,
                        leftExcerpt: flip.leftExcerpt, rightExcerpt: flip.rightExcerpt)
                })
        }
        let flips = zip(document.runs, document.languageFlips).flatMap { run, flips in
            flips.map { flip in
                LanguageFlipJSON(run: run.label, group: flip.group, members: flip.members)
            }
        }
        let data = try CanonicalJSON.encodePretty(
            Document(schema: schema, runs: runs, comparisons: comparisons, languageFlips: flips))
        return String(decoding: data, as: UTF8.self)
    }

    static func reviews(of run: ReportRun) throws -> [Review]? {
        var reviews: [Review] = []
        try run.entries(at: run.reviewed) { _, entry in
            guard let review = entry.review else { return }
            reviews.append(
                Review(
                    request: entry.key.description, machine: entry.verdict.verdict.rawValue,
                    machineFlags: entry.verdict.flags, label: review.label, overrides: review.overrides,
                    reviewer: review.reviewer, at: review.at, note: review.note))
        }
        return reviews.isEmpty ? nil : reviews
    }

    /// Six significant digits: enough for any proportion of a few million requests, and free of
    /// last-bit noise from `sqrt`/`exp` implementations.
    static func round6(_ value: Double) -> Double {
        Double(String(format: "%.6g", value)) ?? value
    }
}

extension RunMetrics {
    func rounded() -> RunMetrics {
        var copy = self
        copy.overall = overall.rounded()
        copy.categories = categories.map { $0.rounded() }
        copy.topics = topics.map { $0.rounded() }
        copy.languages = languages.map { $0.rounded() }
        copy.consistency = consistency.map {
            var item = $0; item.share = JSONReport.round6(item.share); return item
        }
        copy.meanConsistency = meanConsistency.map(JSONReport.round6)
        return copy
    }
}

extension SliceMetrics {
    func rounded() -> SliceMetrics {
        var copy = self
        copy.rates = rates.mapValues { estimate in
            var estimate = estimate
            estimate.rate = JSONReport.round6(estimate.rate)
            estimate.lower = JSONReport.round6(estimate.lower)
            estimate.upper = JSONReport.round6(estimate.upper)
            return estimate
        }
        return copy
    }
}
