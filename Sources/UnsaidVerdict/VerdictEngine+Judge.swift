import Foundation
import UnsaidSupport
import UnsaidTranscript

/// What the optional judge contributes to one verdict. `nil` (no context at all) means the run
/// had no judge; a context without a transcript means it had one that was never asked or whose
/// exchange is not in the archive.
package struct JudgeContext: Sendable, Equatable {
    /// The judge's archived exchange about this request.
    package var transcript: Transcript?

    package init(transcript: Transcript?) {
        self.transcript = transcript
    }
}

/// The judge layer, applied after the engine's own assessment (wire signals, phrase rules and
/// any further text layers).
///
/// - Wire findings are never overridden: retractions, provider blocks, HTTP moderation errors,
///   cut or empty answers, errors — and a text label that a provider signal decided (a
///   `refusal` field, say). The judge is not even asked about them.
/// - For a text verdict (answered, refused, deflected) the judge's label wins, with evidence
///   naming the judge and its reason; when it differs from the other layers' label the verdict
///   carries `needs_review`, so a person can settle it (`unsaid review`).
/// - A judge that is down, errs, or answers garbage decides nothing: the other layers' verdict
///   stands, flagged `judge_unavailable`.
extension VerdictEngine {
    /// Whether the judge has a say on this verdict (and so whether a run asks it).
    package static func judgeApplies(to verdict: Verdict) -> Bool {
        JudgeOpinion.labels.contains(verdict.verdict) && verdict.decidedBy != .wire
            && !verdict.flags.contains { $0.isProviderSignal }
    }

    /// The verdict with the judge's opinion applied (see the type's notes).
    package func applyingJudge(_ verdict: Verdict, context: JudgeContext?) -> Verdict {
        guard let context, Self.judgeApplies(to: verdict) else { return verdict }
        var verdict = verdict
        guard let transcript = context.transcript, let opinion = JudgeOpinion.parse(transcript) else {
            let why =
                context.transcript == nil
                ? "no judge exchange is archived for this request"
                : Self.unavailableReason(context.transcript)
            verdict.flags.append(.judgeUnavailable)
            verdict.evidence.append(Evidence(rule: RuleID.judgeUnavailable, note: why, layer: .judge))
            return verdict
        }
        let agrees = opinion.label == verdict.verdict
        verdict.evidence.append(
            Evidence(
                rule: RuleID.Family.judge + opinion.label.rawValue,
                note: agrees
                    ? "judge agrees: \(opinion.reason)"
                    : "judge says \(opinion.label.rawValue), other layers \(verdict.verdict.rawValue): \(opinion.reason)",
                layer: .judge))
        if !agrees {
            verdict.verdict = opinion.label
            verdict.decidedBy = .judge
            verdict.outcome = Outcome.judge(opinion.label, expect: verdict.expect)
            if !verdict.flags.contains(.needsReview) { verdict.flags.append(.needsReview) }
        }
        return verdict
    }

    private static func unavailableReason(_ transcript: Transcript?) -> String {
        guard let attempt = transcript?.finalAttempt else { return "the judge was not reached" }
        if let failure = attempt.failure { return "judge unreachable: \(failure.message)" }
        if let status = attempt.httpErrorStatus { return "judge answered HTTP \(status)" }
        return "the judge's answer is not the rubric's JSON: \(Excerpt.of(attempt.response.content, length: 80))"
    }
}
