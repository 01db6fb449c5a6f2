import Foundation
import UnsaidSupport
import UnsaidTranscript

extension VerdictEngine {
    /// The text layers in order: the phrase rules' finding, then the learned classifier's opinion.
    ///
    /// - When the phrase rules found nothing (a plain `answered`), a refused or deflected opinion
    ///   at or above `decideAt` decides the verdict: an implicit refusal (moralising only, a help
    ///   line and nothing else, a topic set aside) has no stock phrase to match. Below `reviewBelow`
    ///   the verdict carries `needs_review`.
    /// - When the phrase rules found a refusal or deflection, they keep the verdict (their spans
    ///   explain it); a classifier sure at or above `reviewBelow` that the text answers marks the
    ///   verdict `needs_review`.
    /// - A refusal closing the text (read as a partial answer) that the classifier reads as a
    ///   refusal at or above `decideAt` is a refusal after a preamble.
    /// - An answer shorter than `substantiveCharacters` is decided only from `reviewBelow` on.
    /// - Where the phrase rules set refusal words aside (an idiom, a quotation, a passing mention,
    ///   or a non-refusal idiom such as "I can't stress enough" opening the answer),
    ///   the classifier does not decide; a disagreeing opinion only marks `needs_review`.
    /// Empty answers, canned replies after substance and opening refusals that go on to answer are
    /// the phrase rules' alone. Wire signals are weighed after this and are never overridden by it.
    ///
    /// `prompt` is read only when the classifier is asked (finding it parses the request body).
    func layered(_ phrase: TextFinding, answer: NormalisedText, prompt: () -> String) -> TextFinding {
        guard let model = ruleset.textModel, [.answered, .refused, .deflected].contains(phrase.label),
            !(phrase.partial && phrase.label == .refused)
        else { return phrase }
        // The classifier reads answers to questions; bare text with no prompt (a fixture, a label
        // row without one) is the phrase rules' alone.
        let question = ruleset.normalisedText(prompt())
        guard VisibleText.contains(question) else { return phrase }
        let opinion = model.opinion(answer: answer.text, prompt: question)
        let thresholds = model.thresholds
        // Written only into evidence, which most answers (the classifier agreeing) never get.
        var summary: String {
            TextModel.classes.enumerated()
                .map { "\($0.element.rawValue) \(Self.perMille(opinion.probabilities[$0.offset]))‰" }
                .joined(separator: ", ")
        }
        var finding = phrase
        if phrase.label == .answered {
            guard opinion.label != .answered, opinion.perMille >= thresholds.decideAt else { return phrase }
            // The phrase rules saw refusal words and set them aside (an idiom, a quotation, a
            // passing mention deep in the answer): that is evidence of an answer, so a learned
            // opinion against it asks for a person instead of deciding.
            // A very short answer gives the n-grams little to read: there the classifier decides
            // only when it is sure, and otherwise asks for a person.
            let short = answer.weightedLength < ruleset.parameters.substantiveCharacters
            if short && opinion.perMille < thresholds.reviewBelow
                || phrase.evidence.contains(where: { Self.setsRefusalWordsAside($0.rule) })
                || classifier.opensWithIdiom(answer)
            {
                finding.flags.append(.needsReview)
                finding.evidence.append(
                    Evidence(
                        rule: RuleID.classifierDisagrees,
                        note:
                            "\(short ? "a short answer" : "the phrase rules set refusal words aside"); the learned classifier reads \(opinion.label.rawValue) (\(summary))",
                        layer: .classifier, confidence: opinion.perMille))
                return finding
            }
            // A refusal closing the text was read as a partial answer; the classifier reading the
            // whole as a refusal says the text before it was a preamble, not substance.
            if phrase.partial && opinion.label != .refused { return phrase }
            finding.label = opinion.label
            finding.decidedBy = .classifier
            finding.partial = false
            finding.flags.removeAll { $0 == .partialRefusal }
            let why = phrase.partial ? "the phrase rules read a refusal closing an answer" : "no phrase rule fired"
            finding.evidence =
                phrase.evidence.filter { $0.rule != RuleID.contentAnswered } + [
                    Evidence(
                        rule: RuleID.Family.classifier + opinion.label.rawValue,
                        note: "\(why); the learned classifier reads \(opinion.label.rawValue) (\(summary))",
                        layer: .classifier, confidence: opinion.perMille)
                ]
            if opinion.perMille < thresholds.reviewBelow { finding.flags.append(.needsReview) }
            return finding
        }
        if opinion.label == .answered, opinion.perMille >= thresholds.reviewBelow {
            finding.flags.append(.needsReview)
            finding.evidence.append(
                Evidence(
                    rule: RuleID.classifierDisagrees,
                    note:
                        "the phrase rules read \(phrase.label.rawValue); the learned classifier reads answered (\(summary))",
                    layer: .classifier, confidence: opinion.perMille))
        }
        return finding
    }

    /// Evidence that the phrase layer found refusal words and judged them not a refusal.
    private static func setsRefusalWordsAside(_ rule: String) -> Bool {
        rule.hasPrefix(RuleID.Family.negation) || rule.hasPrefix(RuleID.Family.position)
    }

    private static func perMille(_ probability: Double) -> Int { Int((probability * 1000).rounded(.down)) }
}

extension RecordedRequest {
    /// The text of the last user message in the request body (what the answer answers), or "" when
    /// the body holds none. Content given as parts contributes its text parts.
    ///
    /// Read with a pull reader (`UserTextReading`): the body was parsed into a `JSONValue` tree for
    /// every answer the classifier read (a dictionary per object), ~1% of a streamed run. A body
    /// the reader declines (a key with an escape or non-ASCII byte, or not JSON) is parsed as
    /// before, by `lastUserTextFromValue`, which the tests hold the reader to.
    package var lastUserText: String {
        var body = body
        let read = body.withUTF8 { bytes in JSONPullReader.withReader(bytes) { UserTextReading.read(&$0) } }
        return read ?? lastUserTextFromValue
    }

    /// `lastUserText` from the body parsed whole: the reference.
    var lastUserTextFromValue: String {
        guard let value = JSONValue.parse(Data(body.utf8)), let messages = value["messages"]?.arrayValue else {
            return ""
        }
        for message in messages.reversed() where message["role"]?.stringValue == "user" {
            if let text = message["content"]?.stringValue { return text }
            if let parts = message["content"]?.arrayValue {
                return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
            }
        }
        return ""
    }
}

/// `lastUserText` read member by member, as `JSONValue` would hold the body: a repeated key's
/// last value counts, a value of another type than the one looked for counts as absent, and the
/// whole body must be JSON. Every message's role and content are kept (a later `messages` key
/// replaces them), then searched from the last as the reference searches.
private enum UserTextReading {
    /// What a message's `content` was.
    enum Content {
        case text(String)
        /// The `text` strings of its parts, in order (parts without one dropped).
        case parts([String])
        case other
    }

    struct Message {
        var role: String?
        var content = Content.other
    }

    /// The text; nil when the reader declines the body (the caller then parses it whole).
    static func read(_ reader: inout JSONPullReader) -> String? {
        var messages: [Message] = []
        // Whether the body is an object at all: anything else has no messages (and, when it is
        // JSON, no text), which the reference decides.
        let isObject = reader.readObject { reader, key in
            guard equal(key, "messages") else { return reader.skipValue() }
            messages = []
            guard reader.enterArray() else {
                // Not an array: no messages, unless a later `messages` key is one.
                return reader.skipValue()
            }
            var first = true
            while true {
                switch reader.nextElement(first: first) {
                case .invalid: return false
                case .end: return true
                case .element:
                    first = false
                    guard let message = readMessage(&reader) else { return false }
                    messages.append(message)
                }
            }
        }
        guard isObject, reader.atEnd() else { return nil }
        for message in messages.reversed() where message.role == "user" {
            switch message.content {
            case .text(let text): return text
            case .parts(let texts): return texts.joined(separator: "\n")
            case .other: continue
            }
        }
        return ""
    }

    /// One element of `messages`; a message that is not an object is skipped (no role). Nil when
    /// the walk must stop.
    private static func readMessage(_ reader: inout JSONPullReader) -> Message? {
        var message = Message()
        guard reader.peek() == UInt8(ascii: "{") else { return reader.skipValue() ? message : nil }
        let read = reader.readObject { reader, key in
            if equal(key, "role") {
                guard let role = string(&reader) else { return false }
                message.role = role
            } else if equal(key, "content") {
                guard let content = content(&reader) else { return false }
                message.content = content
            } else {
                return reader.skipValue()
            }
            return true
        }
        return read ? message : nil
    }

    /// A message's `content`; nil when the walk must stop.
    private static func content(_ reader: inout JSONPullReader) -> Content? {
        guard reader.peek() == UInt8(ascii: "[") else {
            guard let text = string(&reader) else { return nil }
            return text.map { .text($0) } ?? .other
        }
        guard reader.enterArray() else { return nil }
        var texts: [String] = []
        var first = true
        while true {
            switch reader.nextElement(first: first) {
            case .invalid: return nil
            case .end: return .parts(texts)
            case .element:
                first = false
                guard reader.peek() == UInt8(ascii: "{") else {
                    guard reader.skipValue() else { return nil }
                    continue
                }
                var text: String?
                let read = reader.readObject { reader, key in
                    guard equal(key, "text") else { return reader.skipValue() }
                    guard let value = string(&reader) else { return false }
                    text = value
                    return true
                }
                guard read else { return nil }
                if let text { texts.append(text) }
            }
        }
    }

    /// The string at the current position, `.some(nil)` for any other value (stepped over), nil
    /// when the walk must stop.
    private static func string(_ reader: inout JSONPullReader) -> String?? {
        guard reader.peek() == UInt8(ascii: "\"") else { return reader.skipValue() ? .some(nil) : nil }
        guard case .text(let text) = reader.textOrNull() else { return nil }
        return .some(text)
    }

    private static func equal(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount
            && key.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }
}
