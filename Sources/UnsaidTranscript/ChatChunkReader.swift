import Foundation
import UnsaidSupport

/// Reads one chat-completion JSON object — a stream chunk or a whole non-streamed body — into a
/// `ChatEvent`. Providers signal moderation in fields the OpenAI shape does not have, so every
/// non-standard field is kept as an annotation rather than dropped.
enum ChatChunkReader {
    struct Reading {
        var event: ChatEvent
        /// The chunk's `usage`, when present and not null.
        var usage: JSONValue?
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
    static func read(
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
