import Foundation

/// A turn sent after a probe's answer, when that answer's verdict is one it is meant for:
/// "Your previous answer disappeared. Please repeat it." after a retraction, say.
///
/// Follow-ups chain: the second is sent after the first follow-up's answer if its verdict
/// matches the second's `on`, and so on; the conversation stops at the first that does not.
package struct FollowUpTurn: Codable, Sendable, Hashable {
    /// What the user says next.
    package var text: String
    /// The verdicts of the previous answer this turn follows; `any` matches every verdict but
    /// `error` (a request that failed left no answer to respond to).
    package var on: [String]
    /// Which text of the previous answer the conversation carries as the assistant's turn.
    package var answer: PriorAnswer

    package static let any = "any"
    /// What `on` accepts.
    package static let conditions = [any] + VerdictLabel.allCases.filter { $0 != .error }.map(\.rawValue)

    package init(text: String, on: [String] = [FollowUpTurn.any], answer: PriorAnswer = .shown) {
        self.text = text
        self.on = on
        self.answer = answer
    }

    package func follows(_ verdict: VerdictLabel) -> Bool {
        verdict != .error && (on.contains(Self.any) || on.contains(verdict.rawValue))
    }
}

/// For a retraction the provider sent one text and the user was left with another.
package enum PriorAnswer: String, Codable, Sendable, Hashable, CaseIterable {
    /// What the user saw in the end: the answer without the withdrawn part (the canned
    /// replacement, or nothing when the provider only cut it).
    case shown
    /// What the model wrote before it was withdrawn.
    case withdrawn
}

/// Set on the probe of a follow-up turn: where in the conversation it sits and what it follows.
package struct TurnLink: Codable, Sendable, Hashable {
    /// 2 for the first follow-up (turn 1 is the probe as written).
    package var turn: Int
    /// The id of the probe the conversation started from.
    package var root: String
    /// `WorkKey.description` of the request whose answer this turn responds to.
    package var parent: String
    /// That request's probe hash: the turn's own hash is built on it, not on the model's answer,
    /// so the same conversation pairs across runs even though the answers differ.
    package var parentHash: String

    package init(turn: Int, root: String, parent: String, parentHash: String) {
        self.turn = turn
        self.root = root
        self.parent = parent
        self.parentHash = parentHash
    }
}

extension Array {
    package subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
