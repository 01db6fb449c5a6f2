import Foundation
import UnsaidSupport
import UnsaidTranscript

/// What identifies a chat request for replay: the fields that decide the answer — model,
/// messages, sampling parameters and the stream flag — parsed from the body and normalised, so
/// key order, whitespace, `1` vs `1.0` and transport-only fields (`stream_options`, `user`,
/// vendor extras) never stop a recording from matching.
package struct FixtureRequestKey: Sendable, Hashable {
    /// The fields that take part, in the order differences are reported.
    package static let fieldNames = RedactionPolicy.requestKeyFieldNames

    /// The normalised fields; a field the body leaves out (or sets to null) is absent, except
    /// `stream`, which is always present because absent means false.
    package let fields: [String: JSONValue]
    /// Lower-case hex SHA-256 over the canonical JSON of `fields`.
    package let hash: String

    /// Throws `FixtureKeyError` when the fields cannot be written as canonical JSON, rather than
    /// giving every such request the hash of empty input (and so one shared recording).
    package init(body: String) throws {
        try self.init(fields: Self.normalise(JSONParser.parse(body)?.objectValue, raw: body))
    }

    package init(body: [UInt8]) throws {
        try self.init(body: String(decoding: body, as: UTF8.self))
    }

    init(fields: [String: JSONValue]) throws {
        self.fields = fields
        do {
            self.hash = SHA256Hex.digest(try CanonicalJSON.encode(JSONValue.object(fields)))
        } catch {
            throw FixtureKeyError(reason: error)
        }
    }

    /// Names of the fields whose values differ from `other`, in `fieldNames` order.
    package func differences(from other: FixtureRequestKey) -> [String] {
        var names = Self.fieldNames.filter { fields[$0] != other.fields[$0] }
        if fields["body"] != other.fields["body"] { names.append("body") }
        return names
    }

    /// A one-line description for messages: model, mode, and the start of the last user turn.
    package var summary: String {
        guard fields["body"] == nil else { return "a body that is not a JSON object" }
        let model = fields["model"]?.stringValue.map { "model \($0)" } ?? "no model"
        let mode = fields["stream"]?.boolValue == true ? "streamed" : "not streamed"
        return "\(model), \(mode), \(describeMessages(fields["messages"]))"
    }

    /// `field: request X, recording Y` for each differing field, `self` being the request.
    package func describeDifferences(from recording: FixtureRequestKey) -> String {
        differences(from: recording).map { name in
            if name == "messages" {
                return Self.describeMessagesDifference(request: fields[name], recording: recording.fields[name])
            }
            return
                "\(name) (request: \(Self.describeScalar(fields[name])), recording: \(Self.describeScalar(recording.fields[name])))"
        }.joined(separator: ", ")
    }

    // MARK: - Normalisation

    private static func normalise(_ object: [String: JSONValue]?, raw: String) -> [String: JSONValue] {
        guard let object else {
            return ["body": .string(raw)]
        }
        var fields: [String: JSONValue] = [:]
        if let model = present(object["model"]) { fields["model"] = model }
        if let messages = present(object["messages"]) { fields["messages"] = messages }
        for name in ["temperature", "top_p"] {
            if let value = present(object[name]) { fields[name] = number(value) }
        }
        // Newer OpenAI clients send `max_completion_tokens`; it means the same limit.
        if let value = present(object["max_tokens"]) ?? present(object["max_completion_tokens"]) {
            fields["max_tokens"] = integer(value)
        }
        if let value = present(object["seed"]) { fields["seed"] = integer(value) }
        fields["stream"] = .bool(object["stream"]?.boolValue ?? false)
        return fields
    }

    private static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    /// Sampling values as doubles, so `1` and `1.0` are one value.
    private static func number(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let number): return .double(Double(number))
        default: return value
        }
    }

    /// Counts as integers, so `256` and `256.0` are one value.
    private static func integer(_ value: JSONValue) -> JSONValue {
        if case .double = value, let number = value.intValue { return .int(number) }
        return value
    }

    // MARK: - Descriptions

    private func describeMessages(_ value: JSONValue?) -> String {
        guard let messages = value?.arrayValue else { return "no messages" }
        let count = messages.count == 1 ? "1 message" : "\(messages.count) messages"
        let lastUser = messages.last { $0["role"]?.stringValue == "user" } ?? messages.last
        guard let lastUser, let text = Self.text(of: lastUser["content"]) else { return count }
        return "\(count), last user turn \(Self.quote(text))"
    }

    /// Points at the first message that differs and quotes both from just before they part.
    private static func describeMessagesDifference(request: JSONValue?, recording: JSONValue?) -> String {
        let left = request?.arrayValue ?? []
        let right = recording?.arrayValue ?? []
        func count(_ messages: [JSONValue]) -> String {
            messages.count == 1 ? "1 message" : "\(messages.count) messages"
        }
        guard left.count == right.count else {
            return "messages (request: \(count(left)), recording: \(count(right)))"
        }
        guard let index = left.indices.first(where: { left[$0] != right[$0] }) else { return "messages" }
        let role = left[index]["role"]?.stringValue ?? "?"
        let otherRole = right[index]["role"]?.stringValue ?? "?"
        guard role == otherRole else {
            return "messages (message \(index + 1) role: request \(role), recording \(otherRole))"
        }
        let requestText = text(of: left[index]["content"]) ?? left[index].compactDescription
        let recordedText = text(of: right[index]["content"]) ?? right[index].compactDescription
        let (request, recorded) = divergentQuotes(requestText, recordedText)
        return "messages (\(role) turn \(index + 1): request \(request), recording \(recorded))"
    }

    /// Both texts quoted from a little before their first differing character.
    private static func divergentQuotes(_ left: String, _ right: String) -> (String, String) {
        let common = zip(left, right).prefix { $0 == $1 }.count
        var start = max(0, common - 16)
        // Back to the start of a word, so the quote does not open mid-word.
        if start > 0, let space = left.prefix(start).lastIndex(of: " ") {
            start = left.distance(from: left.startIndex, to: space) + 1
        }
        func quoted(_ text: String) -> String {
            let tail = quote(String(text.dropFirst(start)))
            return start > 0 ? "\"…" + tail.dropFirst() : tail
        }
        return (quoted(left), quoted(right))
    }

    private static func text(of content: JSONValue?) -> String? {
        if let text = content?.stringValue { return text }
        let parts = content?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    private static func quote(_ text: String, limit: Int = 48) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= limit ? "\"\(flat)\"" : "\"\(flat.prefix(limit))…\""
    }

    private static func describeScalar(_ value: JSONValue?) -> String {
        guard let value else { return "absent" }
        if let text = value.stringValue { return quote(text) }
        return value.compactDescription
    }
}

/// A request whose replay key cannot be computed, said for the person reading the replay log.
package struct FixtureKeyError: Error, CustomStringConvertible, Equatable {
    package var reason: String

    package init(reason: Error) {
        self.reason = EncodingProblem.describe(reason)
    }

    package var description: String {
        "the request's replay key cannot be computed: \(reason)"
    }
}
