import Foundation
import UnsaidArchive
import UnsaidSupport
import UnsaidTranscript

/// One CSV row per attempt (retries included), RFC 4180: comma-separated, CRLF line ends, fields
/// with commas, quotes or line breaks quoted and inner quotes doubled.
///
/// The verdict columns are filled on the row of the attempt the verdict describes and left empty
/// on attempts that were retried, so filtering on `final = true` gives one row per request.
/// Text is written as archived (no spreadsheet-formula defusing): the file is evidence.
package enum CSVReport {
    package static let columns = [
        "run", "model", "suite", "probe", "probe_hash", "sample", "mode", "category", "topic", "language", "group",
        "expect", "attempt", "final", "status", "failure", "finish_reason", "elapsed_ms",
        "verdict", "outcome", "flags", "rules", "evidence", "ruleset", "prompt", "answer",
        "reviewed_label", "reviewer", "reviewed_at", "review_note",
    ]

    package static func render(_ document: ReportDocument) throws -> String {
        try ReportWriter.collect { try render(document, to: $0) }
    }

    package static func render(_ document: ReportDocument, to writer: ReportWriter) throws {
        try writer.write(line(columns))
        for run in document.runs {
            try run.forEachEntry { entry in
                for attempt in entry.transcript.attempts {
                    try writer.write(line(row(run: run, entry: entry, attempt: attempt)))
                }
            }
        }
    }

    static func row(run: ReportRun, entry: ReportEntry, attempt: Attempt) -> [String] {
        let verdict = entry.verdict
        let isFinal = attempt.index == verdict.attempt
        let evidence = (try? CanonicalJSON.encode(verdict.evidence)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let verdictColumns =
            isFinal
            ? [
                verdict.verdict.rawValue, verdict.outcome.rawValue, verdict.flags.wire.joined(separator: ";"),
                verdict.rules.joined(separator: ";"), evidence, verdict.ruleset,
            ]
            : ["", "", "", "", "", ""]
        return [
            run.manifest.runID, run.manifest.target.model, entry.key.suite, entry.key.probe, entry.key.probeHash,
            String(entry.key.sample), entry.mode, entry.probe.category.rawValue, entry.probe.topic ?? "",
            entry.probe.language, entry.probe.group ?? "", verdict.expect.rawValue, String(attempt.index),
            isFinal ? "true" : "false", attempt.status.map(String.init) ?? "", attempt.failure?.kind.rawValue ?? "",
            attempt.response.finishReason ?? "", String(format: "%.3f", Double(attempt.elapsed) / 1000),
        ] + verdictColumns + [entry.probe.prompt, attempt.response.content]
            + reviewColumns(entry.review, isFinal: isFinal)
    }

    /// The person's label sits on the same row as the machine verdict it answers.
    static func reviewColumns(_ review: ReviewRecord?, isFinal: Bool) -> [String] {
        guard isFinal, let review else { return ["", "", "", ""] }
        return [review.label, review.reviewer, review.at, review.note ?? ""]
    }

    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
