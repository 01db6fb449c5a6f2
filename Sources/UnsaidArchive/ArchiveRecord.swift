import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript

/// One line of `transcripts.jsonl`: a transcript with the probe it answers, linked to the line
/// before it by SHA-256. The hash of a record is the SHA-256 of its line's bytes (without the
/// newline), and the next record's `prev` must equal it, so removing, reordering or editing any
/// line breaks the chain.
package struct TranscriptRecord: Codable, Sendable, Equatable {
    /// 1-based position in the file.
    package var seq: Int
    /// Hash of the previous record's line; `ArchiveChain.genesis` for the first.
    package var prev: String
    /// The probe as it was sent (so verdicts can be re-derived without the suite files).
    package var probe: Probe
    package var transcript: Transcript

    package init(seq: Int, prev: String, probe: Probe, transcript: Transcript) {
        self.seq = seq
        self.prev = prev
        self.probe = probe
        self.transcript = transcript
    }
}

/// Read in one pass over the fields (see `IndexedFieldDecodable`), exactly as the synthesized
/// `init(from:)` reads them: every archive reader decodes one per line.
extension TranscriptRecord: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var seq: Int?
        var prev: String?
        var probe: Probe?
        var transcript: Transcript?
        while let field = try fields.next() {
            if field.is("prev") {
                prev = try field.stringIfNotNull()
            } else if field.is("probe") {
                probe = try field.decodeIfNotNull(Probe.self)
            } else if field.is("seq") {
                seq = try field.int()
            } else if field.is("transcript") {
                transcript = try field.decodeIfNotNull(Transcript.self)
            }
        }
        guard let seq, let prev, let probe, let transcript else { throw fields.missing() }
        self.init(seq: seq, prev: prev, probe: probe, transcript: transcript)
    }
}

package enum ArchiveChain {
    /// The `prev` of the first record: 64 zeros.
    package static let genesis = String(repeating: "0", count: 64)

    package static func hash(ofLine line: Data) -> String {
        SHA256Hex.digest(line)
    }

    /// The hash of a line's bytes without its newline, as written (no copy into a `Data`).
    package static func hash(ofLine line: ArraySlice<UInt8>) -> String {
        SHA256Hex.digest(line)
    }

    /// The same, of bytes where they lie (a line being written).
    package static func hash(ofLine line: UnsafeRawBufferPointer) -> String {
        SHA256Hex.digest(bytes: line)
    }
}

/// The transcript is written directly (see `CanonicalWritable`); the probe, small and varied,
/// through `Encodable`.
extension TranscriptRecord: CanonicalWritable {
    package func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined) {
        writer.beginObject()
        writer.field("prev", prev)
        writer.key("probe")
        try probe.write(to: &writer)
        writer.field("seq", seq)
        try writer.field("transcript", transcript)
        writer.endObject()
    }

    /// The transcript's hint, the probe's messages twice over, and room for the probe's fields.
    package var canonicalSizeHint: Int {
        transcript.canonicalSizeHint + probe.messages.reduce(4096) { $0 + 2 * $1.content.utf8.count + 32 }
    }
}
