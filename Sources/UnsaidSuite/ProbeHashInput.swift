import UnsaidSupport

/// What a probe's content hash is taken over (see `Probe.contentHash`): its messages and sampling
/// parameters, its transform's identity, and for a follow-up turn the parent's hash and the turn's
/// text in place of the messages. Its synthesized `Encodable` conformance defines the bytes hashed.
package struct ProbeHashInput: Encodable {
    package struct Turn: Encodable {
        var parent: String
        var turn: Int
        var text: String
        var answer: PriorAnswer
    }

    package struct Transform: Encodable {
        var name: String
        var version: Int
        var argument: String?
    }

    var messages: [ChatMessage]
    var parameters: GenerationParameters
    var transform: Transform?
    var turn: Turn?

    package init(_ probe: Probe) {
        messages = probe.messages
        parameters = probe.parameters
        transform = probe.transform.map { Transform(name: $0.name, version: $0.version, argument: $0.argument) }
        // A follow-up turn's messages hold the model's previous answer, which differs from run to
        // run; its identity is what the suite wrote: the parent's hash and this turn's text.
        if let link = probe.turn, let followUp = probe.followUps?[safe: link.turn - 2] {
            messages = []
            turn = Turn(parent: link.parentHash, turn: link.turn, text: followUp.text, answer: followUp.answer)
        }
    }
}

// Every probe of a run is hashed when the run is planned; through `Encodable` that was most of
// planning (a node, a key string and an array entry for each field). Written directly, exactly
// the fields `Encodable` writes, nil optionals left out, in JCS key order (byte order of these
// ASCII names); the rare follow-up turn and floating-point parameters still go through
// `Encodable` (and a non-finite one declines, so its error is `Encodable`'s). Held to the
// `Encodable` bytes by `CanonicalWritingTests.generatedProbesHashTheEncodableBytes`.
extension ProbeHashInput: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.messages(messages)
        try writer.parameters(parameters)
        if let transform {
            writer.key("transform")
            writer.beginObject()
            writer.field("argument", transform.argument)
            writer.field("name", transform.name)
            writer.field("version", transform.version)
            writer.endObject()
        }
        if let turn { try writer.encodedField("turn", turn) }
        writer.endObject()
    }

    package var canonicalSizeHint: Int {
        messages.reduce(256) { $0 + 2 * $1.content.utf8.count + 32 }
    }
}
