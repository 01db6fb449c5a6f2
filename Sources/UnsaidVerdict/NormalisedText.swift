import Foundation

/// Text prepared for matching, with a way back to the original bytes.
///
/// Each character of the source is normalised on its own (NFKC, lower case, the character map,
/// Traditional → Simplified); every whitespace run collapses to one space (a run holding a line
/// break also ends a sentence). Because NFKC composes only within a grapheme cluster, character-by-character
/// normalisation equals whole-string normalisation, and every UTF-16 unit of the result remembers
/// the UTF-8 range of the source character it came from. Matches found in the normalised text
/// are reported as byte offsets into the original answer.
package struct NormalisedText {
    let text: String
    /// UTF-16 length of `text` (what NSRegularExpression counts in).
    let length: Int
    /// For each UTF-16 unit of `text`: start and end UTF-8 offsets of its source character,
    /// counted from the start of the whole answer (`baseOffset` included).
    private let starts: OffsetColumn
    private let ends: OffsetColumn
    let units: [UInt16]
    /// Whether every unit is printable ASCII (U+0020–U+007E).
    let isPrintableASCII: Bool
    /// Prefix sums of character weights (see `RuleParameters.denseScriptWeight`).
    private let weights: OffsetColumn
    /// UTF-16 offsets where sentences start (the first is 0).
    let sentenceStarts: [Int]
    /// UTF-16 ranges inside quotation marks.
    let quoted: [NSRange]
    /// The source bytes, to cut matched spans out of.
    private let source: [UInt8]
    private let baseOffset: Int

    /// The part of the source between the judged head and tail of an over-long text, as UTF-8
    /// offsets counted like `starts` (nil when the whole text was read). It stands in the text
    /// as one paragraph break.
    let omitted: Range<Int>?

    /// - Parameter edgeBytes: when set and the source is longer than twice this many UTF-8 bytes,
    ///   only its first and last `edgeBytes` (cut at character boundaries) are normalised
    ///   (`RuleParameters.judgedEdgeBytes`).
    init(_ source: some StringProtocol, baseOffset: Int = 0, tables: NormalisationTables, edgeBytes: Int? = nil) {
        let window = JudgedWindow(source, edgeBytes: edgeBytes)
        let bytes: [UInt8]
        if let gap = window.gap {
            // Only the judged bytes are kept: spans are cut out of them (see `span`).
            let utf8 = source.utf8
            bytes = Array(utf8[utf8.startIndex..<gap.headEnd]) + Array(utf8[gap.tailStart..<utf8.endIndex])
        } else {
            // Copied from the string's own storage where it has one (a byte at a time otherwise).
            bytes = source.utf8.withContiguousStorageIfAvailable { Array($0) } ?? Array(source.utf8)
        }
        var units: [UInt16]
        var starts: OffsetColumn
        var ends: OffsetColumn
        var traits: [ScalarTraits]
        let quoteMarks: [(position: Int, kind: QuoteKind)]
        let lineBreaks: [Int]
        let hardBoundaries: [Int]
        var text: String
        if window.gap == nil, let plain = PlainASCII(bytes, baseOffset: baseOffset, tables: tables) {
            // Most answers: the columns written straight, one pass, no record per scalar.
            (units, starts, ends, traits) = (plain.units, plain.starts, plain.ends, plain.traits)
            (quoteMarks, lineBreaks, hardBoundaries, text) = (plain.quoteMarks, plain.lineBreaks, [], plain.text)
            omitted = nil
        } else {
            (units, starts, ends, traits, quoteMarks, lineBreaks, hardBoundaries, text, omitted) = Self.built(
                source, bytes: bytes, window: window, baseOffset: baseOffset, tables: tables)
        }
        // Positions are at most the length before the trailing space goes.
        var isLineBreak = [Bool](repeating: false, count: units.count + 1)
        for position in lineBreaks { isLineBreak[position] = true }
        var isHardBoundary = [Bool](repeating: false, count: units.count + 1)
        for position in hardBoundaries { isHardBoundary[position] = true }
        if text.last == " " {
            text.removeLast()
            units.removeLast()
            starts.removeLast()
            ends.removeLast()
            traits.removeLast()
        }
        self.text = text
        self.units = units
        self.length = units.count
        self.starts = starts
        self.ends = ends
        self.source = bytes
        self.baseOffset = baseOffset
        self.isPrintableASCII = units.allSatisfy(CannedPattern.isPrintableASCII)

        var sentenceStarts = [0]
        var unitIndex = 0
        var pendingBoundary = false
        var total = 0
        // The weight sums are written straight into a buffer (one per unit, after a leading 0),
        // then made a column in one go: appended one at a time, they cost more than the rest.
        var sums: [Int] = []
        sums.reserveCapacity(units.count + 1)
        sums.append(0)
        for (index, scalar) in traits.enumerated() {
            if pendingBoundary, !scalar.isWhitespace, !scalar.isTerminator {
                sentenceStarts.append(unitIndex)
                pendingBoundary = false
            }
            if isLineBreak[unitIndex] {
                pendingBoundary = true
            } else if scalar.isTerminator {
                // "3.5" and "e.g" are not sentence ends: an ASCII full stop counts only before a
                // space, the end, or a non-ASCII character (Chinese puts no space after "。").
                if !scalar.isFullStop || index + 1 == traits.count || isHardBoundary[unitIndex] {
                    pendingBoundary = true
                } else if traits[index + 1].endsFullStop {
                    pendingBoundary = true
                }
            }
            total += Int(scalar.weight)
            sums.append(total)
            let width = Int(scalar.width)
            if width > 1 {
                for _ in 1..<width { sums.append(total) }
            }
            unitIndex += width
        }
        self.weights = OffsetColumn(sums)
        self.sentenceStarts = sentenceStarts
        self.quoted = Self.quotedRanges(quoteMarks, isLineBreak: isLineBreak, maximum: tables.quoteMaximumCharacters)
    }

    /// The columns of `bytes` (the judged UTF-8 of `source`) built scalar by scalar: any text.
    private static func built<Source: StringProtocol>(
        _ source: Source, bytes: [UInt8], window: JudgedWindow, baseOffset: Int, tables: NormalisationTables
    ) -> (
        units: [UInt16], starts: OffsetColumn, ends: OffsetColumn, traits: [ScalarTraits],
        quoteMarks: [(position: Int, kind: QuoteKind)], lineBreaks: [Int], hardBoundaries: [Int], text: String,
        omitted: Range<Int>?
    ) {
        var builder = Builder(capacity: bytes.count)
        // Each distinct non-ASCII character is normalised once per text: NFKC through Foundation
        // and the dictionary lookups, done per character, used to dominate judging.
        var cache = TextCharacterCache()
        let omitted: Range<Int>?
        if let gap = window.gap {
            let headCount = gap.headCount
            Self.walk(
                source, bytes: bytes, range: 0..<headCount, sourceStart: source.startIndex, baseOffset: baseOffset,
                tables: tables, cache: &cache, into: &builder)
            // The middle is one paragraph break: no phrase, sentence or quotation spans it.
            builder.whitespace(
                isNewline: true, offset: baseOffset + headCount, length: gap.omittedCount, space: tables.space)
            Self.walk(
                source, bytes: bytes, range: headCount..<bytes.count, sourceStart: gap.tailStart,
                baseOffset: baseOffset + gap.omittedCount, tables: tables, cache: &cache, into: &builder)
            omitted = (baseOffset + headCount)..<(baseOffset + headCount + gap.omittedCount)
        } else {
            Self.walk(
                source, bytes: bytes, range: 0..<bytes.count, sourceStart: source.startIndex, baseOffset: baseOffset,
                tables: tables, cache: &cache, into: &builder)
            omitted = nil
        }
        // Taken out of the builder, not copied: while the builder still held them, dropping the
        // trailing space below copied each array whole (for a 16 MB answer, ~0.7 GB of copies).
        let (units, starts, ends, traits) = builder.columns()
        return (
            units, starts, ends, traits, builder.quoteMarks, builder.lineBreaks, builder.hardBoundaries, builder.text(),
            omitted
        )
    }

    /// Normalises `bytes[range]`, the UTF-8 of `source` (whose first byte is `bytes[range.lowerBound]`
    /// and sits at `source` index `sourceStart`), into `builder`; `baseOffset + i` is the offset
    /// recorded for `bytes[i]`.
    private static func walk<Source: StringProtocol>(
        _ source: Source, bytes: [UInt8], range: Range<Int>, sourceStart: Source.Index, baseOffset: Int,
        tables: NormalisationTables, cache: inout TextCharacterCache, into builder: inout Builder
    ) {
        var index = range.lowerBound
        let end = range.upperBound
        // The source index of `index` when the slow path last left off there (character-aligned).
        var aligned: (offset: Int, index: Source.Index)?
        while index < end {
            let byte = bytes[index]
            let offset = baseOffset + index
            // An ASCII byte followed by another ASCII byte (or the end) is a character on its own,
            // CR LF excepted: no grapheme rule joins two ASCII scalars but that one, and anything
            // that could attach to an ASCII character (marks, ZWJ) is not ASCII.
            if byte < 0x80, index + 1 == end || (bytes[index + 1] < 0x80 && !(byte == 0x0D && bytes[index + 1] == 0x0A))
            {
                if tables.ascii[Int(byte)].kind == .general {
                    builder.piece(tables.normalisation(ofASCII: byte), offset: offset, length: 1, space: tables.space)
                    index += 1
                    continue
                }
                // The stretch of bytes from here that take this same path and are whitespace or
                // a single character each goes in at once (no per-character bookkeeping).
                var stretchEnd = index + 1
                while stretchEnd < end {
                    let next = bytes[stretchEnd]
                    guard next < 0x80, tables.ascii[Int(next)].kind != .general,
                        stretchEnd + 1 == end
                            || (bytes[stretchEnd + 1] < 0x80 && !(next == 0x0D && bytes[stretchEnd + 1] == 0x0A))
                    else { break }
                    stretchEnd += 1
                }
                builder.ascii(bytes, index..<stretchEnd, baseOffset: baseOffset, tables: tables)
                index = stretchEnd
                continue
            }
            // A Han, Hangul or kana character (or other that stands alone, see `standsAlone`)
            // followed by ASCII or another such: a character of its own, without asking String
            // (grapheme breaking cost more than the rest of normalising it). Next to the end of
            // the judged head, whose next bytes are not the source's, String decides as before.
            if byte >= 0xE0, byte < 0xF0, index + 2 < end {
                let second = bytes[index + 1]
                let third = bytes[index + 2]
                let value = UInt32(byte & 0x0F) << 12 | UInt32(second & 0x3F) << 6 | UInt32(third & 0x3F)
                if NormalisationTables.standsAlone(value),
                    Self.startsAloneOrASCII(bytes, at: index + 3, end: end)
                {
                    let key = NormalisationTables.key(byte, second, third)
                    let position = tables.position(
                        of: Character(Unicode.Scalar(value) ?? "\u{FFFD}"), key: key, cache: &cache)
                    builder.piece(cache.entries[position], offset: offset, length: 3, space: tables.space)
                    index += 3
                    continue
                }
            }
            // An ASCII character before one of those is a character of its own too.
            if byte < 0x80, byte != 0x0D, Self.startsAloneOrASCII(bytes, at: index + 1, end: end) {
                builder.piece(tables.normalisation(ofASCII: byte), offset: offset, length: 1, space: tables.space)
                index += 1
                continue
            }
            // Anything else: let String find the character (grapheme breaking) and normalise it.
            let start: Source.Index
            if let aligned, aligned.offset == index {
                start = aligned.index
            } else {
                start = source.utf8.index(sourceStart, offsetBy: index - range.lowerBound)
            }
            let next = source.index(after: start)
            let character = source[start]
            let normalisation = tables.normalisation(of: character, cache: &cache)
            builder.piece(normalisation, offset: offset, length: normalisation.utf8Count, space: tables.space)
            index += normalisation.utf8Count
            aligned = (index, next)
        }
    }

    /// Whether the bytes at `index` start an ASCII character or a scalar that stands alone
    /// (`NormalisationTables.standsAlone`), or end all the judged bytes: then the character
    /// before them ends there. Never at the end of a judged head (`end` short of the bytes).
    @inline(__always)
    private static func startsAloneOrASCII(_ bytes: [UInt8], at index: Int, end: Int) -> Bool {
        guard index < end else { return index == bytes.count }
        let first = bytes[index]
        if first < 0x80 { return true }
        guard first >= 0xE0, first < 0xF0, index + 2 < end else { return false }
        return NormalisationTables.standsAlone(
            UInt32(first & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F))
    }

    /// Pairs quotation marks into quoted ranges. A quote must close on the same line and within
    /// `maximum` characters; otherwise the mark is taken for a stray one and nothing is quoted,
    /// so an unbalanced quote cannot hide the rest of an answer from the detectors.
    private static func quotedRanges(
        _ marks: [(position: Int, kind: QuoteKind)], isLineBreak: [Bool],
        maximum: Int
    ) -> [NSRange] {
        var ranges: [NSRange] = []
        guard !marks.isEmpty else { return ranges }
        // breaksBefore[i]: line breaks at positions below i.
        var breaksBefore = [0]
        breaksBefore.reserveCapacity(isLineBreak.count + 1)
        for flag in isLineBreak { breaksBefore.append(breaksBefore[breaksBefore.count - 1] + (flag ? 1 : 0)) }
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
                let crossesLine = end > start && breaksBefore[end] - breaksBefore[start] > 0
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
        // `quoted` is sorted and its ranges are disjoint, so only the last one starting at or
        // before the location can hold it.
        var low = 0
        var high = quoted.count
        while low < high {
            let middle = (low + high) / 2
            if quoted[middle].location <= range.location { low = middle + 1 } else { high = middle }
        }
        return low > 0 && NSLocationInRange(range.location, quoted[low - 1])
    }

    /// The original bytes a normalised range came from, as a span of the whole answer.
    func span(_ range: NSRange) -> TextSpan {
        guard length > 0, range.location < length else {
            let end = source.count + baseOffset + (omitted?.count ?? 0)
            return TextSpan(start: end, end: end, text: "")
        }
        // Evidence spans never start or end on the whitespace between sentences.
        var first = range.location
        var last = max(first, min(range.location + range.length, length) - 1)
        while first < last, units[first] == 0x20 { first += 1 }
        while last > first, units[last] == 0x20 { last -= 1 }
        let start = starts[first]
        let end = ends[last]
        return TextSpan(start: start, end: end, text: sourceText(start..<end))
    }

    /// The source text between two offsets of the whole answer. Across the unread middle of an
    /// over-long text (`omitted`) it is the judged text on each side with "…" between them:
    /// the middle was never read, and a span must not carry megabytes of it into a verdict.
    private func sourceText(_ range: Range<Int>) -> String {
        // Where an offset of the whole answer sits in `source` (the judged bytes only).
        func stored(_ offset: Int) -> Int {
            let shifted = offset - baseOffset
            guard let omitted else { return min(max(0, shifted), source.count) }
            let local = omitted.lowerBound - baseOffset
            if shifted <= local { return max(0, shifted) }
            return min(max(local, shifted - omitted.count), source.count)
        }
        if let omitted, range.lowerBound < omitted.lowerBound, range.upperBound > omitted.upperBound {
            let cut = omitted.lowerBound - baseOffset
            return String(decoding: source[stored(range.lowerBound)..<cut], as: UTF8.self) + "…"
                + String(decoding: source[cut..<stored(range.upperBound)], as: UTF8.self)
        }
        let lower = stored(range.lowerBound)
        return String(decoding: source[lower..<max(lower, stored(range.upperBound))], as: UTF8.self)
    }

    /// The normalised text of a range.
    func substring(_ range: NSRange) -> String {
        (text as NSString).substring(with: range)
    }
}

/// Which part of a text the detectors read: all of it, or for a text longer than twice
/// `RuleParameters.judgedEdgeBytes`, its first and last that many UTF-8 bytes, each cut back to a
/// character boundary so no character is split between the read and the unread part.
struct JudgedWindow {
    /// The unread middle: where it starts and ends in the source, and how many bytes precede it.
    struct Gap {
        let headEnd: String.Index
        let tailStart: String.Index
        let headCount: Int
        let omittedCount: Int
    }

    /// nil when the whole text is read.
    let gap: Gap?

    /// How far a cut looks for a character boundary before settling for a scalar boundary. A
    /// grapheme cluster longer than this is only ever made to be one; bounding the search keeps
    /// such input from costing more than any other.
    static let boundarySearchBytes = 256

    init(_ source: some StringProtocol, edgeBytes: Int?) {
        let utf8 = source.utf8
        let count = utf8.count
        guard let edgeBytes, edgeBytes >= 0, count > 2 * edgeBytes else {
            gap = nil
            return
        }
        let headCount = Self.boundary(in: source, near: edgeBytes, step: -1)
        let tailOffset = max(headCount, Self.boundary(in: source, near: count - edgeBytes, step: 1))
        gap = Gap(
            headEnd: utf8.index(utf8.startIndex, offsetBy: headCount),
            tailStart: utf8.index(utf8.startIndex, offsetBy: tailOffset), headCount: headCount,
            omittedCount: tailOffset - headCount)
    }

    /// The UTF-8 offset of the nearest character boundary to `offset`, searching backward
    /// (`step` -1) or forward (+1) for at most `boundarySearchBytes`; past that, the nearest
    /// scalar boundary at or before it.
    private static func boundary(in source: some StringProtocol, near offset: Int, step: Int) -> Int {
        let utf8 = source.utf8
        let count = utf8.count
        var candidate = offset
        for _ in 0...boundarySearchBytes where (0...count).contains(candidate) {
            if String.Index(utf8.index(utf8.startIndex, offsetBy: candidate), within: source) != nil {
                return candidate
            }
            candidate += step
        }
        // A UTF-8 continuation byte (10xxxxxx) is never the start of a scalar.
        candidate = offset
        while candidate > 0, candidate < count, utf8[utf8.index(utf8.startIndex, offsetBy: candidate)] & 0xC0 == 0x80 {
            candidate -= 1
        }
        return candidate
    }
}

/// Non-negative integers, one per UTF-16 unit of a normalised text (source offsets, weight
/// sums), in 4 bytes each while they fit, instead of 8: for a huge answer these columns were most
/// of the detector's memory (a 16 MiB answer: three columns of 134 MB each). A value beyond
/// `UInt32.max` (a text over 4 GiB) moves the column to full-width integers, so nothing is cut.
struct OffsetColumn {
    private var narrow: [UInt32] = []
    private var wide: [Int] = []
    private var isWide = false

    var count: Int { isWide ? wide.count : narrow.count }

    init() {}

    /// A column of these values (all of which fit 4 bytes).
    init(narrow values: [UInt32]) {
        narrow = values
    }

    /// A column of these values, holding the same as appending them one by one would.
    init(_ values: [Int]) {
        guard values.allSatisfy({ UInt32(exactly: $0) != nil }) else {
            wide = values
            isWide = true
            return
        }
        narrow = [UInt32](unsafeUninitializedCapacity: values.count) { buffer, initialized in
            for index in values.indices { buffer[index] = UInt32(truncatingIfNeeded: values[index]) }
            initialized = values.count
        }
    }

    mutating func reserveCapacity(_ capacity: Int) {
        narrow.reserveCapacity(capacity)
    }

    // Inlined: it runs once or twice per unit of every normalised text, and as a call it cost
    // more than the store it makes.
    @inline(__always)
    mutating func append(_ value: Int) {
        if !isWide, let small = UInt32(exactly: value) {
            narrow.append(small)
            return
        }
        if !isWide {
            wide = narrow.map(Int.init)
            narrow = []
            isWide = true
        }
        wide.append(value)
    }

    mutating func removeLast() {
        if isWide { wide.removeLast() } else { narrow.removeLast() }
    }

    subscript(index: Int) -> Int {
        isWide ? wide[index] : Int(narrow[index])
    }
}

/// The columns of a text that is all ASCII, each byte whitespace or a character that normalises
/// to one ASCII character, with no CR (CR LF is one character): what `Builder.ascii` makes of it,
/// written straight into the columns in one pass instead of as a record per scalar split into
/// them afterwards (which took most of the time spent normalising an English answer).
private struct PlainASCII {
    let units: [UInt16]
    let starts: OffsetColumn
    let ends: OffsetColumn
    let traits: [ScalarTraits]
    let quoteMarks: [(position: Int, kind: QuoteKind)]
    let lineBreaks: [Int]
    let text: String

    /// Nil when `bytes` holds anything else (or offsets past 4 bytes): then the general path.
    init?(_ bytes: [UInt8], baseOffset: Int, tables: NormalisationTables) {
        guard baseOffset >= 0, UInt32(exactly: baseOffset + bytes.count + 1) != nil else { return nil }
        var quoteMarks: [(position: Int, kind: QuoteKind)] = []
        var lineBreaks: [Int] = []
        var count = 0
        var units = [UInt16](repeating: 0, count: bytes.count)
        var starts = [UInt32](repeating: 0, count: bytes.count)
        var traits = [ScalarTraits](repeating: tables.space, count: bytes.count)
        var utf8 = [UInt8](repeating: 0, count: bytes.count)
        let space = tables.space
        let plain = units.withUnsafeMutableBufferPointer { units in
            starts.withUnsafeMutableBufferPointer { starts in
                traits.withUnsafeMutableBufferPointer { traits in
                    utf8.withUnsafeMutableBufferPointer { utf8 in
                        tables.ascii.withUnsafeBufferPointer { table in
                            bytes.withUnsafeBufferPointer { bytes in
                                var lastWasSpace = true  // leading whitespace is dropped
                                for index in bytes.indices {
                                    let byte = bytes[index]
                                    guard byte < 0x80, byte != 0x0D else { return false }
                                    let fast = table[Int(byte)]
                                    let offset = UInt32(truncatingIfNeeded: baseOffset + index)
                                    switch fast.kind {
                                    case .general:
                                        return false
                                    case .whitespace:
                                        if lastWasSpace {
                                            // A run that contains a line break ends a sentence.
                                            if fast.isNewline, count > 0 { lineBreaks.append(count - 1) }
                                            continue
                                        }
                                        if fast.isNewline { lineBreaks.append(count) }
                                        units[count] = 0x20
                                        traits[count] = space
                                        utf8[count] = 0x20
                                        lastWasSpace = true
                                    case .single:
                                        lastWasSpace = false
                                        if let quote = fast.quote { quoteMarks.append((count, quote)) }
                                        units[count] = UInt16(fast.unit)
                                        traits[count] = fast.traits
                                        utf8[count] = fast.unit
                                    }
                                    starts[count] = offset
                                    count += 1
                                }
                                return true
                            }
                        }
                    }
                }
            }
        }
        guard plain else { return nil }
        units.removeLast(bytes.count - count)
        starts.removeLast(bytes.count - count)
        traits.removeLast(bytes.count - count)
        // Every unit is one source byte.
        let ends = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = starts[index] + 1 }
            initialized = count
        }
        self.units = units
        self.starts = OffsetColumn(narrow: starts)
        self.ends = OffsetColumn(narrow: ends)
        self.traits = traits
        self.quoteMarks = quoteMarks
        self.lineBreaks = lineBreaks
        text = String(decoding: utf8[..<count], as: UTF8.self)
    }
}

/// Accumulates normalised text while `NormalisedText.init` walks the source.
private struct Builder {
    /// One scalar of the normalised text: its UTF-16 (`second` only when `traits.width` is 2),
    /// the UTF-8 offsets of the source character it came from, and its traits. Kept as one
    /// record so a character is one write, not one per column; `columns()` splits them.
    struct Scalar {
        var first: UInt16
        var second: UInt16
        var start: Int
        var end: Int
        var traits: ScalarTraits
    }

    /// `scalars[..<count]` is the text so far; the rest is room, filled ahead so a stretch of
    /// ASCII is written through one buffer instead of appended a character at a time.
    private var scalars: [Scalar]
    private var count = 0
    /// The same text as UTF-8 (`utf8[..<utf8Count]`), which String takes without transcoding.
    private var utf8: [UInt8]
    private var utf8Count = 0
    /// UTF-16 units so far (what positions count in).
    private(set) var unitCount = 0
    private(set) var quoteMarks: [(position: Int, kind: QuoteKind)] = []
    // Ideographic full stops (。！？) always end a sentence, even before a digit ("。5月").
    private(set) var hardBoundaries: [Int] = []
    // Positions of spaces that stand for a run of whitespace containing a line break.
    private(set) var lineBreaks: [Int] = []
    private var lastWasSpace = true  // leading whitespace is dropped

    private static let blank = Scalar(
        first: 0, second: 0, start: 0, end: 0, traits: ScalarTraits(" ", denseScriptWeight: 1, sentenceTerminators: []))

    init(capacity: Int) {
        scalars = Array(repeating: Self.blank, count: max(16, capacity))
        utf8 = Array(repeating: 0, count: max(16, capacity))
    }

    /// Room for `scalars` more scalars and `bytes` more UTF-8 bytes.
    private mutating func reserve(scalars needed: Int, bytes: Int) {
        if count + needed > scalars.count {
            scalars.append(contentsOf: repeatElement(Self.blank, count: max(needed, scalars.count)))
        }
        if utf8Count + bytes > utf8.count {
            utf8.append(contentsOf: repeatElement(0, count: max(bytes, utf8.count)))
        }
    }

    private mutating func push(_ scalar: Scalar) {
        scalars[count] = scalar
        count += 1
    }

    /// The normalised text so far.
    func text() -> String {
        String(decoding: utf8[..<utf8Count], as: UTF8.self)
    }

    /// The text's columns: UTF-16 units, each unit's source start and end, each scalar's traits.
    func columns() -> (units: [UInt16], starts: OffsetColumn, ends: OffsetColumn, traits: [ScalarTraits]) {
        let count = self.count
        return scalars.withUnsafeBufferPointer { all in
            let scalars = UnsafeBufferPointer(rebasing: all[..<count])
            let traits = [ScalarTraits](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count { buffer[index] = scalars[index].traits }
                initialized = count
            }
            // Nearly always every scalar is one unit and every offset fits 4 bytes: then each
            // column is written straight.
            if count == unitCount,
                scalars.allSatisfy({ UInt32(exactly: $0.start) != nil && UInt32(exactly: $0.end) != nil })
            {
                let units = [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for index in 0..<count { buffer[index] = scalars[index].first }
                    initialized = count
                }
                let starts = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for index in 0..<count { buffer[index] = UInt32(truncatingIfNeeded: scalars[index].start) }
                    initialized = count
                }
                let ends = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for index in 0..<count { buffer[index] = UInt32(truncatingIfNeeded: scalars[index].end) }
                    initialized = count
                }
                return (units, OffsetColumn(narrow: starts), OffsetColumn(narrow: ends), traits)
            }
            var units: [UInt16] = []
            var starts = OffsetColumn()
            var ends = OffsetColumn()
            units.reserveCapacity(unitCount)
            starts.reserveCapacity(unitCount)
            ends.reserveCapacity(unitCount)
            for scalar in scalars {
                units.append(scalar.first)
                starts.append(scalar.start)
                ends.append(scalar.end)
                if scalar.traits.width > 1 {
                    units.append(scalar.second)
                    starts.append(scalar.start)
                    ends.append(scalar.end)
                }
            }
            return (units, starts, ends, traits)
        }
    }

    /// `bytes[range]`, ASCII characters each of which is whitespace or normalises to one ASCII
    /// character (`tables.ascii` says which), `bytes[i]` at source offset `baseOffset + i`: the
    /// same as `whitespace` (length 1) or `single` for each in turn, written through buffers.
    mutating func ascii(_ bytes: [UInt8], _ range: Range<Int>, baseOffset: Int, tables: NormalisationTables) {
        reserve(scalars: range.count, bytes: range.count)
        var count = self.count
        var utf8Count = self.utf8Count
        var unitCount = self.unitCount
        var lastWasSpace = self.lastWasSpace
        var lineBreaks = self.lineBreaks
        var quoteMarks = self.quoteMarks
        self.lineBreaks = []
        self.quoteMarks = []
        let space = tables.space
        scalars.withUnsafeMutableBufferPointer { scalars in
            utf8.withUnsafeMutableBufferPointer { utf8 in
                tables.ascii.withUnsafeBufferPointer { table in
                    bytes.withUnsafeBufferPointer { bytes in
                        for index in range {
                            let fast = table[Int(bytes[index])]
                            let offset = baseOffset + index
                            if fast.kind == .whitespace {
                                if lastWasSpace {
                                    // A run that contains a line break ends a sentence.
                                    if fast.isNewline, unitCount > 0 { lineBreaks.append(unitCount - 1) }
                                    continue
                                }
                                if fast.isNewline { lineBreaks.append(unitCount) }
                                scalars[count] = Scalar(
                                    first: 0x20, second: 0, start: offset, end: offset + 1, traits: space)
                                utf8[utf8Count] = 0x20
                                lastWasSpace = true
                            } else {
                                lastWasSpace = false
                                if let quote = fast.quote { quoteMarks.append((unitCount, quote)) }
                                scalars[count] = Scalar(
                                    first: UInt16(fast.unit), second: 0, start: offset, end: offset + 1,
                                    traits: fast.traits)
                                utf8[utf8Count] = fast.unit
                            }
                            count += 1
                            utf8Count += 1
                            unitCount += 1
                        }
                    }
                }
            }
        }
        self.count = count
        self.utf8Count = utf8Count
        self.unitCount = unitCount
        self.lastWasSpace = lastWasSpace
        self.lineBreaks = lineBreaks
        self.quoteMarks = quoteMarks
    }

    mutating func whitespace(isNewline: Bool, offset: Int, length: Int, space: ScalarTraits) {
        if lastWasSpace {
            // A run that contains a line break ends a sentence (a list item, a paragraph).
            if isNewline, unitCount > 0 { lineBreaks.append(unitCount - 1) }
            return
        }
        // Every whitespace run is one space, so phrases match across line wrapping.
        if isNewline { lineBreaks.append(unitCount) }
        reserve(scalars: 1, bytes: 1)
        push(Scalar(first: 0x20, second: 0, start: offset, end: offset + length, traits: space))
        utf8[utf8Count] = 0x20
        utf8Count += 1
        unitCount += 1
        lastWasSpace = true
    }

    mutating func piece(_ normalisation: CharacterNormalisation, offset: Int, length: Int, space: ScalarTraits) {
        if normalisation.isWhitespace {
            whitespace(isNewline: normalisation.isNewline, offset: offset, length: length, space: space)
            return
        }
        lastWasSpace = false
        let position = unitCount
        if let quote = normalisation.quote { quoteMarks.append((position, quote)) }
        if normalisation.hardBoundary { hardBoundaries.append(position) }
        reserve(scalars: normalisation.scalars.count, bytes: normalisation.utf8.count)
        for byte in normalisation.utf8 {
            utf8[utf8Count] = byte
            utf8Count += 1
        }
        // The piece's scalars take its units in order, one or two each (`width`).
        let units = normalisation.units
        var unit = 0
        for traits in normalisation.scalars {
            let second = traits.width > 1 && unit + 1 < units.count ? units[unit + 1] : 0
            push(Scalar(first: units[unit], second: second, start: offset, end: offset + length, traits: traits))
            unit += Int(traits.width)
        }
        unitCount += units.count
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
