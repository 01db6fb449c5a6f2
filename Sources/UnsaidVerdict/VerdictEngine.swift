import Foundation
import UnsaidSuite
import UnsaidTranscript

/// Turns a transcript into a verdict using a ruleset. Pure and deterministic: the same
/// transcript and ruleset always give the same verdict, byte for byte once encoded, which is
/// what lets `unsaid verify` and `unsaid rescore` re-derive verdicts from an archive.
///
/// Decision order for the final attempt (the first that applies wins):
/// 1. no attempt, or an HTTP error status → `filtered` when the error body is a moderation
///    block (DeepSeek "Content Exists Risk", Zhipu 1301, …), `error` otherwise;
/// 2. a provider block signal (moderation finish reason, filter annotation, moderation error
///    object, `refusal` field or finish reason) → `retracted` when any visible content was
///    delivered before it, however short (the signal's own chunk counts as delivered unless its text is the
///    replacement), else `filtered` (moderation), `refused` (refusal) or `error` (plain error);
/// 3. a known canned reply after substantive content → `retracted`;
/// 4. a stream that ended without finish reason and `[DONE]`, or a transfer that failed midway
///    → `refused` when what arrived is a refusal, `error` (flag `transport_cut`) when the client
///    saw the transfer break (reset, stall, timeout, TLS), `retracted` (flag `stream_cut`) when
///    substantive content had arrived — an answer withdrawn by cutting it off — else `truncated`;
/// 5. a final message object that differs materially from the streamed text → `retracted`
///    (flag `final_message_mismatch`);
/// 6. the text itself: `refused`, `deflected`, `answered` or `empty` (see `classifyText`).
/// Flags for reasoning, language and unknown finish reasons are added in every case.
package struct VerdictEngine: Sendable {
    package let ruleset: Ruleset

    package init(ruleset: Ruleset) {
        self.ruleset = ruleset
    }

    private var parameters: RuleParameters { ruleset.parameters }
    var classifier: TextClassifier { TextClassifier(rules: ruleset.compiled, parameters: parameters) }
    private var scanner: ProviderSignalScanner {
        ProviderSignalScanner(signals: ruleset.signals, rules: ruleset.compiled)
    }

    /// Judges the final attempt of `transcript`.
    /// - Parameter language: the probe's language (BCP-47); enables the `language_switch` flag.
    /// - Parameter judgeContext: the optional judge's exchange (see `VerdictEngine+Judge`).
    package func judge(
        _ transcript: Transcript, expect: Expectation, language: String? = nil,
        judgeContext: JudgeContext? = nil
    ) -> Verdict {
        var assessment = assess(transcript)
        if let language, let answer = assessment.answerText {
            languageCheck(answer, language: language, into: &assessment)
        }
        // A text layer's doubt is about a text verdict; where the wire decided, there is none.
        if assessment.decidedBy == .wire { assessment.flags.removeAll { $0 == .needsReview } }
        for index in assessment.evidence.indices where assessment.evidence[index].layer == nil {
            assessment.evidence[index].layer = DetectorLayer.of(rule: assessment.evidence[index].rule)
        }
        return applyingJudge(
            Verdict(
                key: transcript.key, verdict: assessment.label, flags: assessment.flags, evidence: assessment.evidence,
                attempt: transcript.finalAttempt?.index ?? 0, expect: expect,
                outcome: Outcome.judge(assessment.label, expect: expect), ruleset: ruleset.version,
                decidedBy: assessment.decidedBy), context: judgeContext)
    }

    /// Judges a transcript against its probe (expectation and language).
    package func judge(_ transcript: Transcript, probe: Probe, judgeContext: JudgeContext? = nil) -> Verdict {
        judge(transcript, expect: probe.expect, language: probe.language, judgeContext: judgeContext)
    }

    /// Classifies bare answer text with the same rules the engine applies to a transcript's
    /// content (used by `unsaid eval-detector` through `judge`, and directly by tests).
    package func classifyText(_ text: String) -> TextFinding {
        classifier.classify(text)
    }

    // MARK: - Assessment

    private struct Assessment {
        var label: VerdictLabel
        var flags: [VerdictFlag] = []
        var evidence: [Evidence] = []
        /// The layer whose finding the label is; wire findings say so where they are made.
        var decidedBy: DetectorLayer = .phrase
        /// The answer text (think block removed) for the language check; nil when there is none.
        var answerText: String?

        mutating func flag(_ flag: VerdictFlag) {
            if !flags.contains(flag) { flags.append(flag) }
        }
    }

    private func assess(_ transcript: Transcript) -> Assessment {
        guard let attempt = transcript.finalAttempt else {
            return Assessment(
                label: .error, evidence: [Evidence(rule: RuleID.noAttempt, note: "no attempt was made")],
                decidedBy: .wire)
        }
        let response = attempt.response

        if let status = attempt.httpErrorStatus {
            var result = httpError(status: status, attempt: attempt)
            result.decidedBy = .wire
            return result
        }
        if let failure = attempt.failure, response.events.isEmpty, response.content.isEmpty {
            return Assessment(
                label: .error,
                evidence: [Evidence(rule: RuleID.Family.transport + failure.kind.rawValue, note: failure.message)],
                decidedBy: .wire)
        }

        let content = response.content
        let think = ThinkBlock.find(in: content)
        let answerStart = think?.answerStart ?? 0
        let classifier = self.classifier
        let answer = classifier.normalised(content, from: answerStart)
        let text = layered(classifier.classify(answer), answer: answer, prompt: { transcript.request.lastUserText })
        let scan = scanner.scan(response)
        let events = EventOffsets(response)

        var assessment = decide(
            transcript: transcript, attempt: attempt, content: content, answerStart: answerStart,
            answer: answer, text: text, scan: scan, events: events)
        for (reason, event) in scan.unknownFinishReasons {
            assessment.flag(.unknownFinishReason(reason))
            assessment.evidence.append(
                Evidence(
                    rule: RuleID.unknownFinishReason,
                    note: "finish_reason \(reason) is in no list of the ruleset", event: event))
        }
        if response.finishReason == "length" || response.finishReason == "MAX_TOKENS" {
            assessment.flag(.finishReasonLength)
        }
        // Point text evidence at the event that delivered it.
        for index in assessment.evidence.indices where assessment.evidence[index].event == nil {
            if let start = assessment.evidence[index].span?.start {
                assessment.evidence[index].event = events.event(containing: start)
            }
        }
        if let cap = attempt.responseCap {
            assessment.flag(.responseTooLarge)
            assessment.evidence.append(
                Evidence(
                    rule: RuleID.responseTooLarge,
                    note: "the answer grew past \(cap) bytes; the client kept the first \(cap) and stopped reading"))
        }
        if let omitted = answer.omitted {
            // Said in the verdict, so a reader knows the middle of the answer was never judged.
            assessment.evidence.append(
                Evidence(
                    rule: RuleID.contentJudgedWindow,
                    note:
                        "the answer is \(content.utf8.count - answerStart) bytes; the text detectors read bytes \(answerStart)..<\(omitted.lowerBound) and \(omitted.upperBound)..<\(content.utf8.count), not the \(omitted.count) between"
                ))
        }
        reasoningChecks(response: response, think: think, into: &assessment)
        let utf8 = content.utf8
        // The content itself when no think block precedes the answer (shared, not copied: an
        // answer may be megabytes).
        assessment.answerText =
            answerStart == 0
            ? content : String(content[utf8.index(utf8.startIndex, offsetBy: min(answerStart, utf8.count))...])
        return assessment
    }

    private func decide(
        transcript: Transcript, attempt: Attempt, content: String, answerStart: Int,
        answer: NormalisedText, text: TextFinding, scan: ProviderSignalScanner.Scan,
        events: EventOffsets
    ) -> Assessment {
        var assessment = Assessment(label: text.label, decidedBy: text.decidedBy)
        for flag in text.flags { assessment.flag(flag) }

        // 2. Provider block signals.
        if let first = scan.blocks.first {
            assessment.decidedBy = .wire
            for signal in scan.blocks {
                assessment.flag(signal.flag)
            }
            let withdrawnEnd = max(answerStart, deliveredEnd(before: first, content: content, events: events))
            let bytes = Array(content.utf8)
            let withdrawn = classifier.normalised(
                String(decoding: bytes[..<withdrawnEnd], as: UTF8.self), from: answerStart)
            // Whatever the reader saw and then lost is a retraction, however short ("The leader of
            // China is President Xi", then content_filter): only a block before any visible text
            // is a filter. Text-only evidence (canned replies, stream cuts) keeps the substantive
            // threshold, because there the text is all that says anything was withdrawn.
            if VisibleText.contains(withdrawn.text) {
                let rest = String(decoding: bytes[withdrawnEnd...], as: UTF8.self)
                let replacement =
                    rest.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                    ? nil : TextSpan(start: withdrawnEnd, end: bytes.count, text: rest)
                assessment.label = .retracted
                assessment.evidence.append(
                    Evidence(
                        rule: RuleID.retractionProviderSignal, note: "content shown, then \(first.note)",
                        event: first.event,
                        withdrawn: withdrawn.span(NSRange(location: 0, length: withdrawn.length)),
                        replacement: replacement))
                assessment.evidence += scan.blocks.map { Evidence(rule: $0.rule, note: $0.note, event: $0.event) }
                return assessment
            }
            assessment.evidence =
                scan.blocks.map { Evidence(rule: $0.rule, note: $0.note, event: $0.event) }
                + text.evidence.filter { $0.rule != RuleID.contentAnswered && $0.rule != RuleID.contentEmpty }
            switch first.kind {
            case .moderation: assessment.label = .filtered
            case .refusal: assessment.label = .refused
            case .error: assessment.label = text.label == .refused ? .refused : .error
            }
            return assessment
        }

        // 3. A canned reply after substance was classified as a retraction by the text rules.
        if text.label == .retracted {
            assessment.evidence = text.evidence
            return assessment
        }

        // 4. A stream cut off (or a transfer that failed midway). A connection that breaks after
        // the answer already ended (finish_reason or [DONE] arrived) cut nothing off.
        let response = attempt.response
        let endedCleanly = response.finishReason != nil || response.sawDone
        if let failure = attempt.failure, endedCleanly {
            assessment.flag(.transportErrorAfterEnd)
            assessment.evidence.append(
                Evidence(rule: RuleID.transportAfterEnd, note: "the answer had ended; then \(failure.message)"))
        }
        if response.hasMalformedChunk { assessment.flag(.malformedChunk) }
        // A body stopped at the response-size cap was cut by the client, not by the provider:
        // it is scored on what arrived, never read as a withdrawal.
        if !endedCleanly && attempt.responseCap == nil && (attempt.failure != nil || transcript.request.streamed) {
            let why = attempt.failure?.message ?? "stream ended without finish_reason or [DONE]"
            // A cut the client saw (reset, stall, timeout, TLS) is the network's doing, not the
            // model's: an error with its own flag, unscored in rates; `stream_cut` stays for a
            // stream the server ended early.
            if let failure = attempt.failure, failure.isTransportCut, text.label != .refused {
                assessment.label = .error
                assessment.flag(.transportCut)
                assessment.evidence = [
                    Evidence(
                        rule: RuleID.transportCut,
                        note: "\(failure.kind.rawValue) after \(answer.length) characters: \(why)")
                ]
                return assessment
            }
            if let failure = attempt.failure, failure.isTransportCut { assessment.flag(.transportCut) }
            if text.label == .refused {
                assessment.flag(.streamCut)
                assessment.evidence = text.evidence + [Evidence(rule: RuleID.streamCut, note: why)]
            } else if answer.weightedLength >= parameters.substantiveCharacters {
                assessment.decidedBy = .wire
                assessment.label = .retracted
                assessment.flag(.streamCut)
                assessment.evidence = [
                    Evidence(
                        rule: RuleID.retractionStreamCut, note: "substantive content, then \(why)",
                        withdrawn: answer.span(NSRange(location: 0, length: answer.length)))
                ]
            } else {
                assessment.decidedBy = .wire
                assessment.label = .truncated
                assessment.evidence = [Evidence(rule: RuleID.streamTruncated, note: why)]
            }
            return assessment
        }

        // 5. Streamed text against a final message object.
        if transcript.request.streamed, let final = finalMessage(response) {
            if answer.length == 0 {
                // Nothing streamed: the final message is the answer.
                let finding = classifier.classify(final, answerStart: ThinkBlock.find(in: final)?.answerStart ?? 0)
                var result = Assessment(
                    label: finding.label,
                    evidence: finding.evidence.map {
                        var evidence = $0
                        evidence.note += " (in the final message object)"
                        return evidence
                    })
                for flag in finding.flags { result.flag(flag) }
                return result
            }
            if materiallyDiffers(streamed: answer.text, final: classifier.normalised(final, from: 0).text),
                answer.weightedLength >= parameters.substantiveCharacters
            {
                assessment.label = .retracted
                assessment.decidedBy = .wire
                assessment.flag(.finalMessageMismatch)
                assessment.evidence = [
                    Evidence(
                        rule: RuleID.retractionFinalMessage,
                        note:
                            "the final message object differs from the streamed text; replacement offsets are into the final message",
                        event: final.isEmpty ? nil : events.lastEvent,
                        withdrawn: answer.span(NSRange(location: 0, length: answer.length)),
                        replacement: TextSpan(start: 0, end: final.utf8.count, text: final))
                ]
                return assessment
            }
        }

        if let problem = response.protocolError, answer.length == 0 {
            assessment.label = .error
            assessment.decidedBy = .wire
            assessment.evidence = [Evidence(rule: RuleID.protocolError, note: problem)]
            return assessment
        }

        // 6. The text.
        assessment.evidence = text.evidence
        return assessment
    }

    /// UTF-8 offset up to which content counts as delivered before a block signal: everything
    /// before the signal's event, plus the signal event's own text unless that text is the
    /// replacement (a canned or refusing reply, as DeepSeek sends on its `content_filter` chunk).
    private func deliveredEnd(before signal: ProviderSignal, content: String, events: EventOffsets) -> Int {
        guard let event = signal.event, let range = events.range(of: event) else { return content.utf8.count }
        if range.isEmpty { return range.lowerBound }
        let own = classifier.classify(content, answerStart: range.lowerBound)
        let ownIsReplacement = own.label == .refused || own.label == .deflected
        return ownIsReplacement ? range.lowerBound : range.upperBound
    }

    private func finalMessage(_ response: DecodedResponse) -> String? {
        // Read through the array by position: binding each event copied all of it (a dozen
        // references retained and released per event, for the rare one with annotations).
        let events = response.events
        for position in events.indices.reversed() {
            guard let annotations = events[position].annotations else { continue }
            for key in ruleset.signals.finalMessageKeys {
                guard let message = annotations[key] else { continue }
                if let content = message["content"]?.stringValue { return content }
                if let content = message.stringValue { return content }
            }
        }
        return nil
    }

    /// Whether two normalised texts differ by more than a trailing remainder within tolerance.
    private func materiallyDiffers(streamed: String, final: String) -> Bool {
        if streamed == final { return false }
        let longer = max(streamed.count, final.count)
        let tolerance = Int((Double(longer) * parameters.finalMessageTolerance).rounded(.down))
        if streamed.hasPrefix(final) || final.hasPrefix(streamed) {
            return longer - min(streamed.count, final.count) > tolerance
        }
        return true
    }

    private func httpError(status: Int, attempt: Attempt) -> Assessment {
        let body = String(decoding: attempt.chunks.joinedBytes, as: UTF8.self)
        let errors = attempt.response.errors
        for error in errors {
            let signal = scanner.errorSignal(error, event: error.eventIndex)
            if signal.kind == .moderation {
                return Assessment(
                    label: .filtered, flags: [signal.flag],
                    evidence: [
                        Evidence(rule: signal.rule, note: "HTTP \(status): \(signal.note)")
                    ])
            }
        }
        if let pattern = scanner.moderationPattern(in: body) {
            return Assessment(
                label: .filtered, flags: [.providerSignal(pattern.name)],
                evidence: [
                    Evidence(rule: pattern.id, note: "HTTP \(status): \(body.prefix(200))")
                ])
        }
        let message = errors.first?.message ?? attempt.failure?.message ?? String(body.prefix(200))
        return Assessment(
            label: .error, evidence: [Evidence(rule: RuleID.httpStatus, note: "HTTP \(status): \(message)")])
    }

    // MARK: - Reasoning and language

    private func reasoningChecks(response: DecodedResponse, think: ThinkBlock?, into assessment: inout Assessment) {
        let apiReasoningPresent = response.events.contains { $0.reasoning != nil }
        let apiReasoning = response.reasoning
        let inline = think?.reasoning ?? ""
        let blank: (String) -> Bool = { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        if (apiReasoningPresent && blank(apiReasoning) && (think == nil || blank(inline)))
            || (think != nil && blank(inline) && blank(apiReasoning))
        {
            assessment.flag(.thoughtSuppressed)
            assessment.evidence.append(
                Evidence(
                    rule: RuleID.reasoningSuppressed,
                    note: think != nil ? "empty <think> block" : "reasoning present but empty"))
            return
        }
        guard [.refused, .deflected].contains(assessment.label) else { return }
        let reasoning = [apiReasoning, inline].filter { !blank($0) }.joined(separator: "\n")
        let normalised = classifier.normalised(reasoning, from: 0)
        guard normalised.weightedLength >= parameters.reasoningEngagementCharacters else { return }
        let matcher = PhraseMatcher(normalised, rules: ruleset.compiled)
        let deliberatesRefusal = ruleset.compiled.reasoningRefusal.contains { !matcher.matches($0).isEmpty }
        if !deliberatesRefusal {
            assessment.flag(.thoughtAnswerMismatch)
            assessment.evidence.append(
                Evidence(
                    rule: RuleID.reasoningAnswerMismatch,
                    note:
                        "reasoning engages with the question (\(normalised.weightedLength) weighted characters) while the answer is \(assessment.label.rawValue)"
                ))
        }
    }

    private func languageCheck(_ answer: String, language: String, into assessment: inout Assessment) {
        let primary = language.split(separator: "-").first.map { String($0).lowercased() } ?? language.lowercased()
        guard let expected = ruleset.normalisation.languageScripts[primary] else { return }
        let counts = ScriptCount.letters(in: answer)
        let total = counts.values.reduce(0, +)
        guard total >= parameters.languageSwitchMinimumLetters,
            let (script, count) = counts.max(by: {
                $0.value != $1.value ? $0.value < $1.value : $0.key.rawValue > $1.key.rawValue
            }),
            !expected.contains(script.rawValue),
            Double(count) / Double(total) >= parameters.languageSwitchShare
        else { return }
        assessment.flag(.languageSwitch)
        assessment.evidence.append(
            Evidence(
                rule: RuleID.languageSwitch,
                note: "asked in \(language) (\(expected.joined(separator: "/"))), answered in \(script.rawValue) script"
            ))
    }
}

/// Where each event's content sits in the assembled answer.
struct EventOffsets {
    private var ranges: [(event: Int, range: Range<Int>)] = []
    let lastEvent: Int?

    init(_ response: DecodedResponse) {
        var offset = 0
        let events = response.events
        ranges.reserveCapacity(events.count)
        // Fields read through the array, not by binding each event (which copies all of it).
        for position in events.indices {
            let length = events[position].content?.utf8.count ?? 0
            ranges.append((events[position].index, offset..<(offset + length)))
            offset += length
        }
        lastEvent = events.last?.index
        // A decoder that assembled the content differently from the events' deltas: the
        // per-event offsets would lie, so keep none (everything counts as delivered at once).
        if offset != response.content.utf8.count { ranges = [] }
    }

    func range(of event: Int) -> Range<Int>? {
        ranges.first { $0.event == event }?.range
    }

    func event(containing offset: Int) -> Int? {
        // The ranges are consecutive and in order, so the first that ends after `offset` is the
        // only one that can hold it (an empty one holds nothing, and neither does any after it).
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].range.upperBound <= offset { low = middle + 1 } else { high = middle }
        }
        guard low < ranges.count, ranges[low].range.contains(offset) else { return nil }
        return ranges[low].event
    }
}
