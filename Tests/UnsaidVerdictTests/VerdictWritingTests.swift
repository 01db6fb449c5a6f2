import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidVerdict

/// Verdicts write their own canonical bytes (`CanonicalWritable`); their `Encodable` conformance
/// stays the reference: every checked-in fixture verdict, and generated verdicts with each
/// optional set and unset and awkward text. (That no stored property is left out is checked with
/// the record's types, in `CanonicalWritingTests.everyStoredPropertyIsWritten`.)
@Suite struct VerdictWritingTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func everyFixtureVerdictWritesTheEncodableBytes() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path)
            .filter { $0.hasSuffix(".verdict.json") }.sorted()
        #expect(names.count > 30, "only \(names.count) fixture verdicts")
        for name in names {
            let verdict = try JSONDecoder().decode(
                Verdict.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
            #expect(try CanonicalJSON.encode(verdict) == CanonicalJSON.encodeThroughEncodable(verdict), "\(name)")
        }
    }

    @Test func generatedVerdictsWriteTheEncodableBytes() throws {
        for (index, verdict) in Self.generated(count: 500, seed: 0x7E_2D1C7).enumerated() {
            let written = try CanonicalJSON.encode(verdict)
            #expect(written == (try CanonicalJSON.encodeThroughEncodable(verdict)), "verdict \(index)")
            #expect(try JSONDecoder().decode(Verdict.self, from: written) == verdict, "verdict \(index)")
        }
    }

    /// Verdicts with each optional set and unset, every label, flag kind and layer, and awkward
    /// text, the same ones for the same seed (the reading tests take them too).
    static func generated(count: Int, seed: UInt64) -> [Verdict] {
        var random = SplitMix64(seed: seed)
        let texts = ["", "plain", "quote \" and \\ backslash", "line\nbreak\u{1}", "中文 😀", "\u{2028}"]
        func text() -> String { texts[Int(random.next() % UInt64(texts.count))] }
        func maybe<T>(_ value: T) -> T? { random.next() % 2 == 0 ? value : nil }
        func span() -> TextSpan {
            TextSpan(start: Int(random.next() % 100), end: Int(random.next() % 200), text: text())
        }
        func layer() -> DetectorLayer {
            DetectorLayer.allCases[Int(random.next() % UInt64(DetectorLayer.allCases.count))]
        }
        let flags = VerdictFlag.Kind.allCases.map(\.example) + [.unknown("from a newer \"archive\"")]
        return (0..<count).map { index in
            let evidence = (0..<Int(random.next() % 4)).map { _ in
                Evidence(
                    rule: text(), note: text(), event: maybe(Int(random.next() % 300)), span: maybe(span()),
                    withdrawn: maybe(span()), replacement: maybe(span()), layer: maybe(layer()),
                    confidence: maybe(Int(random.next() % 1001)))
            }
            return Verdict(
                key: WorkKey(
                    suite: text(), probe: "p\(index)", probeHash: text(), sample: Int(random.next() % 3),
                    streamed: random.next() % 2 == 0),
                verdict: VerdictLabel.allCases[Int(random.next() % UInt64(VerdictLabel.allCases.count))],
                flags: (0..<Int(random.next() % 3)).map { _ in flags[Int(random.next() % UInt64(flags.count))] },
                evidence: evidence, attempt: Int(random.next() % 3),
                expect: Expectation.allCases[Int(random.next() % UInt64(Expectation.allCases.count))],
                outcome: [Outcome.pass, .fail, .unscored][Int(random.next() % 3)], ruleset: text(),
                decidedBy: maybe(layer()))
        }
    }
}
