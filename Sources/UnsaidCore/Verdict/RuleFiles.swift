import Foundation

/// The manifest of the rule directory (`Rules/ruleset.json`): the version, the rule files in the
/// order they are read and hashed, and the tunable thresholds.
public struct RulesetManifest: Codable, Sendable, Equatable {
    public var version: String
    /// Rule files beside the manifest, in a fixed order (the order of the snapshot and its hash).
    public var files: [String]
    public var parameters: RuleParameters
}

/// Thresholds the detectors use. Lengths are in characters of normalised text, where one CJK
/// ideograph or Hangul syllable counts as `denseScriptWeight` characters, because a Chinese
/// sentence carries in ten characters what an English one carries in thirty.
public struct RuleParameters: Codable, Sendable, Equatable {
    /// Below this (weighted) length, text is not "substantive": a withdrawn greeting is not a retraction.
    public var substantiveCharacters: Int
    /// A refusal phrase opens the answer when at most this many (weighted) characters precede it…
    public var openingWindowCharacters: Int
    /// …and within this many sentences…
    public var openingSentences: Int
    /// …and, past the first sentence, after at most this many (weighted) characters.
    public var openingPreambleCharacters: Int
    /// A refusal after substantive text whose start is within this many (weighted) characters of the
    /// end closes the answer: a partial refusal ("…but I won't give my opinion").
    public var closingWindowCharacters: Int
    /// After an opening refusal, a "but I can…" continuation at least this long makes it partial.
    public var partialContinuationCharacters: Int
    /// How many distinct official-line markers make an answer a deflection.
    public var officialLineThreshold: Int
    /// An answer no longer than this (weighted) that closes on an offer to talk about something
    /// related ("shall I recommend…?") is a deflection.
    public var deflectionOfferMaximumCharacters: Int
    /// Reasoning at least this long engages with the question (for `thought_answer_mismatch`).
    public var reasoningEngagementCharacters: Int
    /// `language_switch` needs at least this many letters in the answer…
    public var languageSwitchMinimumLetters: Int
    /// …and a script other than the probe's to hold at least this share of them.
    public var languageSwitchShare: Double
    /// A quotation longer than this (in characters) is taken for a stray quote mark, not a quote.
    public var quoteMaximumCharacters: Int
    /// Weight of one Han/Hangul/Kana character in length measures.
    public var denseScriptWeight: Int
    /// The final message object may differ from the streamed text by this share of its length
    /// (trailing whitespace, a last token) before the difference counts as material.
    public var finalMessageTolerance: Double
}

/// One pattern rule. `pattern` is an ICU regular expression matched against normalised text
/// (NFKC, lower case, Traditional folded to Simplified Chinese, ASCII punctuation and quotes,
/// collapsed whitespace); `{NAME}` expands a macro of the same phrase file.
public struct PhraseRule: Codable, Sendable, Equatable {
    public var id: String
    public var pattern: String
    public var note: String?
    /// For weaker phrases ("it is not appropriate to…"): the match counts only in sentences up to
    /// this index (0 = the first sentence), however short the opening.
    public var maxSentence: Int?
}

/// The phrase rules of one language (`phrases.<lang>.json`).
public struct PhraseSet: Codable, Sendable, Equatable {
    public var language: String
    public var macros: [String: String]?
    /// First-person declines ("I can't help with", "我无法回答", "답변드릴 수 없").
    public var refusal: [PhraseRule]?
    /// Idioms that look like a refusal and are not ("I can't stress enough", "怎么强调都不为过");
    /// a refusal match overlapping one of these is dropped.
    public var nonRefusal: [PhraseRule]?
    /// "…but I can tell you…" after an opening refusal: the answer goes on to give substance.
    public var partialPivot: [PhraseRule]?
    /// Explicit changes of subject ("let's talk about something else", "我们换个话题").
    public var deflection: [PhraseRule]?
    /// Markers of an official-line non-answer; `officialLineThreshold` distinct ones make a deflection.
    public var officialLine: [PhraseRule]?
    /// "Speaking of X, …" at the start of an answer.
    public var pivot: [PhraseRule]?
    /// "Shall I recommend…?" at the end of an answer: an offer to talk about something else.
    public var offer: [PhraseRule]?
    /// Reasoning that deliberates a refusal ("I should not answer", "这是敏感话题"); such reasoning
    /// agrees with a refusing answer, so it is no `thought_answer_mismatch`.
    public var reasoningRefusal: [PhraseRule]?
}

/// A known canned reply, matched (normalised) anywhere in the answer.
public struct CannedText: Codable, Sendable, Equatable {
    public var id: String
    public var language: String
    public var text: String
}

public struct CannedCatalogue: Codable, Sendable, Equatable {
    public var canned: [CannedText]
}

/// How to normalise text before matching (`normalise.json`).
public struct NormalisationRules: Codable, Sendable, Equatable {
    /// Pairs of Traditional and Simplified characters, as one string "無无這这…", so one phrase
    /// written in Simplified matches both scripts.
    public var traditionalToSimplified: String
    /// Single characters mapped to replacements after NFKC (ideographic punctuation, quote and
    /// apostrophe variants, dashes).
    public var characters: [String: String]
    /// Characters that open a quotation, close one, or do either (the straight double quote).
    public var quoteOpen: String
    public var quoteClose: String
    public var quoteEither: String
    /// Characters that end a sentence (after normalisation).
    public var sentenceTerminators: String
    /// Expected scripts for a probe language (primary subtag), for `language_switch`.
    public var languageScripts: [String: [String]]
}

/// Provider moderation signals (`signals.json`).
public struct SignalRules: Codable, Sendable, Equatable {
    public struct FinishReasons: Codable, Sendable, Equatable {
        /// Ordinary ends of an answer.
        public var normal: [String]
        /// The provider's filter stopped or replaced the answer.
        public var moderation: [String]
        /// The model itself declined (Anthropic `refusal`).
        public var refusal: [String]
        /// The generation failed (OpenRouter `error`, Zhipu `network_error`).
        public var error: [String]
    }

    /// A field of a chunk (see `ChatEvent.annotations`) whose value signals a block.
    public struct Annotation: Codable, Sendable, Equatable {
        public var id: String
        /// The signal's name in `provider_signal(<name>)`.
        public var name: String
        /// Annotation keys to look at (`field` or `choices.field`).
        public var keys: [String]
        /// A path inside the value (`status_code` of MiniMax `base_resp`).
        public var path: [String]?
        /// The value signals a block when it equals one of these…
        public var equals: [JSONValue]?
        /// …or when it is an integer (Baidu `ban_round`)…
        public var anyInteger: Bool?
        /// …or when it is present at all and not null/empty (Gemini `blockReason`)…
        public var present: Bool?
        /// …or when somewhere inside it a `filtered: true` appears (Azure filter results).
        public var filteredTrue: Bool?
        /// `moderation` (a provider block), `refusal` (the model declined) or `error`.
        public var kind: SignalKind
    }

    /// A pattern over an error body or error object that marks a moderation block rather than a
    /// plain failure.
    public struct ErrorPattern: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var pattern: String
    }

    public var finishReasons: FinishReasons
    public var annotations: [Annotation]
    public var errorPatterns: [ErrorPattern]
    /// Annotation key of a final message object sent at the end of a stream (`choices.message`).
    public var finalMessageKeys: [String]
}

/// What a provider signal means for the verdict.
public enum SignalKind: String, Codable, Sendable, Equatable {
    case moderation
    case refusal
    case error
}
