import Foundation
import Testing
@testable import UnsaidVerdict

/// Non-ASCII characters are normalised once per ruleset and shared between texts: a text read
/// after others filled the shared entries must come out exactly as it does from tables that
/// have never seen a character.
@Suite("Normalisations shared between texts")
struct SharedNormalisationTests {
    /// Texts that share characters in different company: Traditional and full-width forms,
    /// a ligature, a combining accent (one character with the letter before it), quotation
    /// marks, ideographic stops and Hangul.
    static let texts = [
        "說話。Ｂ ﬁne, «quoted» café",
        "Cafe\u{301} and cafe; 「引用」說。",
        "강조해도 지나치지 않습니다. 說話！",
        "ＡＢＣ ﬁ e\u{301}e 。說",
    ]

    static func freshTables() throws -> NormalisationTables {
        let ruleset = try Fixture.engine().ruleset
        return try NormalisationTables(ruleset.normalisation, parameters: ruleset.parameters)
    }

    @Test func aTextReadsTheSameWhetherOrNotOthersFilledTheSharedEntries() throws {
        let primed = try Self.freshTables()
        for text in Self.texts.reversed() { _ = NormalisedText(text, tables: primed) }
        for text in Self.texts {
            let shared = NormalisedText(text, tables: primed)
            let alone = NormalisedText(text, tables: try Self.freshTables())
            #expect(shared.text == alone.text)
            #expect(shared.units == alone.units)
            #expect(shared.sentenceStarts == alone.sentenceStarts)
            #expect(shared.quoted == alone.quoted)
            #expect(shared.weightedLength == alone.weightedLength)
            for location in 0..<alone.length {
                let range = NSRange(location: location, length: 1)
                #expect(shared.span(range) == alone.span(range))
                #expect(shared.weightedLength(range) == alone.weightedLength(range))
            }
        }
    }
}
