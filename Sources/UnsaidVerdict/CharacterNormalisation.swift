import Foundation

/// Which side of a quotation a quotation mark opens or closes.
enum QuoteKind { case open, close, either }

/// Everything `NormalisedText` needs to know about one source character. A pure function of the
/// character, so it can be computed once and reused for every occurrence.
struct CharacterNormalisation: Sendable {
    let utf8Count: Int
    let isWhitespace: Bool
    let isNewline: Bool
    /// The rest is only filled in for characters that are not whitespace.
    let quote: QuoteKind?
    /// A non-ASCII character that normalises to a sentence terminator (。！？): always a sentence end.
    let hardBoundary: Bool
    /// The normalised piece, as UTF-16, as UTF-8 and as scalars with their traits.
    let units: [UInt16]
    let utf8: [UInt8]
    let scalars: [ScalarTraits]

    init(_ character: Character, tables: NormalisationTables) {
        utf8Count = character.utf8.count
        isWhitespace = character.isWhitespace
        isNewline = character.isNewline
        guard !isWhitespace else {
            quote = nil
            hardBoundary = false
            units = []
            utf8 = []
            scalars = []
            return
        }
        if tables.quoteOpen.contains(character) {
            quote = .open
        } else if tables.quoteClose.contains(character) {
            quote = .close
        } else if tables.quoteEither.contains(character) {
            quote = .either
        } else {
            quote = nil
        }
        let piece = NormalisationTables.normalise(character, tables: tables)
        if !character.isASCII, piece.count == 1, let first = piece.first, tables.sentenceTerminators.contains(first) {
            hardBoundary = true
        } else {
            hardBoundary = false
        }
        units = Array(piece.utf16)
        utf8 = Array(piece.utf8)
        scalars = piece.unicodeScalars.map {
            ScalarTraits(
                $0, denseScriptWeight: tables.denseScriptWeight, sentenceTerminators: tables.sentenceTerminators)
        }
    }
}

/// An ASCII character's normalisation without arrays, for the per-byte fast path.
struct ASCIINormalisation: Sendable {
    enum Kind { case whitespace, single, general }
    /// `single`: the piece is one ASCII character (`unit`, `traits`); `general`: anything else,
    /// use the full `CharacterNormalisation`.
    let kind: Kind
    let isNewline: Bool
    let quote: QuoteKind?
    let unit: UInt8
    let traits: ScalarTraits

    init(_ normalisation: CharacterNormalisation) {
        isNewline = normalisation.isNewline
        quote = normalisation.quote
        if normalisation.isWhitespace {
            kind = .whitespace
        } else if normalisation.units.count == 1, normalisation.units[0] < 0x80, !normalisation.hardBoundary,
            normalisation.scalars.count == 1
        {
            kind = .single
        } else {
            kind = .general
        }
        unit = kind == .single ? UInt8(normalisation.units[0]) : 0
        traits =
            kind == .single
            ? normalisation.scalars[0] : ScalarTraits(" ", denseScriptWeight: 1, sentenceTerminators: [])
    }
}

/// What the weighting and sentence-splitting pass needs to know about one scalar of normalised text.
/// Small on purpose: one is kept per UTF-16 unit while a text is normalised, so at 12 bytes
/// instead of 24 a 16 MB answer needs 200 MB less.
struct ScalarTraits: Sendable {
    /// The weight in the low 32 bits, the width and flags above it. One word, so writing a
    /// character's traits into a column is one store (field by field, six of them, it was 40% of
    /// normalising a plain ASCII answer).
    private let packed: UInt64

    private static let widthShift: UInt64 = 32
    private static let whitespaceBit: UInt64 = 1 << 40
    private static let terminatorBit: UInt64 = 1 << 41
    private static let fullStopBit: UInt64 = 1 << 42
    private static let endsFullStopBit: UInt64 = 1 << 43

    /// Characters weight (0 for whitespace, `denseScriptWeight` for Han, Hangul and Kana, else 1).
    var weight: Int32 { Int32(truncatingIfNeeded: packed) }
    /// UTF-16 units (1 or 2).
    var width: UInt8 { UInt8(truncatingIfNeeded: packed >> Self.widthShift) }
    var isWhitespace: Bool { packed & Self.whitespaceBit != 0 }
    var isTerminator: Bool { packed & Self.terminatorBit != 0 }
    /// U+002E, the only terminator that needs a look at the next scalar.
    var isFullStop: Bool { packed & Self.fullStopBit != 0 }
    /// Whether a full stop right before this scalar ends a sentence (whitespace, non-ASCII, `"`).
    var endsFullStop: Bool { packed & Self.endsFullStopBit != 0 }

    init(_ scalar: Unicode.Scalar, denseScriptWeight: Int, sentenceTerminators: Set<Character>) {
        let isWhitespace = scalar.properties.isWhitespace
        let weight: Int32
        if isWhitespace {
            weight = 0
        } else if ScriptClass.isDense(scalar) {
            weight = Int32(clamping: denseScriptWeight)
        } else {
            weight = 1
        }
        var packed = UInt64(UInt32(bitPattern: weight)) | UInt64(scalar.utf16.count) << Self.widthShift
        if isWhitespace { packed |= Self.whitespaceBit }
        if sentenceTerminators.contains(Character(scalar)) { packed |= Self.terminatorBit }
        if scalar == "." { packed |= Self.fullStopBit }
        if isWhitespace || !scalar.isASCII || scalar == "\"" { packed |= Self.endsFullStopBit }
        self.packed = packed
    }
}
