import Foundation
import Testing
@testable import UnsaidFixture
@testable import UnsaidSupport
@testable import UnsaidVerdict

/// The shortcuts of compiling a ruleset (literal runs of a pattern read as one string, macros
/// searched for only where braces name them) must compile exactly what the plain readings do:
/// each is compared with its reference on every bundled pattern and on generated ones.
@Suite struct RuleCompilingTests {
    /// Every bundled phrase pattern, macros expanded, and every macro body.
    static func bundledPatterns() throws -> [(pattern: String, macros: [String: String])] {
        let ruleset = try Fixture.engine().ruleset
        var patterns: [(String, [String: String])] = []
        for set in ruleset.phraseSets {
            let rules = [
                set.refusal, set.nonRefusal, set.partialPivot, set.deflection, set.officialLine, set.pivot,
                set.offer, set.reasoningRefusal,
            ].flatMap { $0 ?? [] }
            for rule in rules { patterns.append((rule.pattern, set.macros ?? [:])) }
            for body in (set.macros ?? [:]).values { patterns.append((body, set.macros ?? [:])) }
        }
        return patterns
    }

    /// Patterns from pieces the parser treats differently: literals next to quantifiers, escapes,
    /// classes, groups, lookarounds, alternations, anchors, wide characters and broken syntax.
    static func generatedPatterns(count: Int) -> [String] {
        let pieces = [
            "a", "b", "c", "i can", " ", "说到", "答", "😀", "x?", "y*", "z+", "q{2}", "q{1,3}", "w+?", "w*+", "(?:a|b)",
            "(?=c)", "(?!d)", "(?<=e)", "(?<!f)", "(?<n>g)", "|", "[ab]", "[^ab]", "[a-c]", "[a-z]", "\\b", "\\s",
            "\\.", "\\n", "\\1", ".", "^", "$", "{NAME}", "{A}", "{KEY}", "(?:x{A}|y)?",
        ]
        // Syntax the analysis gives up on, or that is broken: one piece in ten.
        let rare = ["(", ")", "\\Q", "\\x{41}", "q{,3}", "{", "}", "]", "?", "*", "["]
        var random = SplitMix64(seed: 0xC0_4411E)
        return (0..<count).map { _ in
            (0..<Int(random.next() % 12)).map { _ in
                random.next() % 10 == 0
                    ? rare[Int(random.next() % UInt64(rare.count))] : pieces[Int(random.next() % UInt64(pieces.count))]
            }.joined()
        }
    }

    @Test func literalRunsReadAsTheirCharactersOneByOne() throws {
        let patterns = try Self.bundledPatterns().map(\.pattern) + Self.generatedPatterns(count: 5_000)
        var joined = LiteralCondition.Analysis()
        var reference = LiteralCondition.Analysis()
        var constrained = 0
        for pattern in patterns {
            let condition = joined.condition(for: pattern, joiningLiteralRuns: true)
            #expect(condition == reference.condition(for: pattern, joiningLiteralRuns: false), "\(pattern)")
            if condition != .always { constrained += 1 }
        }
        #expect(joined.literals == reference.literals)
        // Not vacuous: most patterns are constrained, and many literals were found.
        #expect(constrained > patterns.count / 5)
        #expect(joined.literals.count > 500)
    }

    /// `expand` as it was: every macro's `{NAME}` searched for in the whole text.
    static func referenceExpand(_ pattern: String, macros: [String: String], depth: Int = 0) -> String {
        guard pattern.contains("{"), depth < 8 else { return pattern }
        var result = pattern
        for (name, body) in macros where result.contains("{\(name)}") {
            result = result.replacingOccurrences(of: "{\(name)}", with: body)
        }
        return result == pattern ? result : referenceExpand(result, macros: macros, depth: depth + 1)
    }

    @Test func macrosExpandAsEveryMacroSearchedFor() throws {
        var cases = try Self.bundledPatterns()
        let macros = [
            "NAME": "name", "A": "{B}x", "B": "(?:b|c)", "LOOP": "{LOOP}", "KEY": "k", "说": "speak", "X}Y": "odd",
            "": "empty", "A B": "spaced",
        ]
        cases += Self.generatedPatterns(count: 2_000).map { ($0, macros) }
        // Names spelt another way that `contains` may still find (a Kelvin sign for K), braces
        // around non-ASCII, a brace inside a name, nested and unclosed braces.
        cases += [
            "{\u{212A}EY}", "{KEY}{说}", "{X}Y}", "{{A}}", "{A", "A}", "{}", "{A B}{NAME", "x{2}{A}{KEY}",
            "{\u{037E}}", "{NAME}\u{0301}", "\u{0600}{NAME}",
        ].map { ($0, macros) }
        var changed = 0
        for (pattern, macros) in cases {
            let expanded = try CompiledRules.expand(pattern, macros: macros, rule: "r")
            #expect(expanded == Self.referenceExpand(pattern, macros: macros), "\(pattern)")
            if expanded != pattern { changed += 1 }
        }
        #expect(changed > 500)
    }
}
