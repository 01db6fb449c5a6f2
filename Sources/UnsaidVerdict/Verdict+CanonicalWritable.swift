import UnsaidSuite
import UnsaidSupport

// A verdict is written once per probe in `run` and once per record in `rescore`; through
// `Encodable` it cost 1.5% and 3% of them. These write exactly the fields the synthesized
// `Encodable` conformances write, nil optionals left out, in JCS key order (byte order of these
// ASCII names). `VerdictWritingTests` holds them to the `Encodable` bytes.
//
// No field goes through `CanonicalWriter`'s generic forms: they are generic across modules (not
// specialised), so each call looked the type up at run time — for an enum through
// `RawRepresentable`, for a span or the key through `Optional<T>`'s metadata. The enums are
// written as their raw values, spans and evidence by their own `write`, called directly.

extension CanonicalWriter {
    /// A span field, left out when nil, as `field` writes one but without the generic call.
    fileprivate mutating func span(_ name: StaticString, _ span: TextSpan?) {
        guard let span else { return }
        key(name)
        span.write(to: &self)
    }
}

extension TextSpan: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("end", end)
        writer.field("start", start)
        writer.field("text", text)
        writer.endObject()
    }
}

extension Evidence: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("confidence", confidence)
        writer.field("event", event)
        writer.field("layer", layer?.rawValue)
        writer.field("note", note)
        writer.span("replacement", replacement)
        writer.field("rule", rule)
        writer.span("span", span)
        writer.span("withdrawn", withdrawn)
        writer.endObject()
    }
}

extension Verdict: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) {
        writer.beginObject()
        writer.field("attempt", attempt)
        writer.field("decidedBy", decidedBy?.rawValue)
        writer.key("evidence")
        writer.beginArray()
        // Read where each lies (through the subscript), not copied out by a `for … in`.
        for index in evidence.indices { evidence[index].write(to: &writer) }
        writer.endArray()
        writer.field("expect", expect.rawValue)
        writer.key("flags")
        writer.beginArray()
        for flag in flags { writer.value(flag.wire) }
        writer.endArray()
        writer.key("key")
        key.write(to: &writer)
        writer.field("outcome", outcome.rawValue)
        writer.field("ruleset", ruleset)
        writer.field("verdict", verdict.rawValue)
        writer.endObject()
    }
}
