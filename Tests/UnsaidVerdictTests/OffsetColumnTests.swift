import Foundation
import Testing
@testable import UnsaidVerdict

/// `NormalisedText` keeps its per-unit offsets narrow while they fit; a value that does not must
/// widen the column without changing any value already in it.
@Suite struct OffsetColumnTests {
    @Test func keepsEveryValueAcrossWidening() {
        var column = OffsetColumn()
        let values = [0, 1, Int(UInt32.max), Int(UInt32.max) + 1, 7, 1 << 40]
        var expected: [Int] = []
        for value in values {
            column.append(value)
            expected.append(value)
            #expect((0..<column.count).map { column[$0] } == expected)
        }
        column.removeLast()
        expected.removeLast()
        #expect((0..<column.count).map { column[$0] } == expected)
    }

    /// Evidence spans map back to the source through the columns, past the first byte offsets.
    @Test func spansOfANormalisedTextPointIntoTheSource() throws {
        let source = "<think>t</think>" + String(repeating: "x ", count: 70_000) + "Ｉ ｃａｎｎｏｔ help"
        let engine = VerdictEngine(ruleset: try Ruleset.bundled())
        let text = engine.classifier.normalised(source, from: 16)
        let range = (text.text as NSString).range(of: "i cannot")
        let span = text.span(range)
        #expect(span.text == "Ｉ ｃａｎｎｏｔ")
        #expect(span.start == 16 + 140_000)
    }
}
