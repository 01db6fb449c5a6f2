import Foundation
import Testing
@testable import UnsaidVerdict

/// Han, Hangul, kana and full-width characters next to ASCII or one another are taken as
/// characters of their own without asking String (`NormalisationTables.standsAlone`); anything
/// that could join them (a combining mark, a jamo, a variation selector, a joiner, CR LF) must
/// still be read as String reads it.
@Suite("Character boundaries while normalising")
struct CharacterBoundaryTests {
    /// Scalars that stand alone beside ones that join the character before them or after them.
    static let texts = [
        "中文 text 和 English，混在一起。한국어 문장입니다. カタカナとひらがな！",
        "中\u{301}文", "한\u{11A8}국", "가\u{1161}다", "\u{1100}가나", "漢\u{FE0F}字", "字\u{200D}字",
        "か\u{3099}き", "〃\u{302A}〃", "Ａ\u{20DD}Ｂ", "ｶ\u{FF9E}ｷ", "e\u{301}中", "中\r\n文", "中\u{0600}文",
        "a中b", "中", "中a", "a中", "。\u{3030}。", "「引用」\u{303D}", "\u{1F1EF}\u{1F1F5}中\u{1F1EF}",
        "字\u{E0100}字", "漢字\u{FE00}", "中\u{0903}文", "\u{0915}\u{094D}\u{0937}中",
    ]

    static func tables() throws -> NormalisationTables {
        let ruleset = try Fixture.engine().ruleset
        return try NormalisationTables(ruleset.normalisation, parameters: ruleset.parameters)
    }

    @Test func everyUnitComesFromOneOfTheCharactersStringSees() throws {
        let tables = try Self.tables()
        for text in Self.texts {
            // The UTF-8 ranges of the text's characters, by String's own grapheme breaking.
            var characters: [Range<Int>] = []
            var offset = 0
            for character in text {
                characters.append(offset..<(offset + character.utf8.count))
                offset += character.utf8.count
            }
            let normalised = NormalisedText(text, tables: tables)
            for location in 0..<normalised.length {
                let span = normalised.span(NSRange(location: location, length: 1))
                #expect(
                    characters.contains(span.start..<span.end),
                    "\(text.debugDescription): unit \(location) comes from bytes \(span.start)..<\(span.end)")
            }
        }
    }
}

/// The per-text table of normalised characters finds what it was given, across its growth.
@Suite("Per-text character cache")
struct TextCharacterCacheTests {
    @Test func everyStoredKeyFindsItsEntryAndNoOtherKeyFindsOne() throws {
        let tables = try CharacterBoundaryTests.tables()
        var cache = TextCharacterCache()
        let characters = (0..<1_000).compactMap { Unicode.Scalar(0x4E00 + $0 * 7) }.map(Character.init)
        var positions: [UInt64: Int] = [:]
        for character in characters {
            let key =
                UInt64(character.utf8.count) << 56
                | character.utf8.enumerated().reduce(0) {
                    $0 | UInt64($1.element) << (8 * UInt64($1.offset))
                }
            #expect(cache.position(of: key) == nil)
            var scratch = TextCharacterCache()
            positions[key] = cache.insert(tables.normalisation(of: character, cache: &scratch), for: key)
        }
        for (key, position) in positions {
            #expect(cache.position(of: key) == position)
        }
        #expect(cache.entries.count == characters.count)
        #expect(cache.position(of: UInt64(3) << 56 | 0x80_80_E4) == nil)
    }
}

/// A text of plain ASCII is normalised in one pass straight into its columns; the same text
/// followed by a non-ASCII character goes the general way, a record per scalar. Up to that
/// character both must read the same: units, source offsets, weights, sentences and quotations.
@Suite("Plain ASCII texts")
struct PlainASCIITextTests {
    static let texts = [
        "I can't help with that.", "  Leading spaces,\ttabs and\n\nparagraphs.\nNext line ",
        "3.5 and e.g. this. And \"quoted text\" here.",
        "'single' `back` (round) [square] {curly} <angle>", "a\u{0B}b\u{0C}c  \n  d",
        "Line one.\n- item\n- item two\n\nEnd!  ",
        "", " ", "\n\n", "x", "Ends with a full stop.", "No stop at the end", "?!.,;:", "ABC def GHI",
    ]

    @Test func plainASCIIReadsAsTheGeneralWayReadsIt() throws {
        let tables = try CharacterBoundaryTests.tables()
        for text in Self.texts {
            let plain = NormalisedText(text, tables: tables)
            let general = NormalisedText(text + "é", tables: tables)
            #expect(general.text.hasPrefix(plain.text), "\(text.debugDescription)")
            #expect(Array(general.units.prefix(plain.length)) == plain.units, "\(text.debugDescription)")
            #expect(
                plain.sentenceStarts.allSatisfy(general.sentenceStarts.contains), "\(text.debugDescription)")
            #expect(plain.quoted == general.quoted.filter { $0.location + $0.length <= plain.length })
            for location in 0..<plain.length {
                let unit = NSRange(location: location, length: 1)
                #expect(plain.span(unit) == general.span(unit), "\(text.debugDescription) at \(location)")
                let before = NSRange(location: 0, length: location + 1)
                #expect(plain.weightedLength(before) == general.weightedLength(before))
                #expect(plain.sentenceIndex(at: location) == general.sentenceIndex(at: location))
            }
        }
    }
}

/// The scalars whose normalisation skips NFKC (`NormalisationTables.keepsItsForm`) are exactly
/// those NFKC and lower-casing leave alone.
@Suite("Scalars that keep their form")
struct KeepsItsFormTests {
    @Test func nfkcAndLowerCasingLeaveEveryOneOfThemAsItIs() {
        var changed: [String] = []
        for value in UInt32(0x3000)...UInt32(0xD7FF) where NormalisationTables.keepsItsForm(value) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            if text.precomposedStringWithCompatibilityMapping.lowercased() != text {
                changed.append(String(value, radix: 16))
            }
        }
        #expect(changed.isEmpty, "NFKC or lower case changes U+\(changed.prefix(10))")
        // The two kana that do decompose are outside.
        #expect(!NormalisationTables.keepsItsForm(0x309F) && !NormalisationTables.keepsItsForm(0x30FF))
    }
}
