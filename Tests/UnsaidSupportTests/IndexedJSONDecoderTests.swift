import Foundation
import Testing
@testable import UnsaidSupport

/// `IndexedJSONDecoder` against Foundation's `JSONDecoder`, which stays the authority: whenever the
/// indexed decoder returns a value, `JSONDecoder` must return the same one. Where the indexed decoder
/// is documented to decline, it must return nil, so that `CanonicalJSON.decode` asks `JSONDecoder`.
@Suite struct IndexedJSONDecoderTests {
    /// Why the two decoders disagree, or nil when the indexed one declined or gave the same value.
    static func disagreement<T: Decodable & Equatable>(
        _ type: T.Type, _ data: Data, userInfo: [CodingUserInfoKey: Bool] = [:]
    ) -> String? {
        guard let indexed = IndexedJSONDecoder.decode(type, from: data, userInfo: userInfo) else { return nil }
        let decoder = JSONDecoder()
        for (key, value) in userInfo { decoder.userInfo[key] = value }
        do {
            let foundation = try decoder.decode(type, from: data)
            return foundation == indexed ? nil : "values differ: \(indexed) vs \(foundation)"
        } catch {
            return "only the indexed decoder accepts it (JSONDecoder: \(error))"
        }
    }

    // MARK: - Every JSON text of the project, as JSONValue

    @Test func everyProjectJSONTextDecodesAsFoundationDoes() throws {
        var checked = 0
        var handled = 0
        var problems: [String] = []
        for file in JSONParserDifferentialTests.projectFiles() {
            for (label, document) in try JSONParserDifferentialTests.documents(in: file) {
                guard (try? JSONDecoder().decode(JSONValue.self, from: document)) != nil else { continue }
                checked += 1
                if IndexedJSONDecoder.decode(JSONValue.self, from: document) != nil { handled += 1 }
                if let problem = Self.disagreement(JSONValue.self, document) { problems.append("\(label): \(problem)") }
            }
        }
        #expect(checked > 500, "only \(checked) documents")
        #expect(problems.isEmpty, "\(problems.count) disagreements:\n\(problems.prefix(20).joined(separator: "\n"))")
        // The fast path must be the usual path, not a decoder that always declines.
        #expect(handled * 10 >= checked * 9, "the indexed decoder read only \(handled) of \(checked) documents")
    }

    // MARK: - Values it reads, exactly as JSONDecoder

    struct Event: Codable, Equatable {
        var index: Int
        var t: Int64
        var content: String?
        var done: Bool?
        var ratio: Double?
        var tags: [String]?
        var extra: [String: JSONValue]?
        var small: Int8?
        var unsigned: UInt64?
    }

    static let readCases: [String] = [
        #"{"index":0,"t":12}"#,
        #"{"index":-0,"t":-9223372036854775808,"content":null}"#,
        #"{"t":9223372036854775807,"index":1,"content":"a\"b\\c\/d\b\f\n\r\tе中😀","done":true}"#,
        #"{"index":1,"t":2,"content":"\u00e9\u4E2D\ud83d\ude00\u0000","done":false}"#,
        #"{"index":1,"t":2,"ratio":1.5,"tags":["x","",  "z"],"small":-128,"unsigned":18446744073709551615}"#,
        #"{"index":1,"t":2,"ratio":12,"extra":{"a":[1,2.5,"s",null,true,{"b":{}}],"c":-0.001,"d":1e-3}}"#,
        #" { "index" : 1 , "t" : 2 , "unknown" : { "deep" : [ [ ] ] } }  "#,
        // a repeated key: JSONDecoder reads the first one, and so does the indexed decoder
        #"{"index":1,"index":2,"t":3}"#,
        #"{"index":1,"t":2,"ratio":4.9e-324}"#,
        #"{"index":1,"t":2,"ratio":1.7976931348623157e308}"#,
    ]

    @Test(arguments: readCases)
    func readsAsFoundation(text: String) throws {
        let data = Data(text.utf8)
        let indexed = try #require(IndexedJSONDecoder.decode(Event.self, from: data), "declined \(text)")
        #expect(indexed == (try JSONDecoder().decode(Event.self, from: data)))
    }

    @Test func readsFragmentsAndArraysOfOptionals() throws {
        #expect(IndexedJSONDecoder.decode(String.self, from: Data(#""x""#.utf8)) == "x")
        #expect(IndexedJSONDecoder.decode([Int?].self, from: Data("[1,null,3]".utf8)) == [1, nil, 3])
        #expect(
            IndexedJSONDecoder.decode([[Bool]].self, from: Data("[[true],[],[false,true]]".utf8)) == [
                [true], [], [false, true],
            ])
        let nested = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(IndexedJSONDecoder.decode(JSONValue.self, from: Data(nested.utf8)) != nil)
    }

    @Test func passesUserInfoToTheTypes() throws {
        struct Reader: Decodable, Equatable {
            var sawOption: Bool
            static let option = CodingUserInfoKey(rawValue: "test.option")!
            init(from decoder: any Decoder) throws { sawOption = decoder.userInfo[Self.option] as? Bool == true }
        }
        #expect(
            IndexedJSONDecoder.decode(Reader.self, from: Data("{}".utf8), userInfo: [Reader.option: true])?.sawOption
                == true)
        #expect(IndexedJSONDecoder.decode(Reader.self, from: Data("{}".utf8))?.sawOption == false)
    }

    // MARK: - Where it declines, leaving the value to JSONDecoder

    static let declinedCases: [(String, String)] = [
        ("a fraction with a whole value asked as an integer (JSONDecoder converts it)", #"{"a":1.0}"#),
        ("an exponent asked as an integer", #"{"a":1e2}"#),
        ("zero written as a fraction", #"{"a":0.0}"#),
        ("an integer beyond Int64", #"{"a":9223372036854775808}"#),
        ("a double that overflows", #"{"a":1e400}"#),
        ("a double that underflows to zero", #"{"a":1e-400}"#),
        ("a lone high surrogate", #"{"a":"\ud83d"}"#),
        ("a lone low surrogate", #"{"a":"\ude00x"}"#),
        ("a repeated key when all keys are listed", #"{"a":1,"a":2}"#),
        ("a key with an escape", #"{"\u0061":1}"#),
        ("a non-ASCII key (JSONDecoder compares canonically: K is K)", "{\"\u{212A}\":1}"),
        ("a non-ASCII key past the first eight bytes", "{\"abcdefghijklmno\u{212A}\":1}"),
        ("a trailing comma, which JSONDecoder accepts", #"{"a":[1,]}"#),
        ("a byte order mark", "\u{FEFF}{\"a\":1}"),
        ("nesting beyond the limit", String(repeating: "[", count: 600) + String(repeating: "]", count: 600)),
        ("not JSON at all", "{a:1}"),
        ("a control character in a string", "{\"a\":\"x\ty\"}"),
    ]

    @Test(arguments: declinedCases)
    func declines(why: String, text: String) {
        let data = Data(text.utf8)
        #expect(IndexedJSONDecoder.decode(JSONValue.self, from: data) == nil, "\(why)")
        #expect(IndexedJSONDecoder.decode([String: JSONValue].self, from: data) == nil, "\(why)")
        // And the public entry point still answers exactly as JSONDecoder does.
        let canonical = try? CanonicalJSON.decode(JSONValue.self, from: data)
        #expect(canonical == (try? JSONDecoder().decode(JSONValue.self, from: data)), "\(why)")
    }

    @Test func declinesKeysItCannotMatchByteForByte() throws {
        struct Keyed: Decodable, Equatable { var a: Int }
        // JSONDecoder reads `\u0061` as the key `a`; matching bytes would miss it.
        #expect(IndexedJSONDecoder.decode(Keyed.self, from: Data(#"{"\u0061":1}"#.utf8)) == nil)
        #expect((try CanonicalJSON.decode(Keyed.self, from: Data(#"{"\u0061":1}"#.utf8))) == Keyed(a: 1))
        // Kelvin sign (U+212A) is canonically equivalent to "K", so JSONDecoder finds it under "K".
        struct Kelvin: Decodable, Equatable {
            var value: Int
            enum CodingKeys: String, CodingKey { case value = "K" }
        }
        let kelvin = Data("{\"\u{212A}\":7}".utf8)
        #expect(IndexedJSONDecoder.decode(Kelvin.self, from: kelvin) == nil)
        #expect(
            (try? CanonicalJSON.decode(Kelvin.self, from: kelvin))
                == (try? JSONDecoder().decode(Kelvin.self, from: kelvin)))
    }

    @Test func declinesTypesFoundationDecodesItsOwnWay() throws {
        struct Dated: Decodable { var when: Date }
        struct Located: Decodable { var url: URL }
        struct Blob: Decodable { var data: Data }
        struct Small: Decodable { var f: Float }
        #expect(IndexedJSONDecoder.decode(Dated.self, from: Data(#"{"when":12.5}"#.utf8)) == nil)
        #expect(IndexedJSONDecoder.decode(Located.self, from: Data(#"{"url":"https://example.com"}"#.utf8)) == nil)
        #expect(IndexedJSONDecoder.decode(Blob.self, from: Data(#"{"data":"AAE="}"#.utf8)) == nil)
        #expect(IndexedJSONDecoder.decode(Small.self, from: Data(#"{"f":1.5}"#.utf8)) == nil)
        #expect(
            (try CanonicalJSON.decode(Dated.self, from: Data(#"{"when":12.5}"#.utf8))).when
                .timeIntervalSinceReferenceDate == 12.5)
    }

    @Test func declinesIntegersThatDoNotFitTheirType() {
        struct Narrow: Decodable { var small: Int8?; var unsigned: UInt?; var int: Int? }
        for text in [#"{"small":128}"#, #"{"small":-129}"#, #"{"unsigned":-1}"#, #"{"int":1.0}"#] {
            #expect(IndexedJSONDecoder.decode(Narrow.self, from: Data(text.utf8)) == nil, "\(text)")
        }
    }

    /// A give-up sticks even when the type swallows the error: `JSONValue` tries `Int64` first with
    /// `try?`, and `JSONDecoder` reads `1.0` as the integer 1 where reading on would give a double.
    @Test func aSwallowedGiveUpStillDeclines() throws {
        #expect(IndexedJSONDecoder.decode(JSONValue.self, from: Data("1.0".utf8)) == nil)
        #expect((try CanonicalJSON.decode(JSONValue.self, from: Data("1.0".utf8))) == .int(1))
        // A fraction that is not whole is refused as an integer by both, so it reads as a double here.
        #expect(IndexedJSONDecoder.decode(JSONValue.self, from: Data("1.5".utf8)) == .double(1.5))
    }

    @Test func errorsAreFoundations() {
        struct Needs: Decodable { var a: Int }
        #expect {
            try CanonicalJSON.decode(Needs.self, from: Data(#"{"b":1}"#.utf8))
        } throws: { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return false }
            return key.stringValue == "a"
        }
    }

    /// Strings are scanned eight bytes at a time: a special byte at any offset within or across
    /// words must be seen, and a plain one must not stop the string.
    @Test func specialBytesAreSeenAtEveryOffset() {
        let plain = "abcdefghijklmnopqrstuvwxyz0123456789"
        for offset in 0..<26 {
            let head = String(plain.prefix(offset))
            let tail = String(plain.dropFirst(offset).prefix(10))
            for (inserted, expected) in [
                (#"\n"#, "\n"), (#"\""#, "\""), (#"\\"#, "\\"), (#"\u00e9"#, "é"), ("é", "é"), ("中", "中"),
                ("\u{7F}", "\u{7F}"), ("~", "~"), (" ", " "),
            ] {
                let text = #"""# + head + inserted + tail + #"""#
                #expect(
                    IndexedJSONDecoder.decode(String.self, from: Data(text.utf8)) == head + expected + tail,
                    "\(text)")
            }
            for control in [0x00, 0x01, 0x09, 0x0A, 0x1F] as [UInt8] {
                let bytes = [0x22] + Array(head.utf8) + [control] + Array(tail.utf8) + [0x22]
                #expect(
                    IndexedJSONDecoder.decode(String.self, from: Data(bytes)) == nil, "control \(control) at \(offset)")
            }
            // An unescaped quote ends the string early, so what follows is not JSON.
            let early = #"""# + head + #"""# + tail + #"""#
            #expect(IndexedJSONDecoder.decode(String.self, from: Data(early.utf8)) == nil)
        }
    }

    /// Archived chunks are escaped JSON, a backslash every few bytes, and the scan handles every
    /// flagged byte of a word from one load: escapes of each kind, raw and escaped non-ASCII text,
    /// at every alignment and run into the next word, must read as `JSONDecoder` reads them.
    @Test func escapeDenseStringsReadAsFoundationReadsThem() throws {
        let pieces = [
            #"\""#, #"\\"#, #"\/"#, #"\n"#, #"\t"#, #"\b"#, #"\f"#, #"\r"#, #"\u00e9"#, #"\u4E2D"#,
            #"\ud83d\ude00"#, "é", "中", "😀", " ", "a", "bc", "defghij", "klmnopqrstu", "{", ":",
        ]
        var generator = SplitMix64(seed: 0xE5C4)
        for round in 0..<2_000 {
            var chosen: [String] = []
            for _ in 0..<Int(generator.next() % 24) {
                chosen.append(pieces[Int(generator.next() % UInt64(pieces.count))])
            }
            let text = chosen.joined()
            let padding = String(repeating: " ", count: round % 9)
            let document = Data((padding + #"{"k":""# + text + #"","after":"é"}"#).utf8)
            guard IndexedJSONDecoder.decode([String: String].self, from: document) != nil else {
                Issue.record("declined a valid string: \(text)")
                continue
            }
            if let problem = Self.disagreement([String: String].self, document) {
                Issue.record("\(text): \(problem)")
            }
            // An invalid escape or raw control character between any two pieces must stop the read.
            let bad = [#"\x"#, #"\u12G4"#, #"\'"#, "\u{01}", "\u{1F}", "\n"]
            chosen.insert(
                bad[Int(generator.next() % UInt64(bad.count))], at: Int(generator.next() % UInt64(chosen.count + 1)))
            let broken = Data((padding + #"{"k":""# + chosen.joined() + #""}"#).utf8)
            #expect(IndexedJSONDecoder.decode([String: String].self, from: broken) == nil, "\(chosen)")
        }
    }

    /// A key's flags cover the key only: non-ASCII text after its closing quote, in the same word,
    /// must not make it look like a key that has to go to `JSONDecoder`.
    @Test func nonASCIIAfterAClosingQuoteStaysOutOfTheString() throws {
        for length in 1...12 {
            for padding in 0..<8 {
                let key = String(repeating: "k", count: length)
                let document = Data((String(repeating: " ", count: padding) + #"{""# + key + #"":"éé中"}"#).utf8)
                #expect(
                    IndexedJSONDecoder.decode([String: String].self, from: document) == [key: "éé中"],
                    "key of \(length) after \(padding) spaces")
            }
        }
    }

    // MARK: - Mutated documents

    /// Single-byte edits of a document: wherever the indexed decoder still reads a value,
    /// JSONDecoder must read the same one.
    @Test func mutatedDocumentsNeverReadDifferently() throws {
        let base = Data(
            #"{"index":3,"t":1234,"content":"a \"quoted\" \u00e9 text\n","done":true,"ratio":0.25,"tags":["a","b"],"extra":{"n":[1,2.5,null],"s":"x"},"small":5,"unsigned":7}"#
                .utf8)
        let replacements = Array(#"{}[],:"\0a-1.eEu+ "#.utf8) + [0x00, 0xC3, 0xFF]
        var generator = SplitMix64(seed: 0x5EED)
        var handled = 0
        for _ in 0..<3_000 {
            var bytes = [UInt8](base)
            let position = Int(generator.next() % UInt64(bytes.count))
            switch generator.next() % 3 {
            case 0: bytes[position] = replacements[Int(generator.next() % UInt64(replacements.count))]
            case 1: bytes.remove(at: position)
            default: bytes.insert(replacements[Int(generator.next() % UInt64(replacements.count))], at: position)
            }
            let data = Data(bytes)
            if IndexedJSONDecoder.decode(Event.self, from: data) != nil { handled += 1 }
            if let problem = Self.disagreement(Event.self, data) {
                Issue.record("\(String(decoding: bytes, as: UTF8.self)): \(problem)")
            }
            if let problem = Self.disagreement(JSONValue.self, data) {
                Issue.record("as JSONValue \(String(decoding: bytes, as: UTF8.self)): \(problem)")
            }
        }
        // Many edits leave a valid event (a changed digit or letter); those must have been read.
        #expect(handled > 300, "only \(handled) mutations were read by the indexed decoder")
    }
}
