import UnsaidSupport

// Every archived record holds its probe. Through `Encodable` the probe was a sixth of a small
// record's encoding (a node, a key string and an array entry for each field, the messages and
// tags boxed as containers); written directly it is a handful of appends. Each writer writes
// exactly the fields its synthesized `Encodable` conformance writes, nil optionals left out, in
// JCS key order. The rare nested values (a transform, follow-ups, a turn link) still go
// through `Encodable`, field by field:
// `CanonicalWritingTests` holds the result to the `Encodable` bytes.

extension CanonicalWriter {
    /// Sampling parameters as their synthesized `Encodable` conformance writes them (a probe's,
    /// and its content hash's); a non-finite number declines.
    mutating func parameters(_ parameters: GenerationParameters) throws(Declined) {
        key("parameters")
        beginObject()
        field("maxTokens", parameters.maxTokens)
        field("seed", parameters.seed)
        try field("temperature", parameters.temperature)
        try field("topP", parameters.topP)
        endObject()
    }
}

extension ChatMessage: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("content", content)
        writer.field("role", role)
        writer.endObject()
    }
}

extension Probe: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        // The enums as their raw values: `field`'s generic `RawRepresentable` form looked the
        // type up at run time (it is not specialised across modules).
        writer.field("category", category.rawValue)
        writer.field("expect", expect.rawValue)
        if let followUps { try writer.encodedField("followUps", followUps) }
        writer.field("group", group)
        writer.field("id", id)
        writer.field("language", language)
        writer.key("messages")
        writer.beginArray()
        for index in messages.indices { messages[index].write(to: &writer) }
        writer.endArray()
        try writer.parameters(parameters)
        writer.field("repeatCount", repeatCount)
        writer.field("stream", stream.rawValue)
        writer.key("tags")
        writer.beginArray()
        for index in tags.indices { writer.value(tags[index]) }
        writer.endArray()
        if let terms {
            writer.key("terms")
            writer.beginArray()
            for index in terms.indices { writer.value(terms[index]) }
            writer.endArray()
        }
        writer.field("topic", topic)
        if let transform { try writer.encodedField("transform", transform) }
        if let turn { try writer.encodedField("turn", turn) }
        writer.field("variant", variant)
        writer.endObject()
    }

    /// The messages twice over (escaping can double a string) and room for the other fields.
    package var canonicalSizeHint: Int {
        messages.reduce(4096) { $0 + 2 * $1.content.utf8.count + 32 }
    }
}
