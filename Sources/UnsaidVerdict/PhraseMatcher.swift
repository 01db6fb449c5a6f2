import Foundation

/// Runs phrase expressions over one normalised text, skipping those whose required literals the
/// text lacks (see `LiteralCondition`). The literals are found once, in one pass, when the
/// matcher is made; a skipped expression could not have matched, so results are the same.
package struct PhraseMatcher {
    let text: NormalisedText
    private let present: [Bool]

    init(_ text: NormalisedText, rules: CompiledRules) {
        self.text = text
        present = rules.literals.present(in: text.units)
    }

    /// Every match of `phrase` in the whole text, in text order.
    func matches(_ phrase: CompiledPhrase) -> [NSRange] {
        guard phrase.requirement.holds(present) else { return [] }
        return phrase.matches(in: text)
    }

    /// The positions in `phrases`, in order, of those whose literals the text has: the only ones
    /// `matches` can find anything for. The phrases are read in place (looping over them copied
    /// each, a dozen references retained and released, for the one or two a text needs).
    func candidates(_ phrases: [CompiledPhrase]) -> [Int] {
        phrases.withUnsafeBufferPointer { phrases in
            var found: [Int] = []
            for index in phrases.indices where phrases[index].requirement.holds(present) { found.append(index) }
            return found
        }
    }
}
