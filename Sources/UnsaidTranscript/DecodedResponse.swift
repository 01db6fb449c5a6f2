import Foundation
import UnsaidSupport

/// An error object a provider put in the body (a whole error response, or a chunk mid-stream).
package struct ProviderError: Codable, Sendable, Equatable {
    /// `error.code`, kept as text because providers send strings ("1301") or numbers (429).
    package var code: String?
    package var message: String?
    package var type: String?
    /// Index of the event that carried it, when streamed.
    package var eventIndex: Int?
    /// The whole error object as sent.
    package var raw: JSONValue
}

/// One meaningful unit of the answer: an SSE `data:` event, or the whole JSON body when not streamed.
package struct ChatEvent: Codable, Sendable, Equatable {
    package var index: Int
    /// Arrival of the bytes that completed this event, microseconds since the attempt started.
    package var t: Int64
    package var content: String?
    package var reasoning: String?
    package var refusal: String?
    package var finishReason: String?
    package var error: ProviderError?
    /// Fields beyond the standard chat-completion shape (Azure `content_filter_results`, MiniMax
    /// `output_sensitive`, Baidu `ban_round`, llama.cpp `timings`, …), keyed as `field` for the
    /// chunk's top level and `choices.field` for the first choice.
    package var annotations: [String: JSONValue]?
    /// The raw data of an event that was not valid JSON.
    package var malformed: String?
    /// `data: [DONE]`.
    package var done: Bool?

    // No initialiser here: the one Swift synthesises from the fields (internal; every optional
    // defaults to nil) builds an event in place, where one written out built it aside and then
    // copied it whole and destroyed the original (each optional field retained and released),
    // for every event of a stream. Other modules use the one below, which passes on to it.
}

extension ChatEvent {
    /// An event without an error (the decoder, which sets errors, uses the synthesised
    /// initialiser; so do tests that import the module as testable).
    package init(
        index: Int, t: Int64, content: String? = nil, reasoning: String? = nil, refusal: String? = nil,
        finishReason: String? = nil, annotations: [String: JSONValue]? = nil, malformed: String? = nil,
        done: Bool? = nil
    ) {
        self.init(
            index: index, t: t, content: content, reasoning: reasoning, refusal: refusal, finishReason: finishReason,
            error: nil, annotations: annotations, malformed: malformed, done: done)
    }
}

/// Archive readers decode hundreds of events per record; this reads an event's fields in one pass
/// (see `IndexedFieldDecodable`), exactly as the synthesized `init(from:)` reads them.
extension ChatEvent: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        self.init(index: 0, t: 0)
        try read(fields: &fields)
    }

    /// Sets the fields present in `fields` on an event that has none set (`init(index: 0, t: 0)`),
    /// where it lies: a response's reader appends a blank event to its array and reads each one
    /// in its place. Read into locals and passed to an initialiser, every field was copied once
    /// more (a retain of each, then the release of the locals): ~110 of the ~2,050 instructions
    /// reading an event took (callgrind). Each field is set at most once (`IndexedFields.next`
    /// skips a repeated key), so every assignment replaces a nil.
    mutating func read(fields: inout IndexedFields) throws {
        var sawIndex = false
        var sawT = false
        while let field = try fields.next() {
            if field.is("index") {
                index = try field.int()
                sawIndex = true
            } else if field.is("t") {
                t = try field.int64()
                sawT = true
            } else if field.is("content") {
                content = try field.stringIfNotNull()
            } else if field.is("reasoning") {
                reasoning = try field.stringIfNotNull()
            } else if field.is("refusal") {
                refusal = try field.stringIfNotNull()
            } else if field.is("finishReason") {
                finishReason = try field.stringIfNotNull()
            } else if field.is("error") {
                error = try field.decodeIfNotNull(ProviderError.self)
            } else if field.is("annotations") {
                annotations = try field.decodeIfNotNull([String: JSONValue].self)
            } else if field.is("malformed") {
                malformed = try field.stringIfNotNull()
            } else if field.is("done") {
                done = try field.boolIfNotNull()
            }
        }
        guard sawIndex, sawT else { throw fields.missing() }
    }
}

/// What the body of one attempt says, decoded the same way for streamed and non-streamed answers.
package struct DecodedResponse: Codable, Sendable, Equatable {
    package var events: [ChatEvent]
    /// The assembled answer text (all `content` deltas, or `message.content`).
    package var content: String
    /// The assembled reasoning (`reasoning_content`/`reasoning`).
    package var reasoning: String
    /// The assembled `refusal` field.
    package var refusal: String
    /// The last non-null finish reason, verbatim (unknown values are kept, never dropped).
    package var finishReason: String?
    package var usage: JSONValue?
    /// Whether a streamed answer ended with `data: [DONE]`.
    package var sawDone: Bool
    package var errors: [ProviderError]
    /// Set when the body could not be read as a chat response at all (not JSON, not SSE), or only
    /// partly (an event that is not JSON, bytes that are not UTF-8); problems are joined with "; ".
    package var protocolError: String?
    /// How the body was read; nil when there was no body.
    package var bodyFormat: BodyFormat?
    /// True when a stream ended inside an event (bytes after the last blank line), which SSE drops:
    /// the connection was cut mid-event. Nil otherwise.
    package var unterminatedEvent: Bool?

    package init(
        events: [ChatEvent] = [], content: String = "", reasoning: String = "", refusal: String = "",
        finishReason: String? = nil, usage: JSONValue? = nil, sawDone: Bool = false,
        errors: [ProviderError] = [], protocolError: String? = nil,
        bodyFormat: BodyFormat? = nil, unterminatedEvent: Bool? = nil
    ) {
        self.events = events
        self.content = content
        self.reasoning = reasoning
        self.refusal = refusal
        self.finishReason = finishReason
        self.usage = usage
        self.sawDone = sawDone
        self.errors = errors
        self.protocolError = protocolError
        self.bodyFormat = bodyFormat
        self.unterminatedEvent = unterminatedEvent
    }

    package static let empty = DecodedResponse()
}

/// Read in one pass over the fields (see `IndexedFieldDecodable`), exactly as the synthesized
/// `init(from:)` reads them: every record holds one per attempt, and asking a keyed container
/// for each of eleven fields searched the object's keys eleven times.
extension DecodedResponse: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var events: [ChatEvent]?
        var content: String?
        var reasoning: String?
        var refusal: String?
        var sawDone: Bool?
        var errors: [ProviderError]?
        self.init()
        while let field = try fields.next() {
            if field.is("events") {
                if var objects = try field.objectsIfNotNull() {
                    // Each event is made blank where it lies in the array's storage and read in
                    // place: appending a blank event copied it into the array and destroyed the
                    // original (~310 instructions an event, a sixth of reading one).
                    events = try [ChatEvent](unsafeUninitializedCapacity: objects.count) { slots, initialized in
                        while var event = try objects.next(), initialized < slots.count {
                            slots.initializeElement(at: initialized, to: ChatEvent(index: 0, t: 0))
                            initialized += 1
                            try slots[initialized - 1].read(fields: &event)
                        }
                    }
                }
            } else if field.is("content") {
                content = try field.stringIfNotNull()
            } else if field.is("reasoning") {
                reasoning = try field.stringIfNotNull()
            } else if field.is("refusal") {
                refusal = try field.stringIfNotNull()
            } else if field.is("finishReason") {
                finishReason = try field.stringIfNotNull()
            } else if field.is("usage") {
                usage = try field.decodeIfNotNull(JSONValue.self)
            } else if field.is("sawDone") {
                sawDone = try field.boolIfNotNull()
            } else if field.is("errors") {
                errors = try field.decodeIfNotNull([ProviderError].self)
            } else if field.is("protocolError") {
                protocolError = try field.stringIfNotNull()
            } else if field.is("bodyFormat") {
                bodyFormat = try field.decodeIfNotNull(BodyFormat.self)
            } else if field.is("unterminatedEvent") {
                unterminatedEvent = try field.boolIfNotNull()
            }
        }
        // A null required field is as absent as a missing one here: `JSONDecoder` reports either.
        guard let events, let content, let reasoning, let refusal, let sawDone, let errors else {
            throw fields.missing()
        }
        self.events = events
        self.content = content
        self.reasoning = reasoning
        self.refusal = refusal
        self.sawDone = sawDone
        self.errors = errors
    }
}
