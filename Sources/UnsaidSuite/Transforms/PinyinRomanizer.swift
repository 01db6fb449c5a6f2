import Foundation

/// Chinese text to tone-less Hanyu Pinyin, one syllable per character, words of other scripts
/// kept as written: `1989年6月4日，北京发生了什么？` → `1989 nian 6 yue 4 ri, bei jing fa sheng le shen me?`
///
/// Readings come from `TransformTables` (one reading per character, with phrase readings for
/// the words whose characters read differently there). Full-width punctuation becomes its ASCII
/// counterpart so the result is plain Latin text; characters without a reading pass through.
struct PinyinRomanizer: Sendable {
    var tables: TransformTables

    /// What the text is cut into before spacing is decided.
    private enum Piece: Equatable {
        /// A syllable, or a run of other non-space, non-punctuation characters (`1989`, `Tank`).
        case word(String)
        /// Punctuation that attaches to what precedes it (`,` `.` `?` `)` closing quotes).
        case closing(String)
        /// Punctuation that attaches to what follows it (`(` opening quotes).
        case opening(String)
        case space
    }

    private static let closing: [Character: String] = [
        "，": ",", "。": ".", "？": "?", "！": "!", "：": ":", "；": ";", "、": ",", "）": ")",
        "”": "\"", "’": "'", "》": "\"", "」": "\"", "』": "\"", "…": "...",
        ",": ",", ".": ".", "?": "?", "!": "!", ":": ":", ";": ";", ")": ")",
    ]
    private static let opening: [Character: String] = [
        "（": "(", "“": "\"", "‘": "'", "《": "\"", "「": "\"", "『": "\"", "(": "(",
    ]

    func romanize(_ text: String) -> String {
        var pieces: [Piece] = []
        var run = ""
        func flush() {
            if !run.isEmpty { pieces.append(.word(run)) }
            run = ""
        }
        tables.pinyinPhrases.scan(
            Array(text),
            matched: { syllables in
                flush()
                pieces += syllables.map(Piece.word)
            },
            unmatched: { character in
                if let syllable = tables.readings[character] {
                    flush()
                    pieces.append(.word(syllable))
                } else if let mark = Self.closing[character] {
                    flush()
                    pieces.append(.closing(mark))
                } else if let mark = Self.opening[character] {
                    flush()
                    pieces.append(.opening(mark))
                } else if character.isWhitespace {
                    flush()
                    pieces.append(.space)
                } else {
                    run.append(character)
                }
            })
        flush()
        return Self.join(pieces)
    }

    /// One space before every word and opening mark, except at the start and right after an
    /// opening mark; closing marks attach to what precedes them. Spaces of the original only
    /// separate pieces, which the rule already does.
    private static func join(_ pieces: [Piece]) -> String {
        var out = ""
        var previous: Piece?
        for piece in pieces {
            switch piece {
            case .space:
                continue
            case .word(let text), .opening(let text):
                if let previous, !isOpening(previous) { out += " " }
                out += text
            case .closing(let text):
                out += text
            }
            previous = piece
        }
        return out
    }

    private static func isOpening(_ piece: Piece) -> Bool {
        if case .opening = piece { return true }
        return false
    }
}
