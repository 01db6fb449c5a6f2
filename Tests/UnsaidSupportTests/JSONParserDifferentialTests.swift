import Foundation
import Testing
@testable import UnsaidSupport

/// `JSONParser` (Unsaid's one JSON reader) against Foundation's `JSONDecoder` and
/// `JSONSerialization` over every JSON text the project has: the fixtures, the SSE `data:` payloads
/// recorded inside them, the JSONL files, the bundled rules, the goldens, and hand-written edge
/// cases. Both must give the same value (numbers compared by value: `1.0` is `1`) or both reject,
/// except for the five differences listed in `deliberateDifferences`, each checked as documented.
@Suite struct JSONParserDifferentialTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What Foundation makes of a text: `JSONDecoder` into `JSONValue` (the value) and whether
    /// `JSONSerialization` accepts it (a second opinion on accept/reject).
    struct FoundationReading {
        var value: JSONValue?
        var serializationAccepts: Bool

        init(_ bytes: Data) {
            value = try? JSONDecoder().decode(JSONValue.self, from: bytes)
            serializationAccepts = (try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])) != nil
        }
    }

    /// Equal as JSON values: numbers by value (Foundation reads `1.0` as an integer, we as a double).
    static func same(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { same(value, $0) } ?? false }
        default: return left == right
        }
    }

    /// Why the two readers disagree, or nil when they agree.
    static func disagreement(_ bytes: Data) -> String? {
        let ours = JSONParser.parse(bytes)
        let foundation = FoundationReading(bytes)
        switch (ours, foundation.value) {
        case (nil, nil):
            return foundation.serializationAccepts ? "JSONSerialization accepts what both decoders reject" : nil
        case (let value?, nil):
            return "only JSONParser accepts it: \(value.compactDescription.prefix(80))"
        case (nil, let value?):
            return "only JSONDecoder accepts it: \(value.compactDescription.prefix(80))"
        case (let a?, let b?):
            if !same(a, b) {
                return "values differ: \(a.compactDescription.prefix(80)) vs \(b.compactDescription.prefix(80))"
            }
            return foundation.serializationAccepts ? nil : "JSONSerialization rejects what both decoders accept"
        }
    }

    // MARK: - The project's own JSON

    static func projectFiles() -> [URL] {
        let roots = ["Tests", "Probes", "Sources/UnsaidVerdict/Rules"].map {
            repository.appendingPathComponent($0)
        }
        var files: [URL] = []
        for root in roots {
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
                continue
            }
            for case let url as URL in walker where ["json", "jsonl"].contains(url.pathExtension) {
                files.append(url)
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Each file's documents: the whole file for `.json`, each line for `.jsonl`, plus every SSE
    /// `data:` payload found in a string anywhere inside (the providers' own chunks, as recorded).
    static func documents(in url: URL) throws -> [(String, Data)] {
        let data = try Data(contentsOf: url)
        let name = url.path.replacingOccurrences(of: repository.path + "/", with: "")
        var documents: [(String, Data)] = []
        if url.pathExtension == "jsonl" {
            for (index, line) in data.split(separator: 0x0A).enumerated() {
                documents.append(("\(name):\(index + 1)", Data(line)))
            }
        } else {
            documents.append((name, data))
        }
        for (label, document) in documents {
            guard let value = JSONParser.parse(document) else { continue }
            for (offset, payload) in ssePayloads(in: value).enumerated() {
                documents.append(("\(label) data #\(offset + 1)", Data(payload.utf8)))
            }
        }
        return documents
    }

    static func ssePayloads(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text):
            return text.split(separator: "\n").compactMap { line in
                line.hasPrefix("data: ") && !line.hasPrefix("data: [DONE]") ? String(line.dropFirst(6)) : nil
            }
        case .array(let values): return values.flatMap(ssePayloads)
        case .object(let fields): return fields.keys.sorted().flatMap { ssePayloads(in: fields[$0] ?? .null) }
        default: return []
        }
    }

    @Test func everyProjectJSONTextReadsTheSameAsFoundation() throws {
        let files = Self.projectFiles()
        #expect(files.count > 80, "found only \(files.count) JSON files under \(Self.repository.path)")
        var checked = 0
        var problems: [String] = []
        for file in files {
            for (label, document) in try Self.documents(in: file) {
                checked += 1
                if let problem = Self.disagreement(document) { problems.append("\(label): \(problem)") }
            }
        }
        #expect(checked > 500, "only \(checked) documents")
        #expect(problems.isEmpty, "\(problems.count) disagreements:\n\(problems.prefix(20).joined(separator: "\n"))")
    }

    // MARK: - Hand-written edge cases

    static let agreeingCases: [String] = [
        // numbers
        "0", "-0", "-0.0", "1.0", "1e2", "1E+2", "1.5e-3", "2.5", "-1e-400", "1e308", "4.9e-324",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "12345678901234567890123",
        "100000000000000000000", "0.1", "333333333.33333329", "1e400", "-1e400", "01", "1.", ".5", "+1", "-",
        "1e", "1e+", "0x10", "Infinity", "NaN", "-01",
        // literals and structure
        "true", "false", "null", "tru", "nul", "True", "[]", "{}", "[[]]", "[1 2]", "{\"a\" 1}", "{a:1}",
        "'a'", "", "   ", "{", "[", "]", "{\"a\":1}}", "[] []", " 1 x", "\t[1, {\"b\": [null]}]\r\n",
        // strings and escapes
        #""a\"b\\c\/d\b\f\n\r\t""#, #""\u4e2d\u6587""#, #""\ud83d\ude00""#, #""\uD83D\uDE00""#, #""\u0000""#,
        #""\x""#, #""\u12""#, #""\u12G4""#, "\"abc", "\"a\\", "\"a\tb\"", "\"a\nb\"", "\"\u{7F}\"",
        "\"中文 한국어 😀\"", "\"\u{2028}\"",
    ]

    @Test(arguments: agreeingCases)
    func edgeCasesAgree(text: String) {
        #expect(Self.disagreement(Data(text.utf8)) == nil)
    }

    @Test func bytesThatAreNotTextAgree() {
        let cases: [[UInt8]] = [
            [0xFF], [0x5B, 0xFF, 0x5D], [0x00], [0xEF, 0xBB, 0xBF, 0x31], [0xEF, 0xBB, 0xBF],
            [0x22, 0x61, 0x22, 0x00],
        ]
        for bytes in cases {
            #expect(Self.disagreement(Data(bytes)) == nil, "\(bytes)")
        }
    }

    /// Strings are scanned eight bytes at a time up to the first quote, backslash or control
    /// byte: each of those, and bytes beside them (non-ASCII, DEL, space), at every position of
    /// several words, in a key and in a value.
    @Test func stringsAgreeWithASpecialByteAtEveryPosition() {
        let specials: [[UInt8]] = [
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), [0x01], [0x1F], [0x0A],
            [0x20], [0x7F], [0xC3, 0xA9], [UInt8(ascii: "\"")],
        ]
        for length in 0..<27 {
            for position in 0...length {
                for special in specials {
                    let text =
                        Array(repeating: UInt8(ascii: "a"), count: position) + special
                        + Array(repeating: UInt8(ascii: "b"), count: length - position)
                    let quoted = [UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")]
                    let asValue = Array(#"{"k":"#.utf8) + quoted + Array("}".utf8)
                    let asKey = Array("{".utf8) + quoted + Array(#":1}"#.utf8)
                    for bytes in [quoted, asValue, asKey] {
                        let problem = Self.disagreement(Data(bytes))
                        #expect(
                            problem == nil,
                            "\(String(decoding: bytes, as: UTF8.self).debugDescription): \(problem ?? "")")
                    }
                }
            }
        }
    }

    @Test func deepNestingAgreesAtTheLimit() {
        for depth in [1, 100, 511, 512, 513, 600, 10_000] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(Self.disagreement(Data(text.utf8)) == nil, "depth \(depth)")
            let objects = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            #expect(Self.disagreement(Data(objects.utf8)) == nil, "object depth \(depth)")
        }
    }

    @Test func bigDocumentsAgree() {
        var text = "["
        for index in 0..<2_000 {
            if index > 0 { text += "," }
            text += #"{"i":\#(index),"d":\#(Double(index) / 7),"s":"line \#(index)\n\u00e9\ud83d\ude00","n":null}"#
        }
        text += "]"
        #expect(Self.disagreement(Data(text.utf8)) == nil)
    }

    // MARK: - Deliberate differences

    /// Where JSONParser departs from Foundation on purpose; each side is checked, so a change in
    /// either shows up here.
    @Test func deliberateDifferences() throws {
        // 1. Trailing commas are not JSON (RFC 8259 §4, §5); swift-foundation accepts them.
        for text in ["[1,]", "{\"a\":1,}"] {
            #expect(JSONParser.parse(text) == nil)
            #expect(FoundationReading(Data(text.utf8)).value != nil)
        }
        // 2. A lone surrogate escape reads as U+FFFD: a provider's stream cut mid-emoji must not lose
        //    the whole chunk. Foundation rejects the document.
        for text in [#""x\ud83dy""#, #""\ude00""#, #""\ud83d\u0041""#] {
            #expect(JSONParser.parse(text)?.stringValue?.contains("\u{FFFD}") == true)
            #expect(FoundationReading(Data(text.utf8)).value == nil)
        }
        // 3. Invalid UTF-8 inside a string reads as U+FFFD, for the same reason; the raw bytes stay
        //    in the archive either way. Foundation rejects the document.
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(JSONParser.parse(bytes)?.stringValue?.contains("\u{FFFD}") == true)
            #expect(FoundationReading(Data(bytes)).value == nil)
        }
        // 4. A repeated key keeps its last value, as JSONSerialization does (JSONDecoder keeps the first).
        let repeated = Data(#"{"a":1,"a":2}"#.utf8)
        #expect(JSONParser.parse(repeated) == .object(["a": .int(2)]))
        #expect(FoundationReading(repeated).value == .object(["a": .int(1)]))
        #expect(((try? JSONSerialization.jsonObject(with: repeated)) as? [String: Any])?["a"] as? Int == 2)
        // 5. A NUL byte after the value is trailing garbage; JSONDecoder stops reading at it.
        let nulTerminated = Data([0x31, 0x00])
        #expect(JSONParser.parse(nulTerminated) == nil)
        #expect(FoundationReading(nulTerminated).value == .int(1))
    }
}
