import UnsaidSupport

/// Every archive record and verdict holds a key; read in one pass over its fields (see
/// `IndexedFieldDecodable`), exactly as the synthesized `init(from:)` reads it.
extension WorkKey: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var suite: String?
        var probe: String?
        var probeHash: String?
        var sample: Int?
        var streamed: Bool?
        while let field = try fields.next() {
            if field.is("probe") {
                probe = try field.stringIfNotNull()
            } else if field.is("probeHash") {
                probeHash = try field.stringIfNotNull()
            } else if field.is("sample") {
                sample = try field.int()
            } else if field.is("streamed") {
                streamed = try field.boolIfNotNull()
            } else if field.is("suite") {
                suite = try field.stringIfNotNull()
            }
        }
        guard let suite, let probe, let probeHash, let sample, let streamed else { throw fields.missing() }
        self.init(suite: suite, probe: probe, probeHash: probeHash, sample: sample, streamed: streamed)
    }
}
