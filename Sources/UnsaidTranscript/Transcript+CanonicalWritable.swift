import UnsaidSuite
import UnsaidSupport

// A transcript record is mostly wire chunks and events, hundreds of each; these types write their
// canonical bytes directly (see `CanonicalWritable`) instead of through `Encodable`. Each writes
// exactly the fields its synthesized `Encodable` conformance writes, nil optionals left out, in
// JCS key order (byte order of these ASCII names). `CanonicalWritingTests` holds every one to the
// `Encodable` bytes.

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
        try writer.field("headers", headers)
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
        writer.field("kind", kind)
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
        writer.beginObject()
        try writer.field("annotations", annotations)
        writer.field("content", content)
        writer.field("done", done)
        try writer.field("error", error)
        writer.field("finishReason", finishReason)
        writer.field("index", index)
        writer.field("malformed", malformed)
        writer.field("reasoning", reasoning)
        writer.field("refusal", refusal)
        writer.field("t", t)
        writer.endObject()
    }
}

extension DecodedResponse: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.field("bodyFormat", bodyFormat)
        writer.field("content", content)
        try writer.field("errors", errors)
        try writer.field("events", events)
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
        try writer.field("chunks", chunks)
        writer.field("elapsed", elapsed)
        try writer.field("failure", failure)
        try writer.field("headers", headers)
        writer.field("index", index)
        try writer.field("response", response)
        writer.field("responseCap", responseCap)
        writer.field("startedAt", startedAt)
        writer.field("status", status)
        writer.endObject()
    }
}

extension Transcript: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        try writer.field("attempts", attempts)
        try writer.field("key", key)
        try writer.field("request", request)
        writer.endObject()
    }

    /// Twice the text the record carries (JSON escaping of SSE lines in chunks adds up to ~20%;
    /// control bytes cost six) plus room for the fields around each chunk and event.
    package var canonicalSizeHint: Int {
        var text = request.body.utf8.count + request.url.utf8.count
        var pieces = 0
        for attempt in attempts {
            for chunk in attempt.chunks {
                text += (chunk.text?.utf8.count ?? 0) + (chunk.base64?.utf8.count ?? 0)
            }
            let response = attempt.response
            text += response.content.utf8.count + response.reasoning.utf8.count + response.refusal.utf8.count
            for event in response.events {
                text +=
                    (event.content?.utf8.count ?? 0) + (event.reasoning?.utf8.count ?? 0)
                    + (event.refusal?.utf8.count ?? 0)
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
