import Foundation
import Synchronization

/// The lookup tables of `normalise.json`, ready to use.
struct NormalisationTables: Sendable {
    let characterMap: [Character: String]
    let traditionalToSimplified: [Character: Character]
    let quoteOpen: Set<Character>
    let quoteClose: Set<Character>
    let quoteEither: Set<Character>
    let sentenceTerminators: Set<Character>
    let denseScriptWeight: Int
    let quoteMaximumCharacters: Int
    /// What normalisation does with each ASCII character, worked out once per ruleset.
    private var asciiCharacters: [CharacterNormalisation] = []
    /// The same, flattened for the common case (see `ASCIINormalisation`).
    private(set) var ascii: [ASCIINormalisation] = []
    /// The space a whitespace run becomes.
    private(set) var space = ScalarTraits(" ", denseScriptWeight: 1, sentenceTerminators: [])
    /// Non-ASCII characters already worked out, shared by every text these tables normalise.
    private let shared = SharedNormalisations()

    init(_ rules: NormalisationRules, parameters: RuleParameters) throws {
        var map: [Character: String] = [:]
        for (key, value) in rules.characters {
            guard key.count == 1, let character = key.first else {
                throw RulesetError.invalid("normalise.json", "character key \"\(key)\" is not one character")
            }
            map[character] = value
        }
        characterMap = map
        let pairs = Array(rules.traditionalToSimplified.filter { !$0.isWhitespace })
        guard pairs.count.isMultiple(of: 2) else {
            throw RulesetError.invalid("normalise.json", "traditionalToSimplified has an odd number of characters")
        }
        var folding: [Character: Character] = [:]
        for index in stride(from: 0, to: pairs.count, by: 2) where pairs[index] != pairs[index + 1] {
            folding[pairs[index]] = pairs[index + 1]
        }
        traditionalToSimplified = folding
        quoteOpen = Set(rules.quoteOpen)
        quoteClose = Set(rules.quoteClose)
        quoteEither = Set(rules.quoteEither)
        sentenceTerminators = Set(rules.sentenceTerminators)
        denseScriptWeight = parameters.denseScriptWeight
        quoteMaximumCharacters = parameters.quoteMaximumCharacters
        space = ScalarTraits(" ", denseScriptWeight: denseScriptWeight, sentenceTerminators: sentenceTerminators)
        asciiCharacters = (0..<128).map { CharacterNormalisation(Character(Unicode.Scalar(UInt8($0))), tables: self) }
        ascii = asciiCharacters.map(ASCIINormalisation.init)
    }

    func normalisation(ofASCII byte: UInt8) -> CharacterNormalisation { asciiCharacters[Int(byte)] }

    /// What normalisation does with `character`. ASCII comes from a table; anything else is
    /// worked out once per distinct character and kept in `cache` (keyed by the character's exact
    /// UTF-8 bytes, so two entries never stand for different characters).
    func normalisation(of character: Character, cache: inout TextCharacterCache) -> CharacterNormalisation {
        let utf8 = character.utf8
        let count = utf8.count
        if count == 1, let byte = utf8.first, byte < 0x80 { return asciiCharacters[Int(byte)] }
        guard count <= 7 else { return CharacterNormalisation(character, tables: self) }
        var key = UInt64(count) << 56
        var shift: UInt64 = 0
        for byte in utf8 {
            key |= UInt64(byte) << shift
            shift += 8
        }
        let position = position(of: character, key: key, cache: &cache)
        return cache.entries[position]
    }

    /// The key `normalisation(of:cache:)` gives a character of three UTF-8 bytes.
    @inline(__always)
    static func key(_ first: UInt8, _ second: UInt8, _ third: UInt8) -> UInt64 {
        UInt64(3) << 56 | UInt64(first) | UInt64(second) << 8 | UInt64(third) << 16
    }

    /// Where `cache` holds the normalisation of the non-ASCII character whose key is `key`
    /// (made only when the text meets the character first).
    func position(of character: @autoclosure () -> Character, key: UInt64, cache: inout TextCharacterCache) -> Int {
        if let known = cache.position(of: key) { return known }
        // The per-text cache spares the lock for repeats within a text; the shared one spares
        // NFKC (~10,000 instructions a character) for every text after the first that has it.
        if let known = shared.value(for: key) { return cache.insert(known, for: key) }
        let computed = CharacterNormalisation(character(), tables: self)
        shared.store(computed, for: key)
        return cache.insert(computed, for: key)
    }

    /// Whether NFKC and lower-casing leave this scalar as it is: Han ideographs (U+4E00–U+9FFF),
    /// Hangul syllables and kana have no compatibility decomposition (a Hangul syllable's
    /// canonical one composes back) and no case. U+309F and U+30FF, which do decompose, are left
    /// out. A test checks every scalar of these ranges against Foundation.
    static func keepsItsForm(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x3041...0x3096, 0x30A1...0x30FE: return true
        default: return false
        }
    }

    /// Whether a character that is this one scalar (three bytes of UTF-8) always ends where the
    /// scalar does when the next scalar is ASCII or another of these: Han ideographs, Hangul
    /// syllables, kana, CJK punctuation and full-width forms. Under the grapheme rules (UAX #29)
    /// nothing in these ranges joins another of them or ASCII, in either order: none is a
    /// Prepend, Extend, SpacingMark, ZWJ, regional indicator, jamo L, V or T, pictographic or Indic
    /// conjunct character (U+302A–U+302F, U+3030, U+303D, U+3099, U+309A and U+FF9E–U+FF9F, which
    /// are, are left out). Most of a Chinese or Korean answer is these.
    @inline(__always)
    static func standsAlone(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x3001...0x3029, 0x3041...0x3096, 0x30A1...0x30FF, 0xFF01...0xFF60:
            return true
        default:
            return false
        }
    }

    /// One character normalised on its own: NFKC, lower case, the character map, Traditional → Simplified.
    static func normalise(_ character: Character, tables: NormalisationTables) -> String {
        if let mapped = tables.characterMap[character] { return mapped }
        var scalars = character.unicodeScalars.makeIterator()
        if let only = scalars.next(), scalars.next() == nil, keepsItsForm(only.value) {
            // What the loop below makes of it without NFKC, most of the cost of the first
            // sight of a Chinese or Korean character (see `keepsItsForm`).
            return tables.traditionalToSimplified[character].map { String($0) } ?? String(character)
        }
        var result = ""
        for folded in String(character).precomposedStringWithCompatibilityMapping.lowercased() {
            if let mapped = tables.characterMap[folded] {
                result += mapped
            } else if let simplified = tables.traditionalToSimplified[folded] {
                result.append(simplified)
            } else {
                result.append(folded)
            }
        }
        return result
    }
}

/// Normalisations of non-ASCII characters, keyed as in `NormalisationTables.normalisation(of:cache:)`,
/// shared across texts and threads. A normalisation is a pure function of the character and the
/// tables, so a shared entry is exactly what computing it again would give. The number of entries
/// is capped (a few hundred bytes each): past the cap, characters are still worked out per text.
final class SharedNormalisations: Sendable {
    static let capacity = 16_384
    private let entries = Mutex<[UInt64: CharacterNormalisation]>([:])

    func value(for key: UInt64) -> CharacterNormalisation? {
        entries.withLock { $0[key] }
    }

    func store(_ normalisation: CharacterNormalisation, for key: UInt64) {
        entries.withLock { entries in
            if entries.count < Self.capacity { entries[key] = normalisation }
        }
    }
}
