import Foundation
import UnsaidSuite
import UnsaidTranscript
import UnsaidVerdict

/// Builds the next turn of a conversation from the answer just judged: the messages sent so far,
/// the model's answer as the provider returned it, and the follow-up text. Pure, so the exact
/// conversation a run sends is testable without a server.
package enum FollowUpConversation {
    /// The next request, or `nil` when the probe has no further follow-up or the verdict is not
    /// one the next follow-up is for.
    package static func next(after item: WorkItem, transcript: Transcript, verdict: Verdict) throws -> WorkItem? {
        let probe = item.probe
        let turn = probe.turn?.turn ?? 1
        guard let followUp = probe.followUps?[safe: turn - 1], followUp.follows(verdict.verdict) else { return nil }
        let root = probe.turn?.root ?? probe.id
        var next = probe
        next.id = "\(root).turn-\(turn + 1)"
        next.messages =
            probe.messages + [
                ChatMessage(
                    role: "assistant",
                    content: answerText(transcript: transcript, verdict: verdict, as: followUp.answer)),
                ChatMessage(role: "user", content: followUp.text),
            ]
        next.turn = TurnLink(turn: turn + 1, root: root, parent: item.key.description, parentHash: item.key.probeHash)
        let key = WorkKey(
            suite: item.key.suite, probe: next.id, probeHash: try next.contentHash,
            sample: item.key.sample, streamed: item.key.streamed)
        return WorkItem(key: key, probe: next, parameters: item.parameters)
    }

    /// The previous answer as the conversation carries it. Without a retraction both choices are
    /// the whole answer. With one, `shown` drops the withdrawn span (leaving the replacement, or
    /// nothing) and `withdrawn` is the text that was taken back.
    package static func answerText(transcript: Transcript, verdict: Verdict, as choice: PriorAnswer) -> String {
        let attempt = transcript.attempts.first { $0.index == verdict.attempt } ?? transcript.finalAttempt
        let content = attempt?.response.content ?? ""
        guard let withdrawn = verdict.evidence.lazy.compactMap(\.withdrawn).first else { return content }
        switch choice {
        case .withdrawn:
            return withdrawn.text
        case .shown:
            let bytes = Array(content.utf8)
            guard withdrawn.start >= 0, withdrawn.start <= withdrawn.end, withdrawn.end <= bytes.count else {
                return content
            }
            return String(decoding: bytes[..<withdrawn.start] + bytes[withdrawn.end...], as: UTF8.self)
        }
    }
}
