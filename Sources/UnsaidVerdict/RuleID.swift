/// The ids of the rules the engine applies in code (the rule files in `Rules/` name the rest).
/// Evidence carries them, and the engine compares them to decide a verdict's layer and which
/// evidence to keep, so each is spelled once, here.
package enum RuleID {
    // The text, when no other rule fired.
    package static let contentAnswered = "content.answered"
    package static let contentEmpty = "content.empty"
    /// An over-long answer was read on its head and tail only (`RuleParameters.judgedEdgeBytes`).
    package static let contentJudgedWindow = "content.judged-window"
    // The phrase layer setting refusal words aside.
    package static let passingMention = "position.passing-mention"
    package static let quoted = "position.quoted"
    // The wire.
    package static let noAttempt = "transport.no-attempt"
    package static let httpStatus = "transport.http-status"
    package static let transportAfterEnd = "transport.after-end"
    package static let transportCut = "transport.cut"
    package static let streamCut = "stream.cut"
    package static let streamTruncated = "stream.truncated"
    package static let protocolError = "protocol.error"
    package static let responseTooLarge = "response.too-large"
    package static let unknownFinishReason = "signal.finish-reason.unknown"
    package static let refusalField = "signal.refusal-field"
    package static let moderationFinishReason = "signal.finish-reason.moderation"
    package static let refusalFinishReason = "signal.finish-reason.refusal"
    package static let errorFinishReason = "signal.finish-reason.error"
    package static let errorObject = "signal.error-object"
    // Retractions.
    package static let retractionProviderSignal = "retraction.provider-signal"
    package static let retractionStreamCut = "retraction.stream-cut"
    package static let retractionFinalMessage = "retraction.final-message"
    package static let retractionCannedAfterContent = "retraction.canned-after-content"
    // Reasoning, language, the two modes, the text layers.
    package static let reasoningSuppressed = "reasoning.suppressed"
    package static let reasoningAnswerMismatch = "reasoning.answer-mismatch"
    package static let languageSwitch = "language.switch"
    package static let crossModeMismatch = "cross-mode.mismatch"
    package static let classifierDisagrees = "classifier.disagrees"
    package static let judgeUnavailable = "judge.unavailable"

    /// Families of ids made with a suffix (`transport.timeout`, `classifier.refused`, `canned.<id>`).
    package enum Family {
        package static let transport = "transport."
        package static let signal = "signal."
        package static let stream = "stream."
        package static let `protocol` = "protocol."
        package static let classifier = "classifier."
        package static let judge = "judge."
        package static let canned = "canned."
        package static let negation = "negation."
        package static let position = "position."
    }
}
