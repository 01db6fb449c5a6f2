import UnsaidSuite
import UnsaidSupport

// A transcript record is mostly wire chunks and events, hundreds of each; these types write their
// canonical bytes directly (see `CanonicalWritable`) instead of through `Encodable`. Each writes
// exactly the fields its synthesized `Encodable` conformance writes, nil optionals left out, in
// JCS key order (byte order of these ASCII names). `CanonicalWritingTests` holds every one to the
// `Encodable` bytes.

extension CanonicalWriter {
    // `field`'s forms for a writable value or an array of them, here in the module of the types
    // they write: `CanonicalWriter`'s own are generic across modules, so each call went through
    // the type's metadata and value witnesses — about 500 instructions for an event's nil
    // `error` alone. Here they are specialised for each type, and array elements are written
    // where they lie (read through the array's subscript, not copied out by a `for … in`).

    fileprivate mutating func item<T: CanonicalWritable>(_ name: StaticString, _ value: T?) throws(Declined) {
        guard let value else { return }
        key(name)
        try value.write(to: &self)
    }

    fileprivate mutating func items<T: CanonicalWritable>(_ name: StaticString, _ values: [T]) throws(Declined) {
        key(name)
        beginArray()
        for index in values.indices { try values[index].write(to: &self) }
        endArray()
    }
}

extension HTTPHeader: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("name", name)
        writer.field("value", value)
        writer.endObject()
    }
}

extension RecordedRequest: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.field("body", body)
        try writer.items("headers", headers)
        writer.field("method", method)
        writer.field("streamed", streamed)
        writer.field("url", url)
        writer.endObject()
    }
}

extension TransportFailure: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("curlCode", curlCode)
        writer.field("kind", kind.rawValue)
        writer.field("message", message)
        writer.endObject()
    }
}

extension ProviderError: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.field("code", code)
        writer.field("eventIndex", eventIndex)
        writer.field("message", message)
        try writer.field("raw", raw)
        writer.field("type", type)
        writer.endObject()
    }
}

extension ChatEvent: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        try withUnsafePointer(to: self) { (event) throws(CanonicalWriter.Declined) in
            try Self.write(event, to: &writer)
        }
    }

    /// Writes the event where it lies, each field read through the pointer: a response's events
    /// are written by the hundred, and reading one out of its array copied all its fields
    /// (retained, then released) before a byte was written. Each optional field is tested for
    /// nil before it is passed on (which `field` and `item` skip too): passing one copied it,
    /// a retain and a release even of a nil, and most fields of most events are nil.
    fileprivate static func write(
        _ event: UnsafePointer<ChatEvent>, to writer: inout CanonicalWriter
    ) throws(CanonicalWriter.Declined) {
        // Most events of a stream carry a piece of content and nothing else: their fixed form
        // goes in one go. (`error` is tested by pattern: comparing it with nil copied it whole.)
        if event.pointee.annotations == nil, event.pointee.done == nil, case .none = event.pointee.error,
            event.pointee.finishReason == nil, event.pointee.malformed == nil, event.pointee.reasoning == nil,
            event.pointee.refusal == nil
        {
            writer.contentIndexTimeObject(
                content: event.pointee.content, index: event.pointee.index, t: event.pointee.t)
            return
        }
        writer.beginObject()
        if event.pointee.annotations != nil { try writer.field("annotations", event.pointee.annotations) }
        if event.pointee.content != nil { writer.field("content", event.pointee.content) }
        writer.field("done", event.pointee.done)
        if case .some = event.pointee.error { try writer.item("error", event.pointee.error) }
        if event.pointee.finishReason != nil { writer.field("finishReason", event.pointee.finishReason) }
        writer.field("index", event.pointee.index)
        if event.pointee.malformed != nil { writer.field("malformed", event.pointee.malformed) }
        if event.pointee.reasoning != nil { writer.field("reasoning", event.pointee.reasoning) }
        if event.pointee.refusal != nil { writer.field("refusal", event.pointee.refusal) }
        writer.field("t", event.pointee.t)
        writer.endObject()
    }
}

extension DecodedResponse: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        // As its raw value: `field`'s generic form looked the type up at run time, for every record.
        writer.field("bodyFormat", bodyFormat?.rawValue)
        writer.field("content", content)
        try writer.items("errors", errors)
        writer.key("events")
        writer.beginArray()
        try events.withUnsafeBufferPointer { (buffer) throws(CanonicalWriter.Declined) in
            guard let first = buffer.baseAddress else { return }
            for offset in 0..<buffer.count { try ChatEvent.write(first + offset, to: &writer) }
        }
        writer.endArray()
        writer.field("finishReason", finishReason)
        writer.field("protocolError", protocolError)
        writer.field("reasoning", reasoning)
        writer.field("refusal", refusal)
        writer.field("sawDone", sawDone)
        writer.field("unterminatedEvent", unterminatedEvent)
        try writer.field("usage", usage)
        writer.endObject()
    }
}

extension WireChunk: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("base64", base64)
        writer.field("t", t)
        writer.field("text", text)
        writer.endObject()
    }
}

extension Attempt: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.field("backoff", backoff)
        try writer.items("chunks", chunks)
        writer.field("elapsed", elapsed)
        try writer.item("failure", failure)
        try writer.items("headers", headers)
        writer.field("index", index)
        try writer.item("response", response)
        writer.field("responseCap", responseCap)
        writer.field("startedAt", startedAt)
        writer.field("status", status)
        writer.endObject()
    }
}

extension Transcript: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        try writer.items("attempts", attempts)
        try writer.item("key", key)
        try writer.item("request", request)
        writer.endObject()
    }

    /// Twice the text the record carries (JSON escaping of SSE lines in chunks adds up to ~20%;
    /// control bytes cost six) plus room for the fields around each chunk and event.
    package var canonicalSizeHint: Int {
        var text = request.body.utf8.count + request.url.utf8.count
        var pieces = 0
        for attempt in attempts {
            // Each chunk's texts read where it lies, as the events' below: `for chunk in` copied
            // every chunk (both its strings retained and released) only to count bytes.
            attempt.chunks.withUnsafeBufferPointer { chunks in
                guard let first = chunks.baseAddress else { return }
                for offset in 0..<chunks.count {
                    let chunk = first + offset
                    text += (chunk.pointee.text?.utf8.count ?? 0) + (chunk.pointee.base64?.utf8.count ?? 0)
                }
            }
            let response = attempt.response
            text += response.content.utf8.count + response.reasoning.utf8.count + response.refusal.utf8.count
            // Each event's texts read where it lies: `for event in` copied every event (its
            // strings retained and released) only to count bytes.
            response.events.withUnsafeBufferPointer { events in
                guard let first = events.baseAddress else { return }
                for offset in 0..<events.count {
                    let event = first + offset
                    text +=
                        (event.pointee.content?.utf8.count ?? 0) + (event.pointee.reasoning?.utf8.count ?? 0)
                        + (event.pointee.refusal?.utf8.count ?? 0)
                }
            }
            pieces += attempt.chunks.count + response.events.count + attempt.headers.count
        }
        return 2 * text + 64 * pieces + 2048
    }
}

extension WorkKey: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("probe", probe)
        writer.field("probeHash", probeHash)
        writer.field("sample", sample)
        writer.field("streamed", streamed)
        writer.field("suite", suite)
        writer.endObject()
    }
}
