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

        // Expanding, folding, compiling and parsing a rule's pattern depend on that rule alone
        // and were most of loading the ruleset, every command's start-up: they run on every core
        // (`prepare`). Only numbering the literals depends on the rules before, so it runs
        // afterwards, in the order the rules were compiled in one by one: by kind, then by file.
        let kinds: [KeyPath<PhraseSet, [PhraseRule]?>] = [
            \.refusal, \.nonRefusal, \.partialPivot, \.deflection, \.officialLine, \.pivot, \.offer,
            \.reasoningRefusal,
        ]
        let rules = kinds.indices.flatMap { kind in
            phraseSets.flatMap { set in
                (set[keyPath: kinds[kind]] ?? []).map { PendingRule(kind: kind, set: set, rule: $0) }
            }
        }
        var analysis = LiteralCondition.Analysis()
        var compiled = [[CompiledPhrase]](repeating: [], count: kinds.count)
        for (pending, result) in zip(rules, Self.prepare(rules, tables: tables)) {
            let rule = try result.get()
            compiled[pending.kind].append(
                CompiledPhrase(
                    id: pending.rule.id, language: pending.set.language, regex: rule.regex,
                    maxSentence: pending.rule.maxSentence, condition: analysis.condition(of: rule.parsed)))
        }
        (refusal, nonRefusal, partialPivot, deflection) = (compiled[0], compiled[1], compiled[2], compiled[3])
        (officialLine, pivot, offer, reasoningRefusal) = (compiled[4], compiled[5], compiled[6], compiled[7])
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

    /// A phrase rule and the file it comes from, waiting to be compiled.
    struct PendingRule: Sendable {
        /// Which of the kinds of rule (refusal, non-refusal, …) it is, by position.
        let kind: Int
        let set: PhraseSet
        let rule: PhraseRule
    }

    /// A rule's pattern compiled and parsed; its literals are numbered later, in rule order.
    struct PreparedRule {
        let regex: NSRegularExpression
        let parsed: LiteralCondition.Analysis.Parsed
    }

    /// Prepares every rule, on as many threads as there are cores; the results are in the rules'
    /// order, each the rule's own result or error, so the first error in that order is the one
    /// compiling them one by one would have thrown.
    static func prepare(
        _ rules: [PendingRule], tables: NormalisationTables, concurrently: Bool = true
    ) -> [Result<PreparedRule, any Error>] {
        // Patterns are mostly ASCII; a table without ASCII keys leaves those characters as they
        // are, so they are not looked up (hashing a Character cost a thousand instructions).
        let foldsASCII = tables.traditionalToSimplified.keys.contains { $0.isASCII }
        @Sendable func prepare(_ pending: PendingRule) -> Result<PreparedRule, any Error> {
            Result {
                let rule = pending.rule
                // Patterns are written in Simplified Chinese; folding them too keeps a pattern
                // character that the table folds (e.g. 著 → 着) matching folded text.
                let expanded = try expand(rule.pattern, macros: pending.set.macros ?? [:], rule: rule.id)
                // An all-ASCII pattern (every English one) folds to itself when no ASCII
                // character folds: spared a walk over its characters.
                let folded =
                    !foldsASCII && expanded.utf8.allSatisfy({ $0 < 0x80 })
                    ? expanded
                    : String(
                        expanded.map {
                            !foldsASCII && $0.isASCII ? $0 : tables.traditionalToSimplified[$0] ?? $0
                        })
                return PreparedRule(regex: try regex(folded, rule: rule.id), parsed: .init(folded))
            }
        }
        guard concurrently else { return rules.map(prepare) }
        var results = [Result<PreparedRule, any Error>?](repeating: nil, count: rules.count)
        results.withUnsafeMutableBufferPointer { slots in
            // Each iteration writes its own slot only, and `concurrentPerform` returns after all
            // of them, so the slots need no lock.
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: rules.count) { index in
                slots[index] = prepare(rules[index])
            }
        }
        // Every slot is filled by its iteration; a nil would be a rule no thread prepared.
        return results.map { $0 ?? .failure(RulesetError.invalid("phrases", "a rule was not prepared")) }
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
