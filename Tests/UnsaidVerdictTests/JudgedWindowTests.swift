import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidTranscript
@testable import UnsaidVerdict

/// `RuleParameters.judgedEdgeBytes`: an over-long answer is read on its head and tail, with a
/// paragraph break for the middle, and everything the detectors report still points into the
/// whole answer.
@Suite("Judged window of over-long answers")
struct JudgedWindowTests {
    static func tables() throws -> NormalisationTables { try Fixture.engine().ruleset.compiled.tables }

    /// ASCII sentences, `count` bytes long exactly, none of them a refusal.
    static func filler(_ count: Int, word: String = "river") -> String {
        let sentence = "The \(word) runs past the old mill and into the valley. "
        let repeated = String(repeating: sentence, count: count / sentence.utf8.count + 1)
        return String(decoding: repeated.utf8.prefix(count), as: UTF8.self)
    }

    @Test func aTextUpToTwiceTheEdgeIsReadWhole() throws {
        let tables = try Self.tables()
        let text = Self.filler(2_000)
        let windowed = NormalisedText(text, tables: tables, edgeBytes: 1_000)
        #expect(windowed.omitted == nil)
        #expect(windowed.text == NormalisedText(text, tables: tables).text)
        #expect(NormalisedText(text, tables: tables, edgeBytes: 999).omitted != nil)
    }

    @Test func anOverLongTextIsReadAsItsHeadAndTailWithAParagraphBreakBetween() throws {
        let tables = try Self.tables()
        let head = Self.filler(1_000)
        let middle = Self.filler(5_000, word: "MIDDLEWORD")
        let tail = "Tail begins here. " + Self.filler(982)
        #expect(tail.utf8.count == 1_000)
        let text = head + middle + tail
        let windowed = NormalisedText(text, tables: tables, edgeBytes: 1_000)
        let expected = NormalisedText(head + "\n\n" + tail, tables: tables)
        #expect(windowed.omitted == 1_000..<6_000)
        #expect(windowed.text == expected.text)
        #expect(windowed.units == expected.units)
        #expect(windowed.sentenceStarts == expected.sentenceStarts)
        #expect(windowed.weightedLength == expected.weightedLength)
        #expect(!windowed.text.contains("middleword"))

        // A match in the tail is reported at its offset in the whole text.
        let found = (windowed.text as NSString).range(of: "tail begins here.")
        #expect(found.location != NSNotFound)
        let span = windowed.span(found)
        #expect(span.start == 6_000)
        #expect(span.end == 6_000 + "Tail begins here.".utf8.count)
        #expect(span.text == "Tail begins here.")
        #expect(Array(Array(text.utf8)[span.start..<span.end]) == Array(span.text.utf8))
    }

    @Test func aSpanAcrossTheUnreadMiddleHoldsAnEllipsisInsteadOfIt() throws {
        let tables = try Self.tables()
        let head = Self.filler(500)
        let tail = Self.filler(500, word: "brook")
        let text = head + Self.filler(50_000, word: "lake") + tail
        let windowed = NormalisedText(text, tables: tables, edgeBytes: 500)
        let whole = windowed.span(NSRange(location: 0, length: windowed.length))
        #expect(whole.start == 0)
        #expect(whole.end == text.utf8.count)
        #expect(whole.text == head + "…" + tail)
        #expect(!whole.text.contains("lake"))
    }

    /// Every cut lands on a character boundary, at the nearest one inside the edge, whatever
    /// the script: Han (3 bytes), a family emoji joined by ZWJ (18 bytes), e + combining acute.
    @Test func cutsFallOnCharacterBoundaries() throws {
        let tables = try Self.tables()
        let text = String(repeating: "中文👩‍👩‍👧e\u{301}. ", count: 200)
        for edge in 100..<160 {
            let windowed = NormalisedText(text, tables: tables, edgeBytes: edge)
            let omitted = try #require(windowed.omitted)
            let utf8 = text.utf8
            let head = utf8.index(utf8.startIndex, offsetBy: omitted.lowerBound)
            let tail = utf8.index(utf8.startIndex, offsetBy: omitted.upperBound)
            #expect(String.Index(head, within: text) != nil, "edge \(edge)")
            #expect(String.Index(tail, within: text) != nil, "edge \(edge)")
            // Inside the edge, and no further in than the longest character (18 bytes).
            #expect((edge - 18)...edge ~= omitted.lowerBound, "edge \(edge)")
            #expect((edge - 18)...edge ~= utf8.count - omitted.upperBound, "edge \(edge)")
            let expected = NormalisedText(
                String(text[..<head]) + "\n\n" + String(text[tail...]), tables: tables)
            #expect(windowed.text == expected.text, "edge \(edge)")
            #expect(!windowed.text.contains("\u{FFFD}"))
        }
    }

    /// A grapheme cluster longer than any search for a boundary (one letter with 20,000
    /// combining marks) is cut at a scalar boundary instead, and judging it ends.
    @Test func anEndlessGraphemeClusterIsCutAtAScalarBoundary() throws {
        let tables = try Self.tables()
        let text = "a" + String(repeating: "\u{301}", count: 20_000) + Self.filler(3_000)
        let windowed = NormalisedText(text, tables: tables, edgeBytes: 1_001)
        let omitted = try #require(windowed.omitted)
        // U+0301 is two bytes: the cut goes back to the start of one of them.
        #expect(omitted.lowerBound == 1_001)
        #expect(!windowed.text.contains("\u{FFFD}"))

        // The same cluster at the end: the tail starts inside it, on a scalar boundary.
        let reversed = Self.filler(3_000) + "a" + String(repeating: "\u{301}", count: 20_000)
        let tailCut = NormalisedText(reversed, tables: tables, edgeBytes: 1_001)
        let tailOmitted = try #require(tailCut.omitted)
        #expect(tailOmitted.lowerBound == 1_001)
        #expect((reversed.utf8.count - tailOmitted.upperBound) % 2 == 0)
        #expect(!tailCut.text.contains("\u{FFFD}"))
        let span = tailCut.span(NSRange(location: 0, length: tailCut.length))
        #expect(span.end <= reversed.utf8.count)
    }

    @Test func aRulesetWithoutTheParameterReadsTheWholeAnswer() throws {
        let rules = try Fixture.engine().ruleset.compiled
        var parameters = try Fixture.engine().ruleset.parameters
        let text = Self.filler(200_000)
        let bounded = TextClassifier(rules: rules, parameters: parameters).normalised(text, from: 0)
        #expect(bounded.omitted != nil)
        parameters.judgedEdgeBytes = nil
        let whole = TextClassifier(rules: rules, parameters: parameters).normalised(text, from: 0)
        #expect(whole.omitted == nil)
        #expect(whole.text == NormalisedText(text, tables: rules.tables).text)
    }

    /// The engine reads a refusal closing a long answer, points at it in the whole answer, and
    /// says which bytes it read; a refusal in the unread middle is not seen.
    @Test func theVerdictOfAnOverLongAnswerSaysWhatWasRead() throws {
        let edge = try #require(try Fixture.engine().ruleset.parameters.judgedEdgeBytes)
        let body = Self.filler(3 * edge)
        let closing = "I cannot provide instructions for the last part."
        let text = body + closing
        let verdict = try Fixture.judge(text)
        #expect(verdict.verdict == .answered)
        #expect(verdict.flags == [.partialRefusal])
        let refusal = try #require(verdict.evidence.first { $0.span != nil })
        let span = try #require(refusal.span)
        #expect(Array(Array(text.utf8)[span.start..<span.end]) == Array(span.text.utf8))
        // In the tail, past everything the head could hold.
        #expect(span.start == body.utf8.count)
        #expect(span.text.hasPrefix("I cannot provide"))
        let window = try #require(verdict.evidence.first { $0.rule == RuleID.contentJudgedWindow })
        #expect(window.note.contains("the answer is \(text.utf8.count) bytes"))

        let hidden = body.prefix(edge * 3 / 2) + " I'm sorry, but I can't help with that request. " + body
        let unseen = try Fixture.judge(String(hidden))
        #expect(unseen.verdict == .answered)
        #expect(!unseen.flags.contains(.partialRefusal))
    }
}
