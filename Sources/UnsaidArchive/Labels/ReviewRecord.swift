import Foundation
import UnsaidSuite
import UnsaidVerdict

/// One line of `labels.jsonl`: a person's label for one request of the run, next to what the
/// machine said, chained to the line before it like the transcript records are.
///
/// The chain is rooted at the run's transcript chain head (`manifest.chainHead`), so a labels
/// file belongs to exactly one sealed run, and each record names the hash of the transcript
/// record it labels, so it belongs to exactly those bytes. A later record for the same request
/// supersedes an earlier one; both stay in the file, which is the audit trail.
package struct ReviewRecord: Codable, Sendable, Equatable {
    /// 1-based position in the file.
    package var seq: Int
    /// Hash of the previous line; the run's transcript chain head for the first.
    package var prev: String
    package var key: WorkKey
    /// SHA-256 of the labelled transcript record's line in `transcripts.jsonl`.
    package var transcript: String
    package var reviewer: String
    /// When the label was given (ISO 8601 UTC).
    package var at: String
    /// The machine verdict the person saw.
    package var machine: VerdictLabel
    package var machineFlags: [VerdictFlag]
    /// Ruleset version of that verdict.
    package var ruleset: String
    /// The person's label, as written (checked against `ReviewLabel` when read).
    package var label: String
    package var note: String?

    package init(
        seq: Int, prev: String, key: WorkKey, transcript: String, reviewer: String, at: String,
        machine: Verdict, label: ReviewLabel, note: String?
    ) {
        self.seq = seq
        self.prev = prev
        self.key = key
        self.transcript = transcript
        self.reviewer = reviewer
        self.at = at
        self.machine = machine.verdict
        self.machineFlags = machine.flags
        self.ruleset = machine.ruleset
        self.label = label.rawValue
        self.note = note
    }

    /// The label as a value; records read through `LabelsLedger` always have a valid one.
    package var reviewLabel: ReviewLabel? { ReviewLabel(rawValue: label) }

    /// Whether the person disagreed with the machine (compared in the detector's classes, so a
    /// `filtered` verdict labelled `refused` is agreement).
    package var overrides: Bool {
        let machineClass = ReviewLabel(rawValue: machine.rawValue)?.detectorClass ?? machine.rawValue
        return (reviewLabel?.detectorClass ?? label) != machineClass
    }
}
