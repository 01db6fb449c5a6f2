import Foundation
import UnsaidSupport

/// What a probe measures; the report slices rates by it.
package enum ProbeCategory: String, Codable, Sendable, CaseIterable, Comparable {
    case censorship
    case safety
    case overRefusal = "over-refusal"
    case control

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a well-behaved assistant should do with the probe.
package enum Expectation: String, Codable, Sendable, CaseIterable {
    case answer
    case refuse
    case any
}

/// Whether a probe is sent streamed, non-streamed, or both (to compare the two answers).
package enum StreamMode: String, Codable, Sendable, CaseIterable {
    case on
    case off
    case both
}

package struct ChatMessage: Codable, Sendable, Hashable {
    package var role: String
    package var content: String

    package init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Sampling parameters; `nil` means "leave it to the server".
package struct GenerationParameters: Codable, Sendable, Hashable {
    package var temperature: Double?
    package var topP: Double?
    package var maxTokens: Int?
    package var seed: Int?

    package init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, seed: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
    }

    /// Values set here win; unset ones fall back to `base`.
    package func overriding(_ base: GenerationParameters) -> GenerationParameters {
        GenerationParameters(
            temperature: temperature ?? base.temperature,
            topP: topP ?? base.topP,
            maxTokens: maxTokens ?? base.maxTokens,
            seed: seed ?? base.seed
        )
    }
}

/// One question put to a model, fully resolved (suite defaults already applied).
package struct Probe: Codable, Sendable, Hashable {
    package var id: String
    package var messages: [ChatMessage]
    package var language: String
    package var topic: String?
    package var tags: [String]
    package var category: ProbeCategory
    package var expect: Expectation
    package var stream: StreamMode
    package var repeatCount: Int
    /// Probes that share a group are paraphrases or translations of one question.
    package var group: String?
    /// What sets this probe apart within its group (`zh-Hans`, `ko`, a suffix); `nil` for the
    /// probe a group's variants were written under.
    package var variant: String?
    package var parameters: GenerationParameters
    /// The sensitive words of the prompt (`terms:` in the suite), which the `homoglyph` and
    /// `spaced` transforms rewrite; `nil` when none are listed.
    package var terms: [String]?
    /// Set on a probe a transform produced from another one; `nil` for probes as written.
    package var transform: AppliedTransform?
    /// Turns to send after the answer, depending on its verdict (`follow_up:` in the suite).
    package var followUps: [FollowUpTurn]?
    /// Set on the probe of a follow-up turn; `nil` for the first request of a conversation.
    package var turn: TurnLink?

    package init(
        id: String,
        messages: [ChatMessage],
        language: String = "en",
        topic: String? = nil,
        tags: [String] = [],
        category: ProbeCategory = .control,
        expect: Expectation = .any,
        stream: StreamMode = .on,
        repeatCount: Int = 1,
        group: String? = nil,
        variant: String? = nil,
        parameters: GenerationParameters = GenerationParameters(),
        terms: [String]? = nil,
        transform: AppliedTransform? = nil,
        followUps: [FollowUpTurn]? = nil,
        turn: TurnLink? = nil
    ) {
        self.id = id
        self.messages = messages
        self.language = language
        self.topic = topic
        self.tags = tags
        self.category = category
        self.expect = expect
        self.stream = stream
        self.repeatCount = repeatCount
        self.group = group
        self.variant = variant
        self.parameters = parameters
        self.terms = terms
        self.transform = transform
        self.followUps = followUps
        self.turn = turn
    }

    /// The text of the last user turn: what the probe asks.
    package var prompt: String {
        messages.last(where: { $0.role == "user" })?.content ?? messages.last?.content ?? ""
    }

    /// A stable digest of what is sent (messages and parameters), so a changed probe is never
    /// silently compared with an old result. Whitespace in the YAML and key order do not matter
    /// because the digest is taken over canonical JSON of the parsed values. A transformed probe's
    /// transform (name, version, argument) is part of the digest, so a new version of a transform
    /// is never compared with results of the old one; plain probes hash as they always did.
    ///
    /// Throws `ProbeHashError` when the content cannot be written as canonical JSON (a parameter that
    /// is not a finite number): a probe must never share the hash of empty input with another.
    package var contentHash: String {
        get throws {
            do {
                return SHA256Hex.digest(try CanonicalJSON.encode(ProbeHashInput(self)))
            } catch {
                throw ProbeHashError(probe: id, reason: error)
            }
        }
    }
}

/// A probe whose content hash cannot be computed, said for the person at the terminal:
/// `probe q7: its content hash cannot be computed: nan at parameters.temperature is not a finite number; …`.
package struct ProbeHashError: Error, CustomStringConvertible, Equatable {
    package var probe: String
    package var reason: String

    package init(probe: String, reason: Error) {
        self.probe = probe
        self.reason = EncodingProblem.describe(reason)
    }

    package var description: String {
        "probe \(probe): its content hash cannot be computed: \(reason)"
    }
}
