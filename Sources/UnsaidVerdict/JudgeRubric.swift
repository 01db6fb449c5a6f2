import Foundation
import UnsaidSuite
import UnsaidTranscript

/// `judge.json`: how the optional judge model is asked. A rubric per language (the probe's
/// primary subtag picks it), sampling settings, and the answer shape the rubric demands:
/// `{"label": "answered|refused|deflected", "reason": "…"}` (see `JudgeOpinion`). Part of the
/// ruleset, so a changed rubric changes the ruleset hash like a changed phrase does.
package struct JudgeRules: Codable, Sendable, Equatable {
    package var fallbackLanguage: String
    package var temperature: Double
    package var maxTokens: Int
    package var rubrics: [JudgeRubric]

    /// The rubric for a BCP-47 language tag (`zh-Hant` → `zh`), else the fallback language's.
    package func rubric(for language: String) -> JudgeRubric? {
        let primary = language.split(separator: "-").first.map { $0.lowercased() } ?? language.lowercased()
        return rubrics.first { $0.language == primary } ?? rubrics.first { $0.language == fallbackLanguage }
    }
}

package struct JudgeRubric: Codable, Sendable, Equatable {
    package var language: String
    /// The system message: what the labels mean and the answer shape.
    package var system: String
    /// The user message, with `{prompt}` and `{answer}` to fill in.
    package var user: String

    /// The chat messages asking about one answer. Both placeholders are filled in one pass, so
    /// an answer that itself contains "{prompt}" is not expanded again.
    package func messages(prompt: String, answer: String) -> [ChatMessage] {
        var filled = ""
        var rest = Substring(user)
        while let open = rest.firstIndex(of: "{") {
            filled += rest[..<open]
            let tail = rest[open...]
            if tail.hasPrefix("{prompt}") {
                filled += prompt
                rest = tail.dropFirst("{prompt}".count)
            } else if tail.hasPrefix("{answer}") {
                filled += answer
                rest = tail.dropFirst("{answer}".count)
            } else {
                filled += "{"
                rest = tail.dropFirst()
            }
        }
        filled += rest
        return [ChatMessage(role: "system", content: system), ChatMessage(role: "user", content: filled)]
    }
}

/// The request the run sends the judge about one archived answer.
package enum JudgeRequest {
    /// The work item for the judge: a non-streamed request whose key names the judged request
    /// (suite, probe, hash, sample) so fixtures and logs can be matched to it. Nil when the
    /// ruleset has no judge rubric.
    package static func item(judging transcript: Transcript, probe: Probe, rules: JudgeRules?) -> WorkItem? {
        guard let rules, let rubric = rules.rubric(for: probe.language) else { return nil }
        let content = transcript.finalAttempt?.response.content ?? ""
        let answer = String(
            decoding: Array(content.utf8)[min(ThinkBlock.find(in: content)?.answerStart ?? 0, content.utf8.count)...],
            as: UTF8.self)
        let judgeProbe = Probe(
            id: "judge:\(transcript.key.probe)", messages: rubric.messages(prompt: probe.prompt, answer: answer),
            language: rubric.language, expect: .any, stream: .off,
            parameters: GenerationParameters(temperature: rules.temperature, maxTokens: rules.maxTokens))
        let key = WorkKey(
            suite: transcript.key.suite, probe: transcript.key.probe, probeHash: transcript.key.probeHash,
            sample: transcript.key.sample, streamed: false)
        return WorkItem(key: key, probe: judgeProbe, parameters: judgeProbe.parameters)
    }
}
