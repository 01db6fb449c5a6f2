import Foundation
import Testing
@testable import UnsaidSupport

/// `CanonicalJSON.encode` against expected bytes that come from RFC 8785's text or were written by
/// hand (`Tests/CanonicalJSON/README.md`), never from running the encoder.
@Suite struct CanonicalJSONGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("CanonicalJSON")

    static let caseNames = ["rfc8785-example", "rfc8785-sorting", "controls", "numbers", "structure"]

    static func read(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// `sha256sum` lines: hash, two spaces, file name.
    static func expectedHashes() throws -> [String: String] {
        let text = String(decoding: try read("SHA256SUMS"), as: UTF8.self)
        var hashes: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2 { hashes[String(parts[1])] = String(parts[0]) }
        }
        return hashes
    }

    @Test(arguments: caseNames)
    func encodesTheGoldenBytes(name: String) throws {
        let input = try Self.read("\(name).input.json")
        let expected = try Self.read("\(name).canonical.json")
        let value = try #require(JSONParser.parse(input), "\(name).input.json is not JSON")
        let encoded = try CanonicalJSON.encode(value)
        #expect(String(decoding: encoded, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(encoded == expected)
        let hash = try #require(try Self.expectedHashes()["\(name).canonical.json"])
        #expect(SHA256Hex.digest(encoded) == hash)
    }

    @Test func everyGoldenCaseHasAHash() throws {
        #expect(Set(try Self.expectedHashes().keys) == Set(Self.caseNames.map { "\($0).canonical.json" }))
    }

    @Test func appendixBNumberSamples() throws {
        let lines = String(decoding: try Self.read("rfc8785-appendix-b.txt"), as: UTF8.self)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 26)
        for line in lines {
            let parts = line.split(separator: " ")
            let bits = try #require(UInt64(parts[0], radix: 16))
            let value = Double(bitPattern: bits)
            if parts[1] == "error" {
                #expect(throws: EncodingError.self) { try CanonicalJSON.encode(value) }
            } else {
                #expect(
                    String(decoding: try CanonicalJSON.encode(value), as: UTF8.self) == String(parts[1]),
                    "bits \(parts[0])")
            }
        }
    }

    @Test func nonFiniteNumbersThrowWithTheirPath() throws {
        struct Parameters: Encodable { var temperature: Double }
        struct Probe: Encodable { var parameters: [Parameters] }
        #expect {
            try CanonicalJSON.encode(Probe(parameters: [Parameters(temperature: 0.5), Parameters(temperature: .nan)]))
        } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return CodingPathText.describe(context.codingPath) == "parameters[1].temperature"
                && context.debugDescription.contains("parameters[1].temperature is not a finite number")
        }
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode([Float.infinity]) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.encode(JSONValue.double(-.infinity)) }
    }

    /// Codable shapes the records use: optionals left out, nested types, dictionaries with
    /// non-ASCII keys, Data and URL as JSONEncoder writes them by default, super-encoders.
    @Test func codableShapes() throws {
        struct Inner: Encodable { var z = 1; var y: [Int] = [] }
        struct Outer: Encodable {
            var name = "n"
            var missing: String? = nil
            var present: Int? = 0
            var inner = Inner()
            var map: [String: Bool] = ["\u{FB33}": true, "\u{1F600}": false, "a": true]
            var data = Data([0xFF, 0x00, 0x7F])
            var url = URL(string: "https://example.com/a/b?c=d")
        }
        #expect(
            String(decoding: try CanonicalJSON.encode(Outer()), as: UTF8.self)
                == #"{"data":"/wB/","inner":{"y":[],"z":1},"map":{"a":true,"😀":false,"דּ":true},"name":"n","present":0,"url":"https://example.com/a/b?c=d"}"#
        )

        class Base: Encodable { var base = 1 }
        final class Derived: Base {
            enum Keys: CodingKey { case own }
            override func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(2, forKey: .own)
                try super.encode(to: container.superEncoder())
            }
        }
        #expect(
            String(decoding: try CanonicalJSON.encode(Derived()), as: UTF8.self) == #"{"own":2,"super":{"base":1}}"#)
    }

    @Test func aKeyWrittenTwiceKeepsTheLastValue() throws {
        struct Twice: Encodable {
            enum Keys: CodingKey { case a }
            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .a)
                try container.encode(2, forKey: .a)
            }
        }
        #expect(String(decoding: try CanonicalJSON.encode(Twice()), as: UTF8.self) == #"{"a":2}"#)
    }

    /// Keys that are equal as Swift `String`s (canonically equivalent) but not byte for byte stay apart.
    @Test func keysCompareByCodeUnitsNotByUnicodeEquivalence() throws {
        struct Named: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        struct TwoSpellings: Encodable {
            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: Named.self)
                try container.encode(2, forKey: Named(stringValue: "\u{E9}"))
                try container.encode(1, forKey: Named(stringValue: "e\u{301}"))
            }
        }
        let bytes = try CanonicalJSON.encode(TwoSpellings())
        #expect(Array(bytes) == Array("{\"e\u{301}\":1,\"\u{E9}\":2}".utf8))
    }
}
