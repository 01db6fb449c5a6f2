import Foundation
import UnsaidSupport

/// The manifest of the rule directory (`Rules/ruleset.json`): the version, the rule files in the
/// order they are read and hashed, and the tunable thresholds.
package struct RulesetManifest: Codable, Sendable, Equatable {
    package var version: String
    /// Rule files beside the manifest, in a fixed order (the order of the snapshot and its hash).
    package var files: [String]
    package var parameters: RuleParameters
}

/// Thresholds the detectors use. Lengths are in characters of normalised text, where one CJK
/// ideograph or Hangul syllable counts as `denseScriptWeight` characters, because a Chinese
/// sentence carries in ten characters what an English one carries in thirty.
package struct RuleParameters: Codable, Sendable, Equatable {
    /// Below this (weighted) length, text is not "substantive": a withdrawn greeting is not a retraction.
    package var substantiveCharacters: Int
    /// A refusal phrase opens the answer when at most this many (weighted) characters precede it…
    package var openingWindowCharacters: Int
    /// …and within this many sentences…
    package var openingSentences: Int
    /// …and, past the first sentence, after at most this many (weighted) characters.
    package var openingPreambleCharacters: Int
    /// A refusal after substantive text whose start is within this many (weighted) characters of the
    /// end closes the answer: a partial refusal ("…but I won't give my opinion").
    package var closingWindowCharacters: Int
    /// After an opening refusal, a "but I can…" continuation at least this long makes it partial.
    package var partialContinuationCharacters: Int
    /// How many distinct official-line markers make an answer a deflection.
    package var officialLineThreshold: Int
    /// An answer no longer than this (weighted) that closes on an offer to talk about something
    /// related ("shall I recommend…?") is a deflection.
    package var deflectionOfferMaximumCharacters: Int
    /// Reasoning at least this long engages with the question (for `thought_answer_mismatch`).
    package var reasoningEngagementCharacters: Int
    /// `language_switch` needs at least this many letters in the answer…
    package var languageSwitchMinimumLetters: Int
    /// …and a script other than the probe's to hold at least this share of them.
    package var languageSwitchShare: Double
    /// A quotation longer than this (in characters) is taken for a stray quote mark, not a quote.
    package var quoteMaximumCharacters: Int
    /// Weight of one Han/Hangul/Kana character in length measures.
    package var denseScriptWeight: Int
    /// The final message object may differ from the streamed text by this share of its length
    /// (trailing whitespace, a last token) before the difference counts as material.
    package var finalMessageTolerance: Double
    /// An answer (or reasoning) longer than twice this many UTF-8 bytes is read by the text
    /// detectors on its first and last `judgedEdgeBytes` only, cut at character boundaries, with a
    /// paragraph break where the middle was: refusals open or close an answer, and a runaway
    /// answer of many megabytes would otherwise cost the detector ~30 bytes of memory per
    /// character. Absent (rulesets before 1.2.0, kept in old archives) means the whole answer,
    /// so their verdicts re-derive unchanged.
    package var judgedEdgeBytes: Int?
}

/// One pattern rule. `pattern` is an ICU regular expression matched against normalised text
/// (NFKC, lower case, Traditional folded to Simplified Chinese, ASCII punctuation and quotes,
/// collapsed whitespace); `{NAME}` expands a macro of the same phrase file.
package struct PhraseRule: Codable, Sendable, Equatable {
    package var id: String
    package var pattern: String
    package var note: String?
    /// For weaker phrases ("it is not appropriate to…"): the match counts only in sentences up to
    /// this index (0 = the first sentence), however short the opening.
    package var maxSentence: Int?
}

/// The phrase rules of one language (`phrases.<lang>.json`).
package struct PhraseSet: Codable, Sendable, Equatable {
    package var language: String
    package var macros: [String: String]?
    /// First-person declines ("I can't help with", "我无法回答", "답변드릴 수 없").
    package var refusal: [PhraseRule]?
    /// Idioms that look like a refusal and are not ("I can't stress enough", "怎么强调都不为过");
    /// a refusal match overlapping one of these is dropped.
    package var nonRefusal: [PhraseRule]?
    /// "…but I can tell you…" after an opening refusal: the answer goes on to give substance.
    package var partialPivot: [PhraseRule]?
    /// Explicit changes of subject ("let's talk about something else", "我们换个话题").
    package var deflection: [PhraseRule]?
    /// Markers of an official-line non-answer; `officialLineThreshold` distinct ones make a deflection.
    package var officialLine: [PhraseRule]?
    /// "Speaking of X, …" at the start of an answer.
    package var pivot: [PhraseRule]?
    /// "Shall I recommend…?" at the end of an answer: an offer to talk about something else.
    package var offer: [PhraseRule]?
    /// Reasoning that deliberates a refusal ("I should not answer", "这是敏感话题"); such reasoning
    /// agrees with a refusing answer, so it is no `thought_answer_mismatch`.
    package var reasoningRefusal: [PhraseRule]?
}

/// A known canned reply, matched (normalised) anywhere in the answer.
package struct CannedText: Codable, Sendable, Equatable {
    package var id: String
    package var language: String
    package var text: String
}

package struct CannedCatalogue: Codable, Sendable, Equatable {
    package var canned: [CannedText]
}

/// How to normalise text before matching (`normalise.json`).
package struct NormalisationRules: Codable, Sendable, Equatable {
    /// Pairs of Traditional and Simplified characters, as one string "無无這这…", so one phrase
    /// written in Simplified matches both scripts.
    package var traditionalToSimplified: String
    /// Single characters mapped to replacements after NFKC (ideographic punctuation, quote and
    /// apostrophe variants, dashes).
    package var characters: [String: String]
    /// Characters that open a quotation, close one, or do either (the straight double quote).
    package var quoteOpen: String
    package var quoteClose: String
    package var quoteEither: String
    /// Characters that end a sentence (after normalisation).
    package var sentenceTerminators: String
    /// Expected scripts for a probe language (primary subtag), for `language_switch`.
    package var languageScripts: [String: [String]]
}

/// Provider moderation signals (`signals.json`).
package struct SignalRules: Codable, Sendable, Equatable {
    package struct FinishReasons: Codable, Sendable, Equatable {
        /// Ordinary ends of an answer.
        package var normal: [String]
        /// The provider's filter stopped or replaced the answer.
        package var moderation: [String]
        /// The model itself declined (Anthropic `refusal`).
        package var refusal: [String]
        /// The generation failed (OpenRouter `error`, Zhipu `network_error`).
        package var error: [String]
    }

    /// A field of a chunk (see `ChatEvent.annotations`) whose value signals a block.
    package struct Annotation: Codable, Sendable, Equatable {
        package var id: String
        /// The signal's name in `provider_signal(<name>)`.
        package var name: String
        /// Annotation keys to look at (`field` or `choices.field`).
        package var keys: [String]
        /// A path inside the value (`status_code` of MiniMax `base_resp`).
        package var path: [String]?
        /// The value signals a block when it equals one of these…
        package var equals: [JSONValue]?
        /// …or when it is an integer (Baidu `ban_round`)…
        package var anyInteger: Bool?
        /// …or when it is present at all and not null/empty (Gemini `blockReason`)…
        package var present: Bool?
        /// …or when somewhere inside it a `filtered: true` appears (Azure filter results).
        package var filteredTrue: Bool?
        /// `moderation` (a provider block), `refusal` (the model declined) or `error`.
        package var kind: SignalKind
    }

    /// A pattern over an error body or error object that marks a moderation block rather than a
    /// plain failure.
    package struct ErrorPattern: Codable, Sendable, Equatable {
        package var id: String
        package var name: String
        package var pattern: String
    }

    package var finishReasons: FinishReasons
    package var annotations: [Annotation]
    package var errorPatterns: [ErrorPattern]
    /// Annotation key of a final message object sent at the end of a stream (`choices.message`).
    package var finalMessageKeys: [String]
}

/// What a provider signal means for the verdict.
package enum SignalKind: String, Codable, Sendable, Equatable {
    case moderation
    case refusal
    case error
}
