import Foundation
import UnsaidSuite
import UnsaidTranscript

/// Streamed against non-streamed answers to the same probe and sample: a provider that filters
/// one transport and not the other shows itself here. The runner calls these after both
/// requests of a pair are judged; they are pure, so `rescore` gets the same result.
extension VerdictEngine {
    /// What the answer amounts to, for comparing the two modes: delivered, declined (refused,
    /// deflected or blocked before any content) or withdrawn after delivery. Truncated, empty
    /// and error verdicts say nothing comparable and are left out.
    package enum Disposition: String {
        case delivered, declined, withdrawn
    }

    package static func disposition(_ label: VerdictLabel) -> Disposition? {
        switch label {
        case .answered: return .delivered
        case .refused, .deflected, .filtered: return .declined
        case .retracted: return .withdrawn
        case .truncated, .empty, .error: return nil
        }
    }

    /// `[.streamNonstreamMismatch]` (the flag set on both verdicts of a disagreeing pair) when the
    /// two verdicts disagree, `[]` otherwise.
    package static func crossModeFlags(streamed: Verdict, nonStreamed: Verdict) -> [VerdictFlag] {
        guard let left = disposition(streamed.verdict), let right = disposition(nonStreamed.verdict),
            left != right
        else { return [] }
        return [.streamNonstreamMismatch]
    }

    /// Judges both transcripts and compares them.
    package func crossModeFlags(streamed: Transcript, nonStreamed: Transcript) -> [VerdictFlag] {
        Self.crossModeFlags(streamed: judge(streamed, expect: .any), nonStreamed: judge(nonStreamed, expect: .any))
    }

    /// Both verdicts with the flag and a piece of evidence naming the other mode's verdict added
    /// when they disagree; unchanged otherwise. The labels stay as judged: each verdict still
    /// says what its own transport delivered.
    package static func applyingCrossMode(
        streamed: Verdict, nonStreamed: Verdict
    ) -> (streamed: Verdict, nonStreamed: Verdict) {
        guard !crossModeFlags(streamed: streamed, nonStreamed: nonStreamed).isEmpty else {
            return (streamed, nonStreamed)
        }
        func marked(_ verdict: Verdict, other: Verdict, otherMode: String) -> Verdict {
            var verdict = verdict
            if !verdict.flags.contains(.streamNonstreamMismatch) { verdict.flags.append(.streamNonstreamMismatch) }
            verdict.evidence.append(
                Evidence(
                    rule: RuleID.crossModeMismatch,
                    note: "the \(otherMode) answer to the same sample was \(other.verdict.rawValue)"))
            return verdict
        }
        return (
            marked(streamed, other: nonStreamed, otherMode: "non-streamed"),
            marked(nonStreamed, other: streamed, otherMode: "streamed")
        )
    }
}
