import Foundation

/// An inline reasoning block at the start of the answer (`<think>…</think>`, as reasoning models
/// served without a reasoning parser emit it).
struct ThinkBlock: Equatable {
    /// UTF-8 offset where the answer proper starts (after `</think>` and following whitespace).
    var answerStart: Int
    /// The reasoning inside the block.
    var reasoning: String
    /// Whether the block closed; an unclosed one swallows the whole answer.
    var closed: Bool

    private static let open = "<think>"
    private static let close = "</think>"

    /// The block at the start of `content`, if any (leading whitespace allowed).
    static func find(in content: String) -> ThinkBlock? {
        let trimmed = content.drop { $0.isWhitespace }
        guard trimmed.hasPrefix(open) else { return nil }
        let inner = trimmed.dropFirst(open.count)
        guard let closing = inner.range(of: close) else {
            return ThinkBlock(answerStart: content.utf8.count, reasoning: String(inner), closed: false)
        }
        let after = inner[closing.upperBound...].drop { $0.isWhitespace }
        let start = content.utf8.distance(from: content.startIndex, to: after.startIndex)
        return ThinkBlock(answerStart: start, reasoning: String(inner[..<closing.lowerBound]), closed: true)
    }
}

/// Counts letters by writing system, for `language_switch`.
enum ScriptCount {
    /// For an all-ASCII text without a backtick (most answers), its letters, all Latin, counted
    /// on its bytes; nil for any other text. What `letters(in:)` counts scalar by scalar: in
    /// ASCII, `ScriptClass.of` finds Latin in A–Z and a–z and nothing else.
    private static func asciiLetters(in text: String) -> Int? {
        var text = text
        return text.withUTF8 { bytes -> Int? in
            var letters = 0
            for byte in bytes {
                guard byte < 0x80, byte != UInt8(ascii: "`") else { return nil }
                if (0x61...0x7A).contains(byte | 0x20) { letters += 1 }
            }
            return letters
        }
    }

    /// Letters per script in `text`, skipping fenced code blocks (code is Latin in any language).
    static func letters(in text: String) -> [ScriptClass: Int] {
        if let latin = asciiLetters(in: text) { return latin == 0 ? [:] : [.latin: latin] }
        // Fences and inline code need a backtick: a line starts with "```" only if it holds a
        // scalar that is a backtick character (U+0060, or U+1FEF, canonically the same). Without
        // one, every line counts in full, so one pass over the scalars gives the same counts
        // without splitting and trimming (Foundation) every line.
        if !text.unicodeScalars.contains(where: { $0 == "`" || $0 == "\u{1FEF}" }) {
            var tally: [ScriptClass: Int] = [:]
            var latin = 0  // most scalars of most answers; counted apart to skip hashing them
            for scalar in text.unicodeScalars {
                guard let script = ScriptClass.of(scalar) else { continue }
                if script == .latin { latin += 1 } else { tally[script, default: 0] += 1 }
            }
            if latin > 0 { tally[.latin] = latin }
            return tally
        }
        var counts: [ScriptClass: Int] = [:]
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            guard !inFence else { continue }
            var inCode = false
            for scalar in line.unicodeScalars {
                if scalar == "`" { inCode.toggle(); continue }
                guard !inCode, let script = ScriptClass.of(scalar) else { continue }
                counts[script, default: 0] += 1
            }
        }
        return counts
    }
}
