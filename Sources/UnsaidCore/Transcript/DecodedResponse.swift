import Foundation

/// An error object a provider put in the body (a whole error response, or a chunk mid-stream).
public struct ProviderError: Codable, Sendable, Equatable {
    /// `error.code`, kept as text because providers send strings ("1301") or numbers (429).
    public var code: String?
    public var message: String?
    public var type: String?
    /// Index of the event that carried it, when streamed.
    public var eventIndex: Int?
    /// The whole error object as sent.
    public var raw: JSONValue

    public init(code: String?, message: String?, type: String?, eventIndex: Int?, raw: JSONValue) {
        self.code = code
        self.message = message
        self.type = type
        self.eventIndex = eventIndex
        self.raw = raw
    }
}

/// One meaningful unit of the answer: an SSE `data:` event, or the whole JSON body when not streamed.
public struct ChatEvent: Codable, Sendable, Equatable {
    public var index: Int
    /// Arrival of the bytes that completed this event, microseconds since the attempt started.
    public var t: Int64
    public var content: String?
    public var reasoning: String?
    public var refusal: String?
    public var finishReason: String?
    public var error: ProviderError?
    /// Fields beyond the standard chat-completion shape (Azure `content_filter_results`, MiniMax
    /// `output_sensitive`, Baidu `ban_round`, llama.cpp `timings`, …), keyed as `field` for the
    /// chunk's top level and `choices.field` for the first choice.
    public var annotations: [String: JSONValue]?
    /// The raw data of an event that was not valid JSON.
    public var malformed: String?
    /// `data: [DONE]`.
    public var done: Bool?

    public init(index: Int, t: Int64, content: String? = nil, reasoning: String? = nil, refusal: String? = nil,
                finishReason: String? = nil, error: ProviderError? = nil,
                annotations: [String: JSONValue]? = nil, malformed: String? = nil, done: Bool? = nil) {
        self.index = index
        self.t = t
        self.content = content
        self.reasoning = reasoning
        self.refusal = refusal
        self.finishReason = finishReason
        self.error = error
        self.annotations = annotations
        self.malformed = malformed
        self.done = done
    }
}

/// What the body of one attempt says, decoded the same way for streamed and non-streamed answers.
public struct DecodedResponse: Codable, Sendable, Equatable {
    public var events: [ChatEvent]
    /// The assembled answer text (all `content` deltas, or `message.content`).
    public var content: String
    /// The assembled reasoning (`reasoning_content`/`reasoning`).
    public var reasoning: String
    /// The assembled `refusal` field.
    public var refusal: String
    /// The last non-null finish reason, verbatim (unknown values are kept, never dropped).
    public var finishReason: String?
    public var usage: JSONValue?
    /// Whether a streamed answer ended with `data: [DONE]`.
    public var sawDone: Bool
    public var errors: [ProviderError]
    /// Set when the body could not be read as a chat response at all (not JSON, not SSE), or only
    /// partly (an event that is not JSON, bytes that are not UTF-8); problems are joined with "; ".
    public var protocolError: String?
    /// How the body was read; nil when there was no body.
    public var bodyFormat: BodyFormat?
    /// True when a stream ended inside an event (bytes after the last blank line), which SSE drops:
    /// the connection was cut mid-event. Nil otherwise.
    public var unterminatedEvent: Bool?

    public init(events: [ChatEvent] = [], content: String = "", reasoning: String = "", refusal: String = "",
                finishReason: String? = nil, usage: JSONValue? = nil, sawDone: Bool = false,
                errors: [ProviderError] = [], protocolError: String? = nil,
                bodyFormat: BodyFormat? = nil, unterminatedEvent: Bool? = nil) {
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

    public static let empty = DecodedResponse()
}
