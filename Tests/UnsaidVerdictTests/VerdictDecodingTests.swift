import Foundation
import Testing
import UnsaidTestSupport
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidVerdict

/// Verdicts, their evidence and spans are read in one pass over their fields
/// (`IndexedFieldDecodable`) by `CanonicalJSON.decode`; `JSONDecoder` stays the reference: every
/// checked-in fixture verdict, generated verdicts with each optional set and unset, single-byte
/// edits of them, and the rules of `Codable`'s reading case by case.
@Suite struct VerdictDecodingTests {
    static func generated() throws -> [Data] {
        var random = SplitMix64(seed: 0xDEC0_DE)
        let texts = ["", "plain", "quote \" and \\ backslash", "line\nbreak\u{1}", "中文 😀", "\u{2028}"]
        func text() -> String { texts[Int(random.next() % UInt64(texts.count))] }
        func maybe<T>(_ value: T) -> T? { random.next() % 2 == 0 ? value : nil }
        func span() -> TextSpan {
            TextSpan(start: Int(random.next() % 100), end: Int(random.next() % 200), text: text())
        }
        let flags = VerdictFlag.Kind.allCases.map(\.example) + [.unknown("from a newer \"archive\"")]
        var lines: [Data] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: VerdictWritingTests.fixtures.path)
            .filter { $0.hasSuffix(".verdict.json") }.sorted()
        for name in names {
            let verdict = try JSONDecoder().decode(
                Verdict.self, from: Data(contentsOf: VerdictWritingTests.fixtures.appendingPathComponent(name)))
            lines.append(try CanonicalJSON.encode(verdict))
        }
        for index in 0..<300 {
            let evidence = (0..<Int(random.next() % 4)).map { _ in
                Evidence(
                    rule: text(), note: text(), event: maybe(Int(random.next() % 300)), span: maybe(span()),
                    withdrawn: maybe(span()), replacement: maybe(span()),
                    layer: maybe(DetectorLayer.allCases[Int(random.next() % 4)]),
                    confidence: maybe(Int(random.next() % 1001)))
            }
            let verdict = Verdict(
                key: WorkKey(
                    suite: text(), probe: "p\(index)", probeHash: text(), sample: Int(random.next() % 3),
                    streamed: random.next() % 2 == 0),
                verdict: VerdictLabel.allCases[Int(random.next() % UInt64(VerdictLabel.allCases.count))],
                flags: (0..<Int(random.next() % 3)).map { _ in flags[Int(random.next() % UInt64(flags.count))] },
                evidence: evidence, attempt: Int(random.next() % 3),
                expect: Expectation.allCases[Int(random.next() % UInt64(Expectation.allCases.count))],
                outcome: [Outcome.pass, .fail, .unscored][Int(random.next() % 3)], ruleset: text(),
                decidedBy: maybe(DetectorLayer.allCases[Int(random.next() % 4)]))
            lines.append(try CanonicalJSON.encode(verdict))
        }
        return lines
    }

    @Test func verdictsReadAsFoundationReadsThem() throws {
        let lines = try Self.generated()
        #expect(lines.count > 330)
        for line in lines {
            let foundation = try JSONDecoder().decode(Verdict.self, from: line)
            let indexed = try #require(IndexedJSONDecoder.decode(Verdict.self, from: line))
            #expect(indexed == foundation, "\(String(decoding: line, as: UTF8.self).prefix(300))")
        }
    }

    /// Single-byte edits: a verdict the indexed decoder still reads must read the same through
    /// `JSONDecoder`; one it declines goes to `JSONDecoder` anyway.
    @Test func mutatedVerdictsNeverReadDifferently() throws {
        var handled = 0
        for edit in SingleByteEdit.drawn(from: try Self.generated(), count: 4_000, seed: 0x5EED_0F) {
            let line = edit.line
            guard let indexed = IndexedJSONDecoder.decode(Verdict.self, from: line) else { continue }
            handled += 1
            #expect(
                (try? JSONDecoder().decode(Verdict.self, from: line)) == indexed,
                "\(String(decoding: line, as: UTF8.self).prefix(300))")
        }
        #expect(handled > 1_000, "only \(handled) mutated verdicts were read by the indexed decoder")
    }

    static let key = #"{"probe":"p","probeHash":"h","sample":0,"streamed":true,"suite":"s"}"#
    static func verdict(_ fields: String) -> String {
        #"{"attempt":0,"expect":"any","key":"# + key + #","outcome":"unscored","ruleset":"1""# + fields + "}"
    }

    static let cases: [(String, String, Bool)] = [
        ("the least", verdict(#","evidence":[],"flags":[],"verdict":"answered""#), true),
        (
            "every field",
            verdict(
                #","decidedBy":"wire","evidence":[{"confidence":3,"event":1,"layer":"phrase","note":"n","replacement":{"end":2,"start":1,"text":"t"},"rule":"r","span":{"end":2,"start":1,"text":"t"},"withdrawn":{"end":2,"start":1,"text":"t"}}],"flags":["stream_cut","no_such_flag(x)"],"verdict":"retracted""#
            ), true
        ),
        (
            "null optionals",
            verdict(
                #","decidedBy":null,"evidence":[{"event":null,"note":"n","rule":"r","span":null}],"flags":[],"verdict":"answered""#
            ), true
        ),
        (
            "a repeated key keeps its first value",
            verdict(#","evidence":[],"flags":[],"verdict":"answered","verdict":"refused""#), true
        ),
        (
            "unknown keys are ignored",
            verdict(#","evidence":[{"note":"n","rule":"r","zz":[1]}],"flags":[],"verdict":"answered","Verdict":3"#),
            true
        ),
        ("an unknown label", verdict(#","evidence":[],"flags":[],"verdict":"maybe""#), false),
        ("an unknown layer", verdict(#","decidedBy":"oracle","evidence":[],"flags":[],"verdict":"answered""#), false),
        (
            "an unknown expectation",
            #"{"attempt":0,"evidence":[],"expect":"some","flags":[],"key":"# + key
                + #","outcome":"unscored","ruleset":"1","verdict":"answered"}"#, false
        ),
        ("a label that is not a string", verdict(#","evidence":[],"flags":[],"verdict":1"#), false),
        ("a null flag", verdict(#","evidence":[],"flags":[null],"verdict":"answered""#), false),
        ("null flags", verdict(#","evidence":[],"flags":null,"verdict":"answered""#), false),
        ("missing evidence", verdict(#","flags":[],"verdict":"answered""#), false),
        ("evidence without a note", verdict(#","evidence":[{"rule":"r"}],"flags":[],"verdict":"answered""#), false),
        (
            "a span without text",
            verdict(
                #","evidence":[{"note":"n","rule":"r","span":{"end":2,"start":1}}],"flags":[],"verdict":"answered""#),
            false
        ),
        (
            "a fractional attempt",
            #"{"attempt":0.5,"evidence":[],"expect":"any","flags":[],"key":"# + key
                + #","outcome":"unscored","ruleset":"1","verdict":"answered"}"#, false
        ),
    ]

    @Test(arguments: cases)
    func verdictFieldsReadAsCodableReadsThem(why: String, text: String, readable: Bool) throws {
        let data = Data(text.utf8)
        let foundation = try? JSONDecoder().decode(Verdict.self, from: data)
        #expect((foundation != nil) == readable, "\(why): JSONDecoder")
        #expect(IndexedJSONDecoder.decode(Verdict.self, from: data) == foundation, "\(why)")
    }
}
