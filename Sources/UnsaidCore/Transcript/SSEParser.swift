import Foundation

/// One dispatched server-sent event.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, "message" when none was given.
    public var type: String
    /// The `data:` lines joined with LF.
    public var data: String
    /// The last event id seen (`id:` fields persist across events per the spec).
    public var id: String?
    /// A `retry:` value given in this event (digits only), in milliseconds.
    public var retry: Int?
    /// Index of the chunk whose bytes completed this event.
    public var chunkIndex: Int

    public init(type: String = "message", data: String, id: String? = nil, retry: Int? = nil, chunkIndex: Int = 0) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
        self.chunkIndex = chunkIndex
    }
}

/// Incremental parser for `text/event-stream` (WHATWG HTML, "Server-sent events").
/// Feed it bytes as they arrive; it returns the events each feed completes.
/// STUB: implemented in the transport work.
public struct SSEParser: Sendable {
    public init() {}

    /// Feeds the bytes of one network chunk. `chunkIndex` is recorded in the events it completes.
    public mutating func feed(_ bytes: some Collection<UInt8>, chunkIndex: Int) -> [SSEEvent] {
        []
    }

    /// Ends the stream. An unterminated last event is dropped (per the spec); the return value says
    /// whether bytes were left over, which the decoder reports as a truncated stream.
    public mutating func finish() -> Bool {
        false
    }
}
