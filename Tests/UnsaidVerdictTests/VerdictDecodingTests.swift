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
    /// Every checked-in fixture verdict, then generated ones, as canonical lines.
    static func generated() throws -> [Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: VerdictWritingTests.fixtures.path)
            .filter { $0.hasSuffix(".verdict.json") }.sorted()
        let fixtures = try names.map { name in
            try JSONDecoder().decode(
                Verdict.self, from: Data(contentsOf: VerdictWritingTests.fixtures.appendingPathComponent(name)))
        }
        return try (fixtures + VerdictWritingTests.generated(count: 300, seed: 0xDEC0_DE)).map {
            try CanonicalJSON.encode($0)
        }
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
