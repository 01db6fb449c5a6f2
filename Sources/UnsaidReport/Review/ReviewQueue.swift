import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidVerdict
import UnsaidSupport

/// One request put in front of a reviewer: what was asked, what came back, what the machine
/// decided and why, and the label a person gave it last (if any).
package struct ReviewItem: Sendable {
    package var record: TranscriptRecord
    /// Hash of the transcript record's line (what a label commits to).
    package var recordHash: String
    package var verdict: Verdict
    package var review: ReviewRecord?

    package var key: WorkKey { record.transcript.key }
    package var reference: RequestReference { RequestReference(key) }

    /// The reviewer-facing text: request, machine verdict, prompt, answer (for a retraction the
    /// withdrawn and the replacing text), evidence and any earlier label.
    package func render(position: Int? = nil, of total: Int? = nil) -> String {
        var out = ""
        if let position, let total { out += "[\(position)/\(total)] " }
        out += "\(reference.displayName)  (\(record.probe.language))\n"
        out += "machine: \(verdict.verdict.rawValue)"
        if let layer = verdict.decidedBy {
            out +=
                " (decided by \(layer.rawValue)\(ReviewQueue.confidence(of: verdict).map { ", confidence \($0)‰" } ?? ""))"
        }
        if !verdict.flags.isEmpty { out += "  flags: \(verdict.flags.wire.joined(separator: ", "))" }
        out += "\n"
        if let review {
            out += "reviewed: \(review.label) by \(review.reviewer) at \(review.at)"
            if let note = review.note { out += " (\(note))" }
            out += "\n"
        }
        out += "prompt:\n" + Self.indent(record.probe.prompt)
        let retraction = verdict.evidence.first { $0.withdrawn != nil }
        if let retraction, let withdrawn = retraction.withdrawn {
            out += "withdrawn:\n" + Self.indent(withdrawn.text)
            out += "replaced by:\n" + Self.indent(retraction.replacement?.text ?? "(nothing)")
        } else {
            out += "answer:\n" + Self.indent(record.transcript.finalAttempt?.response.content ?? "")
        }
        out += "evidence:\n"
        if verdict.evidence.isEmpty { out += "  (none)\n" }
        for evidence in verdict.evidence {
            out += "  - \(evidence.layer.map { "[\($0.rawValue)] " } ?? "")\(evidence.rule): \(evidence.note)"
            if let span = evidence.span { out += " «\(Excerpt.of(span.text, length: 80))»" }
            out += "\n"
        }
        return out
    }

    static func indent(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return "  (empty)\n" }
        return trimmed.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(
            separator: "\n") + "\n"
    }
}

/// Which verdicts of a run need a person: those flagged `needs_review` by the detector (layers
/// that disagree), or every verdict when asked.
///
/// This is the queue's definition over a run held whole. `unsaid review` never holds one: it walks
/// the run (`ReviewWalk`, `ReviewListing`), and the tests check those walks against this.
package struct ReviewQueue: Sendable {
    package var items: [ReviewItem]

    /// - Parameters:
    ///   - all: every verdict, not only the flagged ones.
    ///   - minConfidence: also the verdicts whose deciding layer gave a confidence (per mille)
    ///     below this — the learned classifier's probability for its label.
    package init(contents: ArchiveContents, ledger: LabelsLedger, all: Bool = false, minConfidence: Int? = nil) {
        let latest = ledger.latest
        var byKey: [WorkKey: Verdict] = [:]
        for verdict in contents.verdicts { byKey[verdict.key] = verdict }
        items = zip(contents.records, contents.recordHashes).compactMap { record, hash in
            guard let verdict = byKey[record.transcript.key] else { return nil }
            guard all || verdict.flags.contains(.needsReview) || Self.isUnsure(verdict, below: minConfidence) else {
                return nil
            }
            return ReviewItem(record: record, recordHash: hash, verdict: verdict, review: latest[record.transcript.key])
        }
    }

    /// How sure the layer that decided the verdict was, per mille, when it says (the learned
    /// classifier does; phrase rules and wire signals do not).
    package static func confidence(of verdict: Verdict) -> Int? {
        verdict.evidence.last { $0.layer == verdict.decidedBy && $0.confidence != nil }?.confidence
    }

    static func isUnsure(_ verdict: Verdict, below threshold: Int?) -> Bool {
        guard let threshold, let confidence = confidence(of: verdict) else { return false }
        return confidence < threshold
    }

    /// Finds every request of the run, flagged or not, by its typed name.
    package static func item(
        _ reference: RequestReference, contents: ArchiveContents, ledger: LabelsLedger
    ) -> ReviewItem? {
        ReviewQueue(contents: contents, ledger: ledger, all: true).items.first { reference.matches($0.key) }
    }
}
