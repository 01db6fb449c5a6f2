import Foundation

/// A phrase rule ready to match: its id and its compiled expression.
struct CompiledPhrase: @unchecked Sendable {
    // NSRegularExpression is immutable once built and documented as safe to share across threads.
    let id: String
    let language: String
    let regex: NSRegularExpression
    let maxSentence: Int?
    /// Literals any match must contain (see `LiteralCondition`); `.always` when unknown.
    let condition: LiteralCondition
    /// `condition` in the form checked on every answer.
    let requirement: LiteralCondition.Program

    init(
        id: String, language: String, regex: NSRegularExpression, maxSentence: Int? = nil,
        condition: LiteralCondition = .always
    ) {
        self.id = id
        self.language = language
        self.regex = regex
        self.maxSentence = maxSentence
        self.condition = condition
        requirement = LiteralCondition.Program(condition)
    }

    /// Every match in the whole text. Prefer `PhraseMatcher.matches`, which skips the expression
    /// when the text lacks the literals a match needs.
    func matches(in text: NormalisedText) -> [NSRange] {
        regex.matches(in: text.text, range: NSRange(location: 0, length: text.length)).map(\.range)
    }
}

/// The ruleset in the form the detectors use: expressions compiled, tables built. Built once
/// when a ruleset loads, so judging many transcripts never recompiles anything.
struct CompiledRules: Sendable {
    let tables: NormalisationTables

    let refusal: [CompiledPhrase]
    let nonRefusal: [CompiledPhrase]
    let partialPivot: [CompiledPhrase]
    let deflection: [CompiledPhrase]
    let officialLine: [CompiledPhrase]
    let pivot: [CompiledPhrase]
    let offer: [CompiledPhrase]
    let reasoningRefusal: [CompiledPhrase]
    let errorPatterns: [(pattern: SignalRules.ErrorPattern, regex: CompiledPhrase)]
    /// Canned texts, normalised the same way answers are, longest first so a longer form wins.
    let canned: [CannedPattern]
    /// Finds the literals the phrase conditions refer to.
    let literals: LiteralScanner

    init(
        normalisation: NormalisationRules, parameters: RuleParameters, signals: SignalRules,
        canned: [CannedText], phraseSets: [PhraseSet]
    ) throws {
        let tables = try NormalisationTables(normalisation, parameters: parameters)
        self.tables = tables

        var analysis = LiteralCondition.Analysis()
        // Patterns are mostly ASCII; a table without ASCII keys leaves those characters as they
        // are, so they are not looked up (hashing a Character cost a thousand instructions).
        let foldsASCII = tables.traditionalToSimplified.keys.contains { $0.isASCII }
        func compile(_ keyPath: KeyPath<PhraseSet, [PhraseRule]?>) throws -> [CompiledPhrase] {
            try phraseSets.flatMap { set in
                try (set[keyPath: keyPath] ?? []).map { rule in
                    // Patterns are written in Simplified Chinese; folding them too keeps a pattern
                    // character that the table folds (e.g. 著 → 着) matching folded text.
                    let expanded = try Self.expand(rule.pattern, macros: set.macros ?? [:], rule: rule.id)
                    // An all-ASCII pattern (every English one) folds to itself when no ASCII
                    // character folds: spared a walk over its characters.
                    let folded =
                        !foldsASCII && expanded.utf8.allSatisfy({ $0 < 0x80 })
                        ? expanded
                        : String(
                            expanded.map {
                                !foldsASCII && $0.isASCII ? $0 : tables.traditionalToSimplified[$0] ?? $0
                            })
                    return try CompiledPhrase(
                        id: rule.id, language: set.language,
                        regex: Self.regex(folded, rule: rule.id), maxSentence: rule.maxSentence,
                        condition: analysis.condition(for: folded))
                }
            }
        }
        refusal = try compile(\.refusal)
        nonRefusal = try compile(\.nonRefusal)
        partialPivot = try compile(\.partialPivot)
        deflection = try compile(\.deflection)
        officialLine = try compile(\.officialLine)
        pivot = try compile(\.pivot)
        offer = try compile(\.offer)
        reasoningRefusal = try compile(\.reasoningRefusal)
        literals = LiteralScanner(literals: analysis.literals)
        errorPatterns = try signals.errorPatterns.map { pattern in
            (
                pattern,
                CompiledPhrase(id: pattern.id, language: "", regex: try Self.regex(pattern.pattern, rule: pattern.id))
            )
        }
        // Canned texts get the same folding as answers, so a full-width or Traditional copy still matches.
        self.canned =
            canned
            .map {
                CannedPattern(
                    text: $0,
                    normalised: NormalisedText($0.text, tables: tables).text.trimmingCharacters(
                        in: .whitespacesAndNewlines))
            }
            .sorted {
                $0.normalised.count != $1.normalised.count
                    ? $0.normalised.count > $1.normalised.count : $0.text.id < $1.text.id
            }
    }

    /// Replaces `{NAME}` with the phrase file's macro NAME (macros may use other macros).
    static func expand(_ pattern: String, macros: [String: String], rule: String, depth: Int = 0) throws -> String {
        guard pattern.contains("{"), depth < 8 else { return pattern }
        // Making `{NAME}` of every macro of the file and searching the pattern for it was about a
        // twentieth of loading the ruleset; only a macro named between braces somewhere in the text
        // is searched for now (see `BracedNames`), with the same search and replacement as before.
        var braced = BracedNames(pattern)
        var result = pattern
        for (name, body) in macros where braced.mayHold(name) && result.contains("{\(name)}") {
            result = result.replacingOccurrences(of: "{\(name)}", with: body)
            braced = BracedNames(result)
        }
        return result == pattern ? result : try expand(result, macros: macros, rule: rule, depth: depth + 1)
    }

    /// Which `{NAME}` a text can hold, as `String.contains` finds it: the bytes from each `{` to the
    /// first `}` after it. A name of ASCII characters other than `}` is found only where its bytes
    /// stand between braces, or where characters canonically equivalent to ASCII ones (K for the
    /// Kelvin sign) do, which are not ASCII: with such a text, or any other name, every macro is
    /// searched for, as before.
    struct BracedNames {
        private var names: Set<[UInt8]> = []
        private var hasNonASCII = false

        init(_ text: String) {
            let bytes = Array(text.utf8)
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "{") {
                guard let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "}")) else { break }
                let name = Array(bytes[(index + 1)..<close])
                if name.contains(where: { $0 >= 0x80 }) { hasNonASCII = true }
                names.insert(name)
            }
        }

        func mayHold(_ name: String) -> Bool {
            let bytes = Array(name.utf8)
            let plain = !bytes.contains { $0 >= 0x80 || $0 == UInt8(ascii: "}") }
            return !plain || hasNonASCII || names.contains(bytes)
        }
    }

    static func regex(_ pattern: String, rule: String) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern, options: [])
        } catch {
            throw RulesetError.badPattern(rule: rule, message: "\(error)")
        }
    }
}
