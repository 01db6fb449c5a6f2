import UnsaidSuite
import UnsaidSupport

// Verdict files are read back whole by `rescore` (the recorded verdicts), by the end of a run
// (`ArchiveScoring.finalise`) and by reports. Through `Codable`'s keyed containers each of a
// verdict's fields was a search through its keys behind several generic boxes, and each enum a
// decoder of its own (~70,000 instructions a verdict); here each field present is looked at
// once (see `IndexedFieldDecodable`), reading exactly what the synthesized `init(from:)` reads.
// `VerdictDecodingTests` compares the two.

extension Verdict: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var key: WorkKey?
        var verdict: VerdictLabel?
        var flags: [VerdictFlag]?
        var evidence: [Evidence]?
        var attempt: Int?
        var expect: Expectation?
        var outcome: Outcome?
        var ruleset: String?
        var decidedBy: DetectorLayer?
        while let field = try fields.next() {
            if field.is("attempt") {
                attempt = try field.int()
            } else if field.is("decidedBy") {
                decidedBy = try field.enumIfNotNull(DetectorLayer.self)
            } else if field.is("evidence") {
                evidence = try field.decodeIfNotNull([Evidence].self)
            } else if field.is("expect") {
                expect = try field.enumIfNotNull(Expectation.self)
            } else if field.is("flags") {
                flags = try field.decodeIfNotNull([String].self)?.map(VerdictFlag.init(wire:))
            } else if field.is("key") {
                key = try field.decodeIfNotNull(WorkKey.self)
            } else if field.is("outcome") {
                outcome = try field.enumIfNotNull(Outcome.self)
            } else if field.is("ruleset") {
                ruleset = try field.stringIfNotNull()
            } else if field.is("verdict") {
                verdict = try field.enumIfNotNull(VerdictLabel.self)
            }
        }
        guard let key, let verdict, let flags, let evidence, let attempt, let expect, let outcome, let ruleset else {
            throw fields.missing()
        }
        self.init(
            key: key, verdict: verdict, flags: flags, evidence: evidence, attempt: attempt, expect: expect,
            outcome: outcome, ruleset: ruleset, decidedBy: decidedBy)
    }
}

extension Evidence: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var rule: String?
        var note: String?
        var event: Int?
        var span: TextSpan?
        var withdrawn: TextSpan?
        var replacement: TextSpan?
        var layer: DetectorLayer?
        var confidence: Int?
        while let field = try fields.next() {
            if field.is("confidence") {
                confidence = try field.intIfNotNull()
            } else if field.is("event") {
                event = try field.intIfNotNull()
            } else if field.is("layer") {
                layer = try field.enumIfNotNull(DetectorLayer.self)
            } else if field.is("note") {
                note = try field.stringIfNotNull()
            } else if field.is("replacement") {
                replacement = try field.decodeIfNotNull(TextSpan.self)
            } else if field.is("rule") {
                rule = try field.stringIfNotNull()
            } else if field.is("span") {
                span = try field.decodeIfNotNull(TextSpan.self)
            } else if field.is("withdrawn") {
                withdrawn = try field.decodeIfNotNull(TextSpan.self)
            }
        }
        guard let rule, let note else { throw fields.missing() }
        self.init(
            rule: rule, note: note, event: event, span: span, withdrawn: withdrawn, replacement: replacement,
            layer: layer, confidence: confidence)
    }
}

extension TextSpan: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var start: Int?
        var end: Int?
        var text: String?
        while let field = try fields.next() {
            if field.is("end") {
                end = try field.int()
            } else if field.is("start") {
                start = try field.int()
            } else if field.is("text") {
                text = try field.stringIfNotNull()
            }
        }
        guard let start, let end, let text else { throw fields.missing() }
        self.init(start: start, end: end, text: text)
    }
}
