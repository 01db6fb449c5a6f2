import Foundation

/// Rewrites the occurrences of a probe's sensitive `terms:` inside its prompt, leaving every
/// other character alone, so a changed verdict points at the words and not at the question.
///
/// Terms match as written (case-sensitive), longest term first, occurrences never overlap.
struct TermRewriter: Sendable {
    var terms: [String]

    /// `spaced`'s separators by argument name.
    static let separators: [String: String] = ["space": " ", "zero-width": "\u{200B}"]

    /// Each character inside a term occurrence replaced by `lookalike(character)` when it has one.
    func replacing(in text: String, lookalike: (Character) -> Character?) -> String {
        let characters = Array(text)
        let covered = occurrences(in: characters)
        var out = ""
        for (index, character) in characters.enumerated() {
            if covered[index] != nil, let replacement = lookalike(character) {
                out.append(replacement)
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// `separator` between neighbouring characters of one term occurrence (`天 安 门`,
    /// `T i a n a n m e n`), never next to whitespace already there.
    func spacing(_ text: String, separator: String) -> String {
        let characters = Array(text)
        let covered = occurrences(in: characters)
        var out = ""
        for (index, character) in characters.enumerated() {
            if index > 0, let current = covered[index], covered[index - 1] == current,
                !character.isWhitespace, !characters[index - 1].isWhitespace
            {
                out += separator
            }
            out.append(character)
        }
        return out
    }

    /// Position → start of the covering occurrence. Longest terms claim their places first.
    private func occurrences(in characters: [Character]) -> [Int: Int] {
        var covered: [Int: Int] = [:]
        let ordered = terms.map(Array.init).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        for term in ordered where term.count <= characters.count {
            var start = 0
            while start + term.count <= characters.count {
                let range = start..<start + term.count
                if Array(characters[range]).elementsEqual(term, by: Self.same),
                    !range.contains(where: { covered[$0] != nil })
                {
                    for position in range { covered[position] = start }
                    start += term.count
                } else {
                    start += 1
                }
            }
        }
        return covered
    }

    /// Scalar-exact equality: a term never matches its own homoglyph.
    private static func same(_ lhs: Character, _ rhs: Character) -> Bool {
        Array(lhs.unicodeScalars) == Array(rhs.unicodeScalars)
    }
}
