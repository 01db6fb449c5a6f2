import Foundation
import UnsaidSupport

/// Reads one chat-completion JSON object — a stream chunk or a whole non-streamed body — into a
/// `ChatEvent`. Providers signal moderation in fields the OpenAI shape does not have, so every
/// non-standard field is kept as an annotation rather than dropped.
package enum ChatChunkReader {
    package struct Reading: Equatable {
        package var event: ChatEvent
        /// The chunk's `usage`, when present and not null.
        package var usage: JSONValue?
    }

    /// Top-level keys of the standard chat-completion shape; anything else is an annotation.
    static let standardTopLevelKeys: Set<String> = [
        "id", "object", "created", "model", "system_fingerprint", "choices", "usage", "error",
    ]
    /// Keys of a standard choice; anything else is annotated as `choices.key`.
    static let standardChoiceKeys: Set<String> = ["index", "delta", "message", "finish_reason", "logprobs"]

    /// - Parameters:
    ///   - streamed: read `choices[0].delta` (a stream chunk) rather than `choices[0].message`.
    ///   - errorEventIndex: recorded in a `ProviderError` found here (nil for a whole body).
    package static func read(
        _ object: [String: JSONValue], index: Int, t: Int64, streamed: Bool,
        errorEventIndex: Int?
    ) -> Reading {
        var event = ChatEvent(index: index, t: t)
        var annotations: [String: JSONValue] = [:]
        for (key, value) in object where !standardTopLevelKeys.contains(key) {
            annotations[key] = value
        }

        if let choice = firstChoice(object["choices"]) {
            for (key, value) in choice where !standardChoiceKeys.contains(key) {
                annotations["choices.\(key)"] = value
            }
            let part: JSONValue?
            if streamed {
                part = choice["delta"]
                // Some providers end a stream with the whole message; kept so it can be compared
                // with the streamed deltas, not added to the answer twice.
                if let message = choice["message"], !message.isNull {
                    annotations["choices.message"] = message
                }
            } else {
                part = nonNull(choice["message"]) ?? choice["delta"]
            }
            if let part {
                event.content = text(part["content"])
                // vLLM may send both names with the same text; take one, never both.
                event.reasoning = text(part["reasoning_content"]) ?? text(part["reasoning"])
                event.refusal = text(part["refusal"])
            }
            event.finishReason = finishReason(choice["finish_reason"])
        }

        event.error = error(in: object, eventIndex: errorEventIndex)
        event.annotations = annotations.isEmpty ? nil : annotations
        return Reading(event: event, usage: nonNull(object["usage"]))
    }

    /// A `ProviderError` for an `error` value: an object (`code` as int or string), a bare string,
    /// or anything else that is not null/false/"".
    static func providerError(_ value: JSONValue, eventIndex: Int?) -> ProviderError? {
        switch value {
        case .null, .bool(false):
            return nil
        case .string(let message):
            return message.isEmpty
                ? nil
                : ProviderError(code: nil, message: message, type: nil, eventIndex: eventIndex, raw: value)
        case .object(let fields):
            return ProviderError(
                code: scalarText(fields["code"]), message: scalarText(fields["message"]),
                type: scalarText(fields["type"]) ?? scalarText(fields["status"]),
                eventIndex: eventIndex, raw: value)
        default:
            return ProviderError(
                code: nil, message: value.compactDescription, type: nil,
                eventIndex: eventIndex, raw: value)
        }
    }

    /// The error a chunk carries: the standard `error` field, else the vendor forms that arrive
    /// with HTTP 200 — Baidu's top-level `error_code`/`error_msg` and MiniMax's non-zero
    /// `base_resp.status_code` (1026/1027 = sensitive input/output).
    private static func error(in object: [String: JSONValue], eventIndex: Int?) -> ProviderError? {
        if let value = object["error"], let error = providerError(value, eventIndex: eventIndex) {
            return error
        }
        if let code = nonNull(object["error_code"]), code.intValue != 0 {
            var raw: [String: JSONValue] = ["error_code": code]
            raw["error_msg"] = object["error_msg"]
            return ProviderError(
                code: scalarText(code), message: scalarText(object["error_msg"]), type: nil,
                eventIndex: eventIndex, raw: .object(raw))
        }
        if let base = object["base_resp"], let status = base["status_code"], let code = status.intValue, code != 0 {
            return ProviderError(
                code: String(code), message: scalarText(base["status_msg"]), type: nil,
                eventIndex: eventIndex, raw: base)
        }
        return nil
    }

    /// The choice for the first answer: the one with `index` 0 (or no index at all).
    private static func firstChoice(_ choices: JSONValue?) -> [String: JSONValue]? {
        guard let list = choices?.arrayValue else { return nil }
        for element in list {
            guard let choice = element.objectValue else { continue }
            if (choice["index"]?.intValue ?? 0) == 0 { return choice }
        }
        return nil
    }

    /// Text of a content-like field: a string, or an array of parts whose `text` strings are joined.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text):
            return text
        case .array(let parts):
            let texts = parts.compactMap { $0["text"]?.stringValue }
            return texts.isEmpty ? nil : texts.joined()
        default:
            return nil
        }
    }

    /// Any finish reason is kept verbatim; an unexpected non-string one as its JSON text.
    private static func finishReason(_ value: JSONValue?) -> String? {
        guard let value = nonNull(value) else { return nil }
        return value.stringValue ?? value.compactDescription
    }

    /// A scalar as text: strings as they are, numbers without a fraction as integers.
    private static func scalarText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number):
            return number.rounded() == number && abs(number) < 9e15
                ? String(Int64(number)) : String(number)
        case .bool(let flag): return String(flag)
        default: return nil
        }
    }

    private static func nonNull(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }
}

// MARK: - The common chunk without a parsed tree

extension ChatChunkReader {
    /// Reads a stream chunk of the common shape — standard top-level fields, one choice with
    /// index 0, a delta of text fields, plain extra fields kept as annotations — straight from its
    /// bytes, without a dictionary per object. It gives the same `Reading` as `JSONParser` +
    /// `read(_:…)`; wherever that could differ it returns nil and the chunk is parsed as before:
    /// a repeated or escaped key, a choice list other than one object with index 0, a text field
    /// that is not a string or null (content parts), a closing `message`, any of the error forms
    /// (`error`, `error_code`, `error_msg`, `base_resp`), or bytes that are not JSON.
    package static func readCommonChunk(_ text: String, index: Int, t: Int64) -> Reading? {
        var chunk = CommonChunk(index: index, t: t)
        return JSONPullReader.withReader(text) { readWhole(&$0, into: &chunk) }
    }

    /// The same, from the chunk's bytes: reads what `readCommonChunk` reads from
    /// `String(decoding: bytes, as: UTF8.self)`.
    package static func readCommonChunk(_ bytes: UnsafeBufferPointer<UInt8>, index: Int, t: Int64) -> Reading? {
        var chunk = CommonChunk(index: index, t: t)
        return JSONPullReader.withReader(bytes) { readWhole(&$0, into: &chunk) }
    }

    /// The whole chunk read into `chunk`, which keeps what the reading found on the way (where its
    /// content string lay, for `ChunkTemplate`).
    private static func readWhole(_ reader: inout JSONPullReader, into chunk: inout CommonChunk) -> Reading? {
        guard chunk.readTop(&reader), reader.atEnd() else { return nil }
        return chunk.reading()
    }

    /// A stream chunk read in full, kept so that the chunks after it that differ from it only in
    /// their delta's `content` string can be read from that string alone.
    ///
    /// A stream repeats one chunk with a new piece of text in it, two hundred times an answer:
    /// the same id, model, creation time, choice index and nulls around a different `content`.
    /// Reading is a walk over the bytes in which a string value is a single step; two chunks
    /// whose bytes agree before and after such a string are walked alike but for that step, so
    /// they read alike but for its value. Any other difference (another key, a longer id, a
    /// finish reason, a content that is not a string) and the chunk is read in full, and becomes
    /// the template when it has a content string.
    ///
    /// A class, so a decoder holding one passes a reference around rather than its fields; and
    /// the fields are kept apart rather than as a `Reading`, so a chunk's event is made once,
    /// where it is added, instead of copied out of a kept one (a value of some 200 bytes).
    package final class ChunkTemplate {
        /// The chunk's bytes before its content string (up to the whitespace before the value).
        let prefix: [UInt8]
        /// Its bytes after the string's closing quote, to the end.
        let suffix: [UInt8]
        // What the chunk read besides its index, time and content: all the common reader sets.
        let reasoning: String?
        let refusal: String?
        let finishReason: String?
        let annotations: [String: JSONValue]?
        let usage: JSONValue?

        /// Nil for a reading with a field the common reader never sets (kept only for what it reads).
        init?(prefix: [UInt8], suffix: [UInt8], reading: Reading) {
            let event = reading.event
            guard event.error == nil, event.malformed == nil, event.done == nil else { return nil }
            self.prefix = prefix
            self.suffix = suffix
            reasoning = event.reasoning
            refusal = event.refusal
            finishReason = event.finishReason
            annotations = event.annotations
            usage = reading.usage
        }

        /// The content string of a chunk whose other bytes are the template's; nil for any other.
        func content(of bytes: UnsafeBufferPointer<UInt8>) -> String? {
            // At least the quotes between the two.
            let end = bytes.count - suffix.count
            guard end - prefix.count >= 2, let base = bytes.baseAddress,
                Self.matches(prefix, at: base), Self.matches(suffix, at: base + end)
            else { return nil }
            return JSONPullReader.withReader(bytes, at: prefix.count) { reader in
                // A string that ends exactly where the suffix begins: anything else (null, a
                // number, a quote inside that ends it early) is read in full.
                guard case .text(let content) = reader.textOrNull(), reader.offset == end else { return nil }
                return content
            }
        }

        /// The event of a chunk `content(of:)` accepted.
        func event(index: Int, t: Int64, content: String) -> ChatEvent {
            ChatEvent(
                index: index, t: t, content: content, reasoning: reasoning, refusal: refusal,
                finishReason: finishReason, annotations: annotations)
        }

        /// The chunk read from its content string, when its other bytes are the template's.
        func read(_ bytes: UnsafeBufferPointer<UInt8>, index: Int, t: Int64) -> Reading? {
            guard let content = content(of: bytes) else { return nil }
            return Reading(event: event(index: index, t: t, content: content), usage: usage)
        }

        /// Whether the bytes at `start` begin with `stored`.
        private static func matches(_ stored: [UInt8], at start: UnsafePointer<UInt8>) -> Bool {
            stored.withUnsafeBufferPointer { stored in
                guard let base = stored.baseAddress else { return true }
                return memcmp(start, base, stored.count) == 0
            }
        }
    }

    /// `readCommonChunk(_:index:t:)`, reading from `template` when the chunk differs from it only
    /// in its content string, and otherwise in full (then keeping the chunk as the template when
    /// it has a content string). Gives what `readCommonChunk(_:index:t:)` gives.
    package static func readCommonChunk(
        _ bytes: UnsafeBufferPointer<UInt8>, index: Int, t: Int64, template: inout ChunkTemplate?
    ) -> Reading? {
        if let reading = template?.read(bytes, index: index, t: t) { return reading }
        return readCommonChunkInFull(bytes, index: index, t: t, template: &template)
    }

    /// `readCommonChunk(_:index:t:)`, keeping the chunk as `template` when it has a content
    /// string: for a caller that has already found the template does not fit this chunk.
    package static func readCommonChunkInFull(
        _ bytes: UnsafeBufferPointer<UInt8>, index: Int, t: Int64, template: inout ChunkTemplate?
    ) -> Reading? {
        var chunk = CommonChunk(index: index, t: t)
        let reading = JSONPullReader.withReader(bytes) { readWhole(&$0, into: &chunk) }
        if let reading, let content = chunk.contentRange,
            let learned = ChunkTemplate(
                prefix: Array(bytes[..<content.lowerBound]), suffix: Array(bytes[content.upperBound...]),
                reading: reading)
        {
            template = learned
        }
        return reading
    }
}

/// What `readCommonChunk` has read so far.
private struct CommonChunk {
    // The event's fields, kept apart and put into a `ChatEvent` once at the end, as plain
    // strings with a bit each in `texts` for "present": a `String?` is copied and destroyed
    // through its type's value witnesses, several times an event.
    let index: Int
    let t: Int64
    var content = ""
    var reasoningContent = ""
    var reasoning = ""
    var refusal = ""
    var finishReason = ""
    /// The text fields read as strings (not null), one bit each as in `seen`.
    var texts: UInt32 = 0
    var usage: JSONValue?
    var annotations: [String: JSONValue] = [:]
    /// Standard fields seen, one bit each, to refuse a repeated key (`JSONParser` keeps its last
    /// value, which this one-pass reader has already used).
    var seen: UInt32 = 0
    /// Where the delta's `content` value lay when it was a string: from the end of its key's
    /// colon (before any whitespace) to past its closing quote. For `ChunkTemplate`.
    var contentRange: Range<Int>?

    init(index: Int, t: Int64) {
        self.index = index
        self.t = t
    }

    func reading() -> ChatChunkReader.Reading {
        // vLLM may send both reasoning names; `reasoning_content` wins, as in `read(_:…)`.
        let reasoning: String? =
            has(.reasoningContent) ? reasoningContent : has(.reasoning) ? reasoning : nil
        return ChatChunkReader.Reading(
            event: ChatEvent(
                index: index, t: t, content: has(.content) ? content : nil, reasoning: reasoning,
                refusal: has(.refusal) ? refusal : nil, finishReason: has(.finishReason) ? finishReason : nil,
                annotations: annotations.isEmpty ? nil : annotations),
            usage: usage)
    }

    private func has(_ field: Key) -> Bool {
        texts & (1 << field.rawValue) != 0
    }

    /// Keeps a text field read as a string.
    private mutating func keep(_ text: String, as field: Key) {
        texts |= 1 << field.rawValue
        switch field {
        case .content: content = text
        case .reasoningContent: reasoningContent = text
        case .reasoning: reasoning = text
        case .refusal: refusal = text
        default: finishReason = text
        }
    }

    private mutating func firstTime(_ field: Key) -> Bool {
        let bit: UInt32 = 1 << field.rawValue
        guard seen & bit == 0 else { return false }
        seen |= bit
        return true
    }

    /// Keeps a field beyond the standard shape, as `read(_:…)` does; false for a repeated one.
    private mutating func annotate(_ name: String, _ reader: inout JSONPullReader) -> Bool {
        guard annotations[name] == nil, let value = reader.value() else { return false }
        annotations[name] = value
        return true
    }

    mutating func readTop(_ reader: inout JSONPullReader) -> Bool {
        reader.readObject { reader, key in
            let field = Key(key)
            switch field {
            case .id, .object, .created, .model, .systemFingerprint:
                // Only checked, never kept: no value is made for them.
                return firstTime(field) && reader.skipValue()
            case .choices:
                return firstTime(field) && readChoices(&reader)
            case .usage:
                guard firstTime(field), let value = reader.value() else { return false }
                usage = value.isNull ? nil : value
                return true
            case .other:
                let name = String(decoding: key, as: UTF8.self)
                // The error forms are read by `read(_:…)`, and a top-level `choices.x` could
                // collide with a choice's annotation.
                return !Key.errorForms.contains(name) && !name.hasPrefix("choices.") && annotate(name, &reader)
            default:
                return false
            }
        }
    }

    private mutating func readChoices(_ reader: inout JSONPullReader) -> Bool {
        guard reader.enterArray(), case .element = reader.nextElement(first: true), readChoice(&reader),
            case .end = reader.nextElement(first: false)
        else { return false }
        return true
    }

    private mutating func readChoice(_ reader: inout JSONPullReader) -> Bool {
        reader.readObject { reader, key in
            let field = Key(key)
            switch field {
            case .index:
                // Only the first answer's choice, spelled as the integer 0.
                guard firstTime(field), case .int(0)? = reader.value() else { return false }
                return true
            case .delta:
                return firstTime(field) && readDelta(&reader)
            case .finishReason:
                guard firstTime(field) else { return false }
                switch reader.textOrNull() {
                case .text(let reason): keep(reason, as: .finishReason)
                case .null: break
                case .other: return false
                }
                return true
            case .logprobs:
                return firstTime(field) && reader.skipValue()
            case .other:
                return annotate("choices." + String(decoding: key, as: UTF8.self), &reader)
            default:
                // `message` (a closing whole message) and top-level names inside a choice.
                return false
            }
        }
    }

    private mutating func readDelta(_ reader: inout JSONPullReader) -> Bool {
        reader.readObject { reader, key in
            let field = Key(key)
            switch field {
            case .content, .reasoningContent, .reasoning, .refusal:
                guard firstTime(field) else { return false }
                let start = reader.offset
                switch reader.textOrNull() {
                case .text(let value):
                    keep(value, as: field)
                    if field == .content { contentRange = start..<reader.offset }
                case .null: break
                case .other: return false
                }
                return true
            default:
                // `role`, tool calls and the like: not read, but must be JSON; a repeat of
                // one of them changes nothing read.
                return reader.skipValue()
            }
        }
    }

    /// The names the common shape reads, matched on raw key bytes.
    /// Each case's raw value is its bit in `seen`.
    private enum Key: UInt32 {
        case id, object, created, model, systemFingerprint, choices, usage
        case index, delta, finishReason, logprobs, message
        case content, reasoningContent, reasoning, refusal
        case other

        static let errorForms: Set<String> = ["error", "error_code", "error_msg", "base_resp"]

        /// Compared as bytes: no `String` is made for a key on this path. The length and first
        /// byte pick the one name a key can be, so one comparison decides.
        init(_ raw: UnsafeBufferPointer<UInt8>) {
            guard let first = raw.first else {
                self = .other
                return
            }
            let candidate: (StaticString, Key)
            switch (raw.count, first) {
            case (2, UInt8(ascii: "i")): candidate = ("id", .id)
            case (5, UInt8(ascii: "m")): candidate = ("model", .model)
            case (5, UInt8(ascii: "u")): candidate = ("usage", .usage)
            case (5, UInt8(ascii: "i")): candidate = ("index", .index)
            case (5, UInt8(ascii: "d")): candidate = ("delta", .delta)
            case (6, UInt8(ascii: "o")): candidate = ("object", .object)
            case (7, UInt8(ascii: "m")): candidate = ("message", .message)
            case (7, UInt8(ascii: "r")): candidate = ("refusal", .refusal)
            case (7, UInt8(ascii: "c")):
                // "created", "choices" and "content" share their length and first byte.
                switch raw[2] {
                case UInt8(ascii: "e"): candidate = ("created", .created)
                case UInt8(ascii: "o"): candidate = ("choices", .choices)
                default: candidate = ("content", .content)
                }
            case (8, UInt8(ascii: "l")): candidate = ("logprobs", .logprobs)
            case (9, UInt8(ascii: "r")): candidate = ("reasoning", .reasoning)
            case (13, UInt8(ascii: "f")): candidate = ("finish_reason", .finishReason)
            case (17, UInt8(ascii: "r")): candidate = ("reasoning_content", .reasoningContent)
            case (18, UInt8(ascii: "s")): candidate = ("system_fingerprint", .systemFingerprint)
            default:
                self = .other
                return
            }
            guard let base = raw.baseAddress, memcmp(candidate.0.utf8Start, base, raw.count) == 0 else {
                self = .other
                return
            }
            self = candidate.1
        }
    }
}
