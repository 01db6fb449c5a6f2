import Foundation

/// `lang` attributes for text that came from a suite or a model, so a browser picks the right
/// font for Han characters (Chinese and Japanese glyphs differ) and a screen reader the right
/// voice. The page's own words are English (`<html lang="en">`); everything quoted from a probe
/// or an answer carries the probe's language, and a run of CJK text inside text of another
/// language (a Chinese canned refusal after an English answer) gets its own tag.
package enum HTMLLanguage {
    /// ` lang="zh-Hans"`, ready to put inside a start tag; empty for an empty tag.
    static func attribute(_ language: String) -> String {
        language.isEmpty ? "" : " lang=\"\(XMLEscaping.escape(language))\""
    }

    /// Whether the tag names Chinese, Japanese or Korean (`zh`, `zh-Hant`, `ja`, `ko-KR`, …).
    static func isCJK(_ language: String) -> Bool {
        let primary = language.split(separator: "-").first.map { $0.lowercased() } ?? ""
        return ["zh", "ja", "ko", "yue", "cmn"].contains(primary)
    }

    /// Escaped text in which every run of CJK characters is wrapped in `<span lang="…">`, unless
    /// the surrounding element already says the text is CJK. A run is tagged `ja` when the text
    /// has kana, `ko` when it has Hangul, else `zh`: Han characters alone cannot tell Chinese
    /// from Japanese, and the probe's language is the better guess when it is CJK.
    static func tagged(_ text: String, in language: String) -> String {
        isCJK(language) ? XMLEscaping.escape(text) : taggedRuns(text, language: language)
    }

    /// Escaped text with every run of CJK characters wrapped in `<span lang="…">`, for text in an
    /// element that declares no language (English labels around quoted content): the runs take
    /// the probe's language when it is CJK, else the guess from the script.
    static func taggedRuns(_ text: String, language: String) -> String {
        guard text.unicodeScalars.contains(where: isCJKScalar) else { return XMLEscaping.escape(text) }
        let runLanguage = isCJK(language) ? XMLEscaping.escape(language) : guess(text)
        var out = ""
        var run = ""
        // Spaces wait to see what follows: between two CJK runs they join them (Korean separates
        // words with spaces), otherwise they stay outside the tag.
        var spaces = ""
        var inCJK = false
        func flush() {
            guard !run.isEmpty else { return }
            out += inCJK ? "<span lang=\"\(runLanguage)\">\(XMLEscaping.escape(run))</span>" : XMLEscaping.escape(run)
            run = ""
        }
        for character in text {
            if character.isWhitespace {
                spaces.append(character)
                continue
            }
            let cjk = character.unicodeScalars.contains(where: isCJKScalar)
            if cjk == inCJK {
                run += spaces
            } else {
                flush()
                out += XMLEscaping.escape(spaces)
                inCJK = cjk
            }
            spaces = ""
            run.append(character)
        }
        flush()
        return out + XMLEscaping.escape(spaces)
    }

    static func guess(_ text: String) -> String {
        let scalars = text.unicodeScalars
        if scalars.contains(where: { (0x3040...0x30FF).contains($0.value) }) { return "ja" }
        if scalars.contains(where: { (0xAC00...0xD7AF).contains($0.value) || (0x1100...0x11FF).contains($0.value) }) {
            return "ko"
        }
        return "zh"
    }

    /// Han, kana, Hangul, CJK punctuation and full-width forms.
    static func isCJKScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x11FF, 0x2E80...0x2FDF, 0x3000...0x303F, 0x3040...0x30FF, 0x3100...0x31FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF00...0xFFEF,
            0x20000...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
