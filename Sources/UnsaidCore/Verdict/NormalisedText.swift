import Foundation

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
    }
}

/// Text prepared for matching, with a way back to the original bytes.
///
/// Each character of the source is normalised on its own (NFKC, lower case, the character map,
/// Traditional → Simplified); every whitespace run collapses to one space (a run holding a line
/// break also ends a sentence). Because NFKC composes only within a grapheme cluster, character-by-character
/// normalisation equals whole-string normalisation, and every UTF-16 unit of the result remembers
/// the UTF-8 range of the source character it came from. Matches found in the normalised text
/// are reported as byte offsets into the original answer.
struct NormalisedText {
    let text: String
    /// UTF-16 length of `text` (what NSRegularExpression counts in).
    let length: Int
    /// For each UTF-16 unit of `text`: start and end UTF-8 offsets of its source character,
    /// counted from the start of the whole answer (`baseOffset` included).
    private let starts: [Int]
    private let ends: [Int]
    private let units: [UInt16]
    /// Prefix sums of character weights (see `RuleParameters.denseScriptWeight`).
    private let weights: [Int]
    /// UTF-16 offsets where sentences start (the first is 0).
    let sentenceStarts: [Int]
    /// UTF-16 ranges inside quotation marks.
    let quoted: [NSRange]
    /// The source bytes, to cut matched spans out of.
    private let source: [UInt8]
    private let baseOffset: Int

    init(_ source: some StringProtocol, baseOffset: Int = 0, tables: NormalisationTables) {
        var text = ""
        var starts: [Int] = []
        var ends: [Int] = []
        var quoteMarks: [(position: Int, kind: QuoteKind)] = []
        // Ideographic full stops (。！？) always end a sentence, even before a digit ("。5月").
        var hardBoundaries: Set<Int> = []
        // Positions of spaces that stand for a run of whitespace containing a line break.
        var lineBreaks: Set<Int> = []
        var offset = baseOffset
        var lastWasSpace = true // leading whitespace is dropped
        for character in source {
            let length = character.utf8.count
            defer { offset += length }
            if character.isWhitespace {
                if lastWasSpace {
                    // A run that contains a line break ends a sentence (a list item, a paragraph).
                    if character.isNewline, !text.isEmpty { lineBreaks.insert(text.utf16.count - 1) }
                    continue
                }
                // Every whitespace run is one space, so phrases match across line wrapping.
                if character.isNewline { lineBreaks.insert(text.utf16.count) }
                text.append(" ")
                starts.append(offset)
                ends.append(offset + length)
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            let position = text.utf16.count
            if tables.quoteOpen.contains(character) {
                quoteMarks.append((position, .open))
            } else if tables.quoteClose.contains(character) {
                quoteMarks.append((position, .close))
            } else if tables.quoteEither.contains(character) {
                quoteMarks.append((position, .either))
            }
            let piece = Self.normalise(character, tables: tables)
            if !character.isASCII, piece.count == 1, let first = piece.first, tables.sentenceTerminators.contains(first) {
                hardBoundaries.insert(position)
            }
            text += piece
            for _ in 0..<piece.utf16.count {
                starts.append(offset)
                ends.append(offset + length)
            }
        }
        if text.last == " " {
            text.removeLast()
            starts.removeLast()
            ends.removeLast()
        }
        self.text = text
        self.units = Array(text.utf16)
        self.length = units.count
        self.starts = starts
        self.ends = ends
        self.source = Array(source.utf8)
        self.baseOffset = baseOffset

        var weights = [0]
        weights.reserveCapacity(units.count + 1)
        var sentenceStarts = [0]
        let scalars = Array(text.unicodeScalars)
        var unitIndex = 0
        var pendingBoundary = false
        for (index, scalar) in scalars.enumerated() {
            let weight: Int
            if scalar.properties.isWhitespace {
                weight = 0
            } else if ScriptClass.isDense(scalar) {
                weight = tables.denseScriptWeight
            } else {
                weight = 1
            }
            let width = scalar.utf16.count
            if pendingBoundary, !scalar.properties.isWhitespace,
               !tables.sentenceTerminators.contains(Character(scalar)) {
                sentenceStarts.append(unitIndex)
                pendingBoundary = false
            }
            if lineBreaks.contains(unitIndex) {
                pendingBoundary = true
            } else if tables.sentenceTerminators.contains(Character(scalar)) {
                // "3.5" and "e.g" are not sentence ends: an ASCII full stop counts only before a
                // space, the end, or a non-ASCII character (Chinese puts no space after "。").
                if scalar != "." || index + 1 == scalars.count || hardBoundaries.contains(unitIndex) {
                    pendingBoundary = true
                } else {
                    let next = scalars[index + 1]
                    if next.properties.isWhitespace || !next.isASCII || next == "\"" { pendingBoundary = true }
                }
            }
            weights.append(weights[weights.count - 1] + weight)
            for _ in 1..<max(1, width) { weights.append(weights[weights.count - 1]) }
            unitIndex += width
        }
        self.weights = weights
        self.sentenceStarts = sentenceStarts
        self.quoted = Self.quotedRanges(quoteMarks, lineBreaks: lineBreaks, maximum: tables.quoteMaximumCharacters)
    }

    private enum QuoteKind { case open, close, either }

    private static func normalise(_ character: Character, tables: NormalisationTables) -> String {
        if let mapped = tables.characterMap[character] { return mapped }
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

    /// Pairs quotation marks into quoted ranges. A quote must close on the same line and within
    /// `maximum` characters; otherwise the mark is taken for a stray one and nothing is quoted,
    /// so an unbalanced quote cannot hide the rest of an answer from the detectors.
    private static func quotedRanges(_ marks: [(position: Int, kind: QuoteKind)], lineBreaks: Set<Int>,
                                     maximum: Int) -> [NSRange] {
        var ranges: [NSRange] = []
        var index = 0
        while index < marks.count {
            let mark = marks[index]
            guard mark.kind != .close else { index += 1; continue }
            var closing: Int?
            var next = index + 1
            while next < marks.count {
                let candidate = marks[next]
                if candidate.position - mark.position > maximum { break }
                if candidate.kind != .open { closing = next; break }
                next += 1
            }
            if let closing {
                let start = mark.position + 1
                let end = marks[closing].position
                let crossesLine = lineBreaks.contains { $0 >= start && $0 < end }
                if !crossesLine && end > start {
                    ranges.append(NSRange(location: start, length: end - start))
                    index = closing + 1
                    continue
                }
            }
            index += 1
        }
        return ranges
    }

    // MARK: - Queries

    /// The weighted length of a UTF-16 range (whitespace not counted).
    func weightedLength(_ range: NSRange) -> Int {
        let lower = max(0, min(range.location, length))
        let upper = max(lower, min(range.location + range.length, length))
        return weights[upper] - weights[lower]
    }

    var weightedLength: Int { weights[length] }

    /// Which sentence (0-based) a UTF-16 offset falls in.
    func sentenceIndex(at position: Int) -> Int {
        var low = 0
        var high = sentenceStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if sentenceStarts[middle] <= position { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The UTF-16 offset where the sentence containing `position` ends (exclusive).
    func sentenceEnd(after position: Int) -> Int {
        let index = sentenceIndex(at: position)
        return index + 1 < sentenceStarts.count ? sentenceStarts[index + 1] : length
    }

    func isQuoted(_ range: NSRange) -> Bool {
        quoted.contains { NSLocationInRange(range.location, $0) }
    }

    /// The original bytes a normalised range came from, as a span of the whole answer.
    func span(_ range: NSRange) -> TextSpan {
        guard length > 0, range.location < length else {
            let end = source.count + baseOffset
            return TextSpan(start: end, end: end, text: "")
        }
        // Evidence spans never start or end on the whitespace between sentences.
        var first = range.location
        var last = max(first, min(range.location + range.length, length) - 1)
        while first < last, units[first] == 0x20 { first += 1 }
        while last > first, units[last] == 0x20 { last -= 1 }
        let start = starts[first]
        let end = ends[last]
        let text = String(decoding: source[(start - baseOffset)..<(end - baseOffset)], as: UTF8.self)
        return TextSpan(start: start, end: end, text: text)
    }

    /// The normalised text of a range.
    func substring(_ range: NSRange) -> String {
        (text as NSString).substring(with: range)
    }
}

/// Writing-system classes used for length weighting and `language_switch`.
enum ScriptClass: String, CaseIterable, Sendable {
    case latin = "Latin"
    case han = "Han"
    case hangul = "Hangul"
    case kana = "Kana"
    case cyrillic = "Cyrillic"
    case arabic = "Arabic"
    case greek = "Greek"
    case hebrew = "Hebrew"
    case devanagari = "Devanagari"
    case thai = "Thai"

    static func of(_ scalar: Unicode.Scalar) -> ScriptClass? {
        let value = scalar.value
        switch value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: return .latin
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FFFF: return .han
        case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: return .hangul
        case 0x3040...0x30FF, 0x31F0...0x31FF: return .kana
        case 0x400...0x52F: return .cyrillic
        case 0x600...0x6FF, 0x750...0x77F: return .arabic
        case 0x370...0x3FF: return .greek
        case 0x590...0x5FF: return .hebrew
        case 0x900...0x97F: return .devanagari
        case 0xE00...0xE7F: return .thai
        default: return nil
        }
    }

    static func isDense(_ scalar: Unicode.Scalar) -> Bool {
        switch of(scalar) {
        case .han, .hangul, .kana: return true
        default: return false
        }
    }
}
