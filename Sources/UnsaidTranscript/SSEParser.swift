import Foundation

/// One dispatched server-sent event.
package struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, "message" when none was given.
    package var type: String
    /// The `data:` lines joined with LF.
    package var data: String
    /// The last event id seen (`id:` fields persist across events per the spec); an empty `id:`
    /// resets it to nil.
    package var id: String?
    /// A `retry:` value given in this event (digits only), in milliseconds.
    package var retry: Int?
    /// Index of the chunk whose bytes completed this event.
    package var chunkIndex: Int

    package init(type: String = "message", data: String, id: String? = nil, retry: Int? = nil, chunkIndex: Int = 0) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
        self.chunkIndex = chunkIndex
    }
}

/// An event as the parser dispatches it to a handler: the same fields as `SSEEvent`, with the
/// data as bytes in the chunk being fed or the parser's own buffer (valid only during the call),
/// so a reader that can work on bytes makes no `String` of every event's data.
package struct SSEDispatchedEvent {
    package var type: String
    /// The `data:` lines joined with LF, as bytes (not decoded: may be ill-formed UTF-8).
    package var data: UnsafeBufferPointer<UInt8>
    /// The last event id, empty for none (an id is never empty). Not optional: a `String?` is
    /// copied through its type's value witnesses, which cost more than reading an event's field.
    package var id: String
    package var retry: Int?
    package var chunkIndex: Int
    /// Where the event lay in the stream when it was dispatched (`eventRanges`' entry for it).
    package var range: Range<Int>

    /// The event with its data decoded (lossily), as `feed` returns it.
    package var event: SSEEvent {
        SSEEvent(
            type: type, data: String(decoding: data, as: UTF8.self), id: id.isEmpty ? nil : id, retry: retry,
            chunkIndex: chunkIndex)
    }
}

/// Incremental parser for `text/event-stream` (WHATWG HTML, "Server-sent events").
/// Feed it bytes as they arrive; it returns the events each feed completes.
///
/// It works on bytes, never on per-chunk strings: network reads split UTF-8 sequences, CR/LF
/// pairs and the BOM anywhere, and decoding a chunk on its own would corrupt them. Field values
/// are decoded (lossily) only once their line is complete.
package struct SSEParser: Sendable {
    /// The last event id buffer; persists across events and survives `finish()`.
    package var lastEventID: String? { lastID.isEmpty ? nil : lastID }
    /// The last valid `retry:` value, even one given in an event that never dispatched.
    package private(set) var reconnectionTime: Int?
    /// Whether any comment or known field (`data`, `event`, `id`, `retry`) was seen: tells a
    /// stream that was cut before its first event apart from a body that is not SSE at all.
    package private(set) var sawEventStreamLine = false
    /// Where each dispatched event lies in the stream: from the first byte of its first field line
    /// to just past the blank line that dispatched it, as offsets into all bytes fed so far. One
    /// entry per event returned by `feed`, in order. Redaction uses it to rewrite the events a
    /// secret was spread over.
    package private(set) var eventRanges: [Range<Int>] = []

    /// Bytes of a line begun in an earlier chunk.
    private var line: [UInt8] = []
    /// The data buffer: every `data` value followed by LF, as the spec describes it.
    private var data: [UInt8] = []
    /// The last event id buffer, empty for none (an empty `id:` resets it; see `SSEDispatchedEvent.id`).
    private var lastID = ""
    /// The `event:` field of the event under construction; empty for none, which dispatches as
    /// "message" just as an empty `event:` does.
    private var eventType = ""
    private var eventRetry: Int?
    /// A field line arrived since the last blank line (an event is under construction).
    private var eventPending = false
    /// Still at the very start of the stream, where one BOM may appear.
    private var atStreamStart = true
    private var bomMatched = 0
    /// The previous chunk ended in CR: an LF opening the next chunk ends the same line.
    private var skipLeadingLF = false
    /// Bytes fed before the current chunk.
    private var consumed = 0
    /// Stream offset of the line held in `line` (begun in an earlier chunk).
    private var heldLineOffset = 0
    /// Stream offset of the first field line of the event under construction.
    private var eventStartOffset: Int?

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20

    package init() {}

    /// Feeds the bytes of one network chunk. `chunkIndex` is recorded in the events it completes.
    package mutating func feed(_ bytes: some Collection<UInt8>, chunkIndex: Int) -> [SSEEvent] {
        var events: [SSEEvent] = []
        let handled: Int? = bytes.withContiguousStorageIfAvailable { buffer in
            feed(buffer, chunkIndex: chunkIndex) { events.append($0.event) }
            return buffer.count
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { buffer in
                feed(buffer, chunkIndex: chunkIndex) { events.append($0.event) }
            }
        }
        return events
    }

    /// Feeds the bytes of one network chunk and hands each event it completes to `handle`, in
    /// order, as it is dispatched. `handle` must not use this parser.
    package mutating func feed(
        _ buffer: UnsafeBufferPointer<UInt8>, chunkIndex: Int, _ handle: (SSEDispatchedEvent) -> Void
    ) {
        consume(buffer, chunkIndex: chunkIndex, handle)
        consumed += buffer.count
    }

    /// Ends the stream. An unterminated last event is dropped (per the spec); the return value says
    /// whether bytes were left over, which the decoder reports as a truncated stream.
    package mutating func finish() -> Bool {
        let leftover = !line.isEmpty || eventPending || (atStreamStart && bomMatched > 0)
        line.removeAll()
        data.removeAll()
        eventType = ""
        eventRetry = nil
        eventPending = false
        atStreamStart = true
        bomMatched = 0
        skipLeadingLF = false
        eventStartOffset = nil
        return leftover
    }

    // MARK: - Bytes to lines

    private mutating func consume(
        _ buffer: UnsafeBufferPointer<UInt8>, chunkIndex: Int, _ handle: (SSEDispatchedEvent) -> Void
    ) {
        let count = buffer.count
        var position = 0
        if atStreamStart {
            while position < count, atStreamStart {
                if buffer[position] == Self.bom[bomMatched] {
                    bomMatched += 1
                    position += 1
                    if bomMatched == Self.bom.count { atStreamStart = false }
                } else {
                    // Not a BOM after all: the bytes held back belong to the first line.
                    line.append(contentsOf: Self.bom[0..<bomMatched])
                    atStreamStart = false
                }
            }
            if atStreamStart { return }
        }
        if skipLeadingLF, position < count {
            if buffer[position] == Self.lf {
                position += 1
                // The CR that ended the last chunk dispatched an event: its CR LF counts whole.
                if let last = eventRanges.last, last.upperBound == consumed {
                    eventRanges[eventRanges.count - 1] = last.lowerBound..<(consumed + 1)
                }
            }
            skipLeadingLF = false
        }

        // The value of the event's only data line so far, when it lies in this chunk: most events
        // have one data line and end in the chunk they began in, and are handed out from here
        // without a copy into `data`. Copied there when a second data line comes or the chunk ends.
        var pending: UnsafeBufferPointer<UInt8>?
        var lineStart = position
        var lineEnds = LineEndFinder(buffer)
        while position < count {
            position = lineEnds.next(from: position)
            guard position < count else { break }
            let byte = buffer[position]
            let piece = UnsafeBufferPointer(rebasing: buffer[lineStart..<position])
            // The line ends just past its terminator (CR LF counts whole when both are here).
            var end = position + 1
            if byte == Self.cr, end < count, buffer[end] == Self.lf { end += 1 }
            let span = LineSpan(start: line.isEmpty ? consumed + lineStart : heldLineOffset, end: consumed + end)
            if line.isEmpty {
                process(line: piece, inChunk: true, span: span, chunkIndex: chunkIndex, pending: &pending, handle)
            } else {
                // Swap the buffer out so processing the line does not overlap an access to `self.line`.
                var joined: [UInt8] = []
                swap(&joined, &line)
                joined.append(contentsOf: piece)
                joined.withUnsafeBufferPointer {
                    process(line: $0, inChunk: false, span: span, chunkIndex: chunkIndex, pending: &pending, handle)
                }
                joined.removeAll(keepingCapacity: true)
                swap(&joined, &line)
            }
            if byte == Self.cr && end == count && end == position + 1 {
                skipLeadingLF = true
            }
            position = end
            lineStart = position
        }
        if let held = pending {
            data.append(contentsOf: held)
            data.append(Self.lf)
        }
        if lineStart < count {
            if line.isEmpty { heldLineOffset = consumed + lineStart }
            line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[lineStart..<count]))
        }
    }

    /// Finds line ends in one chunk, front to back: the first CR or LF at or after a position,
    /// with one `memchr` a line where searching for both from each start took two.
    ///
    /// Why: most streams have no CR at all, and the search before this looked for one over each
    /// line after finding its LF, a second pass over every line (`memchr` was ~1.2% of a 2,000-probe run's
    /// samples). Here the next CR is found once and kept until a line end passes it (in a chunk
    /// without one, a single search over the chunk), and the LF is looked for only before it.
    struct LineEndFinder {
        let buffer: UnsafeBufferPointer<UInt8>
        /// The offset of the first CR at or after the last position asked about, or the count.
        private var nextCR = -1

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            self.buffer = buffer
        }

        /// The offset of the first CR or LF at or after `start`, or the buffer's count when there
        /// is none. `start` may not go back: each call's is at or after the one before it.
        mutating func next(from start: Int) -> Int {
            let count = buffer.count
            guard let base = buffer.baseAddress, start < count else { return count }
            if nextCR < start {
                let cr = memchr(base + start, Int32(SSEParser.cr), count - start)
                nextCR = cr.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? count
            }
            let lf = memchr(base + start, Int32(SSEParser.lf), nextCR - start)
            return lf.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? nextCR
        }
    }

    /// Where a complete line lies in the stream, its terminator included.
    private struct LineSpan {
        var start: Int
        var end: Int
    }

    // MARK: - Lines to events

    /// - Parameter inChunk: `line` lies in the chunk being consumed (not in a joined copy), so a
    ///   data value may be left there as `pending`.
    private mutating func process(
        line: UnsafeBufferPointer<UInt8>, inChunk: Bool, span: LineSpan, chunkIndex: Int,
        pending: inout UnsafeBufferPointer<UInt8>?, _ handle: (SSEDispatchedEvent) -> Void
    ) {
        guard let first = line.first else {
            dispatch(end: span.end, chunkIndex: chunkIndex, pending: &pending, handle)
            return
        }
        if first == Self.colon {
            sawEventStreamLine = true
            return
        }
        if eventStartOffset == nil { eventStartOffset = span.start }
        let nameEnd = line.firstIndex(of: Self.colon) ?? line.count
        var valueStart = Swift.min(nameEnd + 1, line.count)
        if valueStart < line.count, line[valueStart] == Self.space { valueStart += 1 }
        let name = UnsafeBufferPointer(rebasing: line[0..<nameEnd])
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<line.count])

        switch Field(name) {
        case .data:
            if inChunk, data.isEmpty, pending == nil {
                pending = value
            } else {
                if let held = pending {
                    data.append(contentsOf: held)
                    data.append(Self.lf)
                    pending = nil
                }
                data.append(contentsOf: value)
                data.append(Self.lf)
            }
        case .event:
            eventType = String(decoding: value, as: UTF8.self)
        case .id:
            // An id with NUL would poison the Last-Event-ID header, so the spec ignores it.
            if !value.contains(0) {
                lastID = String(decoding: value, as: UTF8.self)
            }
        case .retry:
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let milliseconds = Int(String(decoding: value, as: UTF8.self))
            {
                eventRetry = milliseconds
                reconnectionTime = milliseconds
            }
        case nil:
            eventPending = true
            return
        }
        sawEventStreamLine = true
        eventPending = true
    }

    /// The fields the spec knows, matched on the name's bytes (no string is made for a name).
    private enum Field {
        case data, event, id, retry

        init?(_ name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 2 where Self.equal(name, "id"): self = .id
            case 4 where Self.equal(name, "data"): self = .data
            case 5 where Self.equal(name, "event"): self = .event
            case 5 where Self.equal(name, "retry"): self = .retry
            default: return nil
            }
        }

        /// Whether `bytes` are exactly `name` (whose length the caller has matched).
        private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
            guard let base = bytes.baseAddress else { return false }
            return memcmp(base, name.utf8Start, name.utf8CodeUnitCount) == 0
        }
    }

    private mutating func dispatch(
        end: Int, chunkIndex: Int, pending: inout UnsafeBufferPointer<UInt8>?,
        _ handle: (SSEDispatchedEvent) -> Void
    ) {
        let start = eventStartOffset ?? end
        defer {
            if !eventType.isEmpty { eventType = "" }
            eventRetry = nil
            eventPending = false
            eventStartOffset = nil
        }
        guard !data.isEmpty || pending != nil else { return }
        eventRanges.append(start..<end)
        let type = eventType.isEmpty ? "message" : eventType
        let (id, retry) = (lastID, eventRetry)
        if let held = pending {
            pending = nil
            handle(
                SSEDispatchedEvent(
                    type: type, data: held, id: id, retry: retry, chunkIndex: chunkIndex, range: start..<end))
            return
        }
        data.removeLast()
        data.withUnsafeBufferPointer { bytes in
            handle(
                SSEDispatchedEvent(
                    type: type, data: bytes, id: id, retry: retry, chunkIndex: chunkIndex, range: start..<end))
        }
        data.removeAll(keepingCapacity: true)
    }
}
