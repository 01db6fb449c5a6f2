import UnsaidSuite
import UnsaidSupport

// A verdict is written once per probe in `run` and once per record in `rescore`; through
// `Encodable` it cost 1.5% and 3% of them. These write exactly the fields the synthesized
// `Encodable` conformances write, nil optionals left out, in JCS key order (byte order of these
// ASCII names). `VerdictWritingTests` holds them to the `Encodable` bytes.

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
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.field("confidence", confidence)
        writer.field("event", event)
        writer.field("layer", layer)
        writer.field("note", note)
        try writer.field("replacement", replacement)
        writer.field("rule", rule)
        try writer.field("span", span)
        try writer.field("withdrawn", withdrawn)
        writer.endObject()
    }
}

extension Verdict: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.field("attempt", attempt)
        writer.field("decidedBy", decidedBy)
        try writer.field("evidence", evidence)
        writer.field("expect", expect)
        writer.key("flags")
        writer.beginArray()
        for flag in flags { writer.value(flag.wire) }
        writer.endArray()
        try writer.field("key", key)
        writer.field("outcome", outcome)
        writer.field("ruleset", ruleset)
        writer.field("verdict", verdict)
        writer.endObject()
    }
}
