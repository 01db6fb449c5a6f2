import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite

@Suite struct JSONParserTests {
    @Test func nestedDocument() {
        let text = #" { "a": [1, -2.5, true, false, null, "x"], "b": {"c": {}}, "d": [] } "#
        #expect(
            JSONParser.parse(text)
                == .object([
                    "a": .array([.int(1), .double(-2.5), .bool(true), .bool(false), .null, .string("x")]),
                    "b": .object(["c": .object([:])]),
                    "d": .array([]),
                ]))
    }

    @Test func numbers() {
        #expect(JSONParser.parse("0") == .int(0))
        #expect(JSONParser.parse("-0") == .int(0))
        #expect(JSONParser.parse("1795409338") == .int(1_795_409_338))
        #expect(JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        #expect(JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(JSONParser.parse("41.5") == .double(41.5))
        #expect(JSONParser.parse("1.0") == .double(1))
        #expect(JSONParser.parse("2e3") == .double(2000))
        #expect(JSONParser.parse("-1.5E-2") == .double(-0.015))
    }

    @Test(arguments: ["01", "1.", ".5", "+1", "-", "1e", "1e+", "1e999", "--1", "0x10"])
    func invalidNumbers(text: String) {
        #expect(JSONParser.parse(text) == nil)
    }

    @Test func stringEscapes() {
        #expect(JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(JSONParser.parse(#""\u4e2d\u6587 \uD55C""#) == .string("中文 한"))
        #expect(JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(JSONParser.parse(#""x\ud83dy""#) == .string("x\u{FFFD}y"))
        #expect(JSONParser.parse(#""\ude00""#) == .string("\u{FFFD}"))
        #expect(JSONParser.parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
        #expect(JSONParser.parse("\"中文 한국어\"") == .string("中文 한국어"))
    }

    @Test(arguments: ["\"abc", "\"a\nb\"", #""\x""#, #""\u12""#, #""\u12G4""#, "\"a\\"])
    func invalidStrings(text: String) {
        #expect(JSONParser.parse(text) == nil)
    }

    @Test(arguments: [
        "", "   ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "tru", "nul",
        "{} x", "[] []", "{\"a\":1}}", "'a'", "True",
    ])
    func invalidDocuments(text: String) {
        #expect(JSONParser.parse(text) == nil)
    }

    @Test func duplicateKeysKeepTheLast() {
        #expect(JSONParser.parse(#"{"a":1,"a":2}"#) == .object(["a": .int(2)]))
    }

    @Test func depthIsLimited() {
        let fine = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(JSONParser.parse(fine) != nil)
        #expect(JSONParser.parse(tooDeep) == nil)
    }

    @Test func acceptsByteCollections() {
        #expect(JSONParser.parse(Data("[1]".utf8)) == .array([.int(1)]))
        #expect(JSONParser.parse(AnyCollection(Array("[2]".utf8))) == .array([.int(2)]))
    }
}
