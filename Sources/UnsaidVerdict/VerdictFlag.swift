/// A secondary finding beside a verdict's label: `provider_signal(content_filter)`, `stream_cut`,
/// `needs_review`, ….
///
/// The verdict vocabulary in one place. Archives store flags by their `wire` strings, which are
/// exactly the strings earlier builds wrote, and a flag this build does not know (an older or a
/// newer archive) is kept verbatim as `unknown`, so every archive loads and re-encodes byte for
/// byte. Code makes and tests flags through the cases, never through strings, so a misspelled flag
/// does not compile.
package enum VerdictFlag: Sendable, Hashable {
    /// A moderation, refusal or error signal the provider put on the wire, by its signal name
    /// (`content_filter`, `base_resp(1027)`, `error(502)`).
    case providerSignal(String)
    /// A known canned reply, by its id in the ruleset (`deepseek-scope-en`).
    case cannedText(String)
    /// A stream the server ended early after substance (no finish reason, no `[DONE]`).
    case streamCut
    /// A transfer the client saw break (reset, stall, timeout, TLS).
    case transportCut
    /// The transfer failed after the answer had already ended: nothing was cut off.
    case transportErrorAfterEnd
    /// An event that is not JSON, or bytes that are not UTF-8.
    case malformedChunk
    /// The final message object differs materially from the streamed text.
    case finalMessageMismatch
    /// The answer grew past the response-size cap; the client kept the first bytes.
    case responseTooLarge
    /// The answer stopped at the token limit (`finish_reason: length` or `MAX_TOKENS`).
    case finishReasonLength
    /// A finish reason in none of the ruleset's lists, verbatim.
    case unknownFinishReason(String)
    /// Empty reasoning, e.g. `<think>\n\n</think>`.
    case thoughtSuppressed
    /// The reasoning engages with the question while the answer refuses or deflects.
    case thoughtAnswerMismatch
    /// The answer is in another script than the probe's language.
    case languageSwitch
    /// Part refusal, part answer.
    case partialRefusal
    /// The detector's layers disagree, or the layer that decided was unsure: a person should look.
    case needsReview
    /// The optional judge gave no usable opinion; the other layers' verdict stands.
    case judgeUnavailable
    /// The streamed and the non-streamed run of the same probe got different verdicts.
    case streamNonstreamMismatch
    /// A flag this build does not know, kept verbatim so the archive round-trips.
    case unknown(String)

    /// The payload-free families, one per case, so a test can walk every flag the vocabulary has
    /// (enums with payloads are not `CaseIterable`); `form` is how README names each one.
    package enum Kind: CaseIterable, Sendable {
        case providerSignal, cannedText, streamCut, transportCut, transportErrorAfterEnd, malformedChunk
        case finalMessageMismatch, responseTooLarge, finishReasonLength, unknownFinishReason
        case thoughtSuppressed, thoughtAnswerMismatch, languageSwitch, partialRefusal, needsReview
        case judgeUnavailable, streamNonstreamMismatch

        /// The flag with a placeholder payload, e.g. `provider_signal(<name>)`: how README lists it.
        package var form: String { example.wire }

        /// One flag of this kind; payloads are README's placeholders.
        package var example: VerdictFlag {
            switch self {
            case .providerSignal: return .providerSignal("<name>")
            case .cannedText: return .cannedText("<id>")
            case .streamCut: return .streamCut
            case .transportCut: return .transportCut
            case .transportErrorAfterEnd: return .transportErrorAfterEnd
            case .malformedChunk: return .malformedChunk
            case .finalMessageMismatch: return .finalMessageMismatch
            case .responseTooLarge: return .responseTooLarge
            case .finishReasonLength: return .finishReasonLength
            case .unknownFinishReason: return .unknownFinishReason("<value>")
            case .thoughtSuppressed: return .thoughtSuppressed
            case .thoughtAnswerMismatch: return .thoughtAnswerMismatch
            case .languageSwitch: return .languageSwitch
            case .partialRefusal: return .partialRefusal
            case .needsReview: return .needsReview
            case .judgeUnavailable: return .judgeUnavailable
            case .streamNonstreamMismatch: return .streamNonstreamMismatch
            }
        }
    }

    /// The families that carry a payload, with the wire prefix before it (the payload is followed
    /// by one closing parenthesis).
    private static let payloadPrefixes: [(prefix: String, make: @Sendable (String) -> VerdictFlag)] = [
        ("provider_signal(", { .providerSignal($0) }),
        ("canned_text(", { .cannedText($0) }),
        ("unknown_finish_reason(", { .unknownFinishReason($0) }),
    ]

    /// The string archives and reports carry.
    package var wire: String {
        switch self {
        case .providerSignal(let name): return "provider_signal(\(name))"
        case .cannedText(let id): return "canned_text(\(id))"
        case .unknownFinishReason(let reason): return "unknown_finish_reason(\(reason))"
        case .streamCut: return "stream_cut"
        case .transportCut: return "transport_cut"
        case .transportErrorAfterEnd: return "transport_error_after_end"
        case .malformedChunk: return "malformed_chunk"
        case .finalMessageMismatch: return "final_message_mismatch"
        case .responseTooLarge: return "response_too_large"
        case .finishReasonLength: return "finish_reason(length)"
        case .thoughtSuppressed: return "thought_suppressed"
        case .thoughtAnswerMismatch: return "thought_answer_mismatch"
        case .languageSwitch: return "language_switch"
        case .partialRefusal: return "partial_refusal"
        case .needsReview: return "needs_review"
        case .judgeUnavailable: return "judge_unavailable"
        case .streamNonstreamMismatch: return "stream_nonstream_mismatch"
        case .unknown(let text): return text
        }
    }

    /// The flag a wire string names; `unknown` keeps any other string as it is, so
    /// `VerdictFlag(wire: s).wire == s` for every `s`.
    package init(wire: String) {
        for family in Self.payloadPrefixes
        where wire.hasPrefix(family.prefix) && wire.hasSuffix(")")
            && wire.count > family.prefix.count
        {
            self = family.make(String(wire.dropFirst(family.prefix.count).dropLast()))
            return
        }
        self = Self.fixed[wire] ?? .unknown(wire)
    }

    /// The payload-free flags by wire string.
    private static let fixed: [String: VerdictFlag] = Dictionary(
        Kind.allCases.map(\.example).filter(\.isFixed).map { ($0.wire, $0) }, uniquingKeysWith: { first, _ in first })

    private var isFixed: Bool {
        switch self {
        case .providerSignal, .cannedText, .unknownFinishReason, .unknown: return false
        default: return true
        }
    }

    /// Whether this build knows the flag (`unknown` is the only case it does not).
    package var isKnown: Bool {
        if case .unknown = self { return false }
        return true
    }

    /// Whether this is a provider signal of any name.
    package var isProviderSignal: Bool {
        if case .providerSignal = self { return true }
        return false
    }
}

/// On the wire a flag is its string, exactly as earlier builds wrote it.
extension VerdictFlag: Codable {
    package init(from decoder: any Decoder) throws {
        self.init(wire: try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wire)
    }
}

extension VerdictFlag: CustomStringConvertible {
    package var description: String { wire }
}

extension Array where Element == VerdictFlag {
    /// The flags' wire strings, e.g. for a message that lists them.
    package var wire: [String] { map(\.wire) }
}
