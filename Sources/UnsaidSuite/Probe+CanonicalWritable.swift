import UnsaidSupport

// Every archived record holds its probe. Through `Encodable` the probe was a sixth of a small
// record's encoding (a node, a key string and an array entry for each field, the messages and
// tags boxed as containers); written directly it is a handful of appends. Each writer writes
// exactly the fields its synthesized `Encodable` conformance writes, nil optionals left out, in
// JCS key order. The rare nested values (a transform, follow-ups, a turn link) still go
// through `Encodable`, field by field:
// `CanonicalWritingTests` holds the result to the `Encodable` bytes.

extension CanonicalWriter {
    /// A probe's messages (and its content hash's), written where they lie in the array, each by
    /// its own `write` (the generic array `field` is not specialised across modules).
    mutating func messages(_ messages: [ChatMessage]) {
        key("messages")
        beginArray()
        for index in messages.indices { messages[index].write(to: &self) }
        endArray()
    }

    /// A list of strings (a probe's tags, its terms); nil writes nothing.
    mutating func strings(_ name: StaticString, _ values: [String]?) {
        guard let values else { return }
        key(name)
        beginArray()
        for index in values.indices { value(values[index]) }
        endArray()
    }

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
        writer.messages(messages)
        try writer.parameters(parameters)
        writer.field("repeatCount", repeatCount)
        writer.field("stream", stream.rawValue)
        writer.strings("tags", tags)
        writer.strings("terms", terms)
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
