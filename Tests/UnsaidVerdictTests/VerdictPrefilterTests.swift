import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidVerdict
@testable import UnsaidFixture

/// The shortcuts that make judging long answers fast must never change a verdict: the literal
/// prefilter may only skip expressions that cannot match, the canned-text shortcuts must agree
/// with Foundation's search, and normalisation keeps its character-level behaviour.
@Suite("Judging shortcuts")
struct VerdictPrefilterTests {
    /// Literal conditions of `patterns`, and the scanner over their literals.
    static func analyse(_ patterns: [String]) -> (conditions: [LiteralCondition], scanner: LiteralScanner) {
        var analysis = LiteralCondition.Analysis()
        let conditions = patterns.map { analysis.condition(for: $0) }
        return (conditions, LiteralScanner(literals: analysis.literals))
    }

    static func holds(_ condition: LiteralCondition, _ scanner: LiteralScanner, in text: String) -> Bool {
        condition.holds(scanner.present(in: Array(text.utf16)))
    }

    @Test func conditionsNeedTheLiteralsOfEveryMatch() {
        let patterns = [
            #"\b(?:i|we) (?:can't|cannot) help\b"#,
            "apologi[sz]e",
            #"(?:really )?sorry[^.]{0,20}\?"#,
            "说到[^,]{1,12},",
            "i can't(?= with that)",
            "(?:but|however),? i can",
        ]
        let (conditions, scanner) = Self.analyse(patterns)
        let expectations: [(pattern: Int, text: String, holds: Bool)] = [
            (0, "so i cannot help it", true),
            (0, "we can't help", true),
            (0, "i can help", false),
            (0, "cannot help", false),
            (1, "i apologise", true),
            (1, "we apologize", true),
            (1, "my apologies", false),
            (2, "sorry about that?", true),
            (2, "sorry.", false),
            (2, "why? no", false),
            (3, "说到这个,", true),
            (3, "说到这个", false),
            (4, "i can't do it", true),  // the lookahead's text is not required
            (4, "i cannot", false),
            (5, "however i can", true),
            (5, "but, i can", true),
            (5, "i can, but", false),
        ]
        for expectation in expectations {
            #expect(
                Self.holds(conditions[expectation.pattern], scanner, in: expectation.text) == expectation.holds,
                "\(patterns[expectation.pattern]) on \(expectation.text)")
        }
    }

    @Test func unknownSyntaxAlwaysRuns() {
        let (conditions, _) = Self.analyse([
            #"(?i)sorry"#, #"\x{41}bc"#, "[[:alpha:]]+x", #"a\Qb\E"#, "a{,3}b", "[-a]bc",
        ])
        #expect(conditions == Array(repeating: .always, count: 6))
    }

    @Test func scannerFindsOverlappingLiterals() {
        let scanner = LiteralScanner(literals: [
            Array("she".utf16), Array("he".utf16), Array("hers".utf16),
            Array("说到".utf16), Array("xyz".utf16),
        ])
        #expect(scanner.present(in: Array("ushers 说到".utf16)) == [true, true, true, true, false])
        #expect(scanner.present(in: Array("".utf16)) == [false, false, false, false, false])
    }

    /// A scalar's traits, packed into one word, read back as their definitions say, for every
    /// scalar below U+0800, CJK, Hangul, Kana, astral ones and the ends of the range, with weights
    /// that fit and one that must be clamped, with and without sentence terminators.
    @Test func packedTraitsReadBackAsDefined() {
        let scalars =
            (0..<0x800).compactMap(Unicode.Scalar.init) + [
                "\u{3000}", "\u{3002}", "\u{FF01}", "\u{FF1F}", "说", "說", "한", "か", "ア", "😀", "\u{20000}",
                "\u{FFFD}", "\u{FEFF}", "\u{10FFFF}", "\u{2028}", "\u{85}", "\u{A0}",
            ]
        let terminatorSets: [Set<Character>] = [[], [".", "!", "?", "。", "！", "？"]]
        for weight in [1, 3, Int(Int32.max) + 5, -2] {
            for terminators in terminatorSets {
                for scalar in scalars {
                    let traits = ScalarTraits(scalar, denseScriptWeight: weight, sentenceTerminators: terminators)
                    let isWhitespace = scalar.properties.isWhitespace
                    let expectedWeight: Int32 =
                        isWhitespace ? 0 : ScriptClass.isDense(scalar) ? Int32(clamping: weight) : 1
                    #expect(traits.weight == expectedWeight, "\(scalar.value)")
                    #expect(Int(traits.width) == scalar.utf16.count, "\(scalar.value)")
                    #expect(traits.isWhitespace == isWhitespace, "\(scalar.value)")
                    #expect(traits.isTerminator == terminators.contains(Character(scalar)), "\(scalar.value)")
                    #expect(traits.isFullStop == (scalar == "."), "\(scalar.value)")
                    #expect(
                        traits.endsFullStop == (isWhitespace || !scalar.isASCII || scalar == "\""), "\(scalar.value)")
                }
            }
        }
    }

    /// Every bundled phrase finds, through the prefilter, exactly what the full expression finds.
    /// The flat form the matcher checks answers exactly as the tree does, for every bundled
    /// rule's condition, on many sets of present literals (none, all, and random ones).
    @Test func theFlatConditionAnswersAsTheTree() throws {
        let rules = try Fixture.engine().ruleset.compiled
        let phrases =
            rules.refusal + rules.nonRefusal + rules.partialPivot + rules.deflection + rules.officialLine
            + rules.pivot + rules.offer + rules.reasoningRefusal
        let literalCount = rules.literals.literalCount
        var generator = SplitMix64(seed: 5)
        var presenceSets = [
            [Bool](repeating: false, count: literalCount), [Bool](repeating: true, count: literalCount),
        ]
        for density in [2, 8, 32, 128] {
            for _ in 0..<50 {
                presenceSets.append((0..<literalCount).map { _ in generator.next() % UInt64(density) == 0 })
            }
        }
        var differentAnswers = Set<Bool>()
        var nested = 0
        for phrase in phrases {
            if case .all(let parts) = phrase.condition,
                parts.contains(where: { if case .any = $0 { true } else { false } })
            {
                nested += 1
            }
            for present in presenceSets {
                let tree = phrase.condition.holds(present)
                differentAnswers.insert(tree)
                #expect(phrase.requirement.holds(present) == tree, "\(phrase.id)")
            }
        }
        // Not vacuous: conditions both held and failed, and some nest `any` inside `all`.
        #expect(differentAnswers == [true, false])
        #expect(nested > 0)
        // Hand-built shapes the bundled rules may lack: deep nesting, empty groups, a lone literal.
        let shapes: [LiteralCondition] = [
            .always, .literal(0), .all([]), .any([]),
            .any([.all([.literal(0), .literal(1)]), .all([.literal(2), .any([.literal(3), .always])])]),
            .all([.any([.literal(0), .all([.literal(1), .any([.literal(2), .literal(3)])])]), .literal(3)]),
        ]
        for shape in shapes {
            let program = LiteralCondition.Program(shape)
            for bits in 0..<16 {
                let present = (0..<4).map { bits >> $0 & 1 == 1 }
                #expect(program.holds(present) == shape.holds(present), "\(shape) with \(present)")
            }
        }
    }

    @Test func prefilterNeverHidesAMatch() throws {
        let rules = try Fixture.engine().ruleset.compiled
        let phrases =
            rules.refusal + rules.nonRefusal + rules.partialPivot + rules.deflection + rules.officialLine
            + rules.pivot + rules.offer + rules.reasoningRefusal
        let texts =
            VerdictPhraseTests.refusals.map(\.text) + VerdictPhraseTests.notRefusals + [
                VerdictSignalTests.part1 + VerdictSignalTests.part2,
                "Let's talk about something else. Would you like me to recommend a good book instead?",
                "The Chinese government has always adhered to the policy of peaceful reunification; external forces must not interfere.",
                "说到这个，我可以为你介绍一下相关的历史吗？中国政府始终坚持以人民为中心，维护社会和谐稳定。",
                "그 이야기가 나온 김에 말인데, 추천해 드릴까요? 중국 정부는 항상 평화 통일을 강조합니다.",
            ]
        var matched = 0
        for text in texts {
            let normalised = NormalisedText(text, tables: rules.tables)
            let matcher = PhraseMatcher(normalised, rules: rules)
            for phrase in phrases {
                let expected = phrase.matches(in: normalised)
                matched += expected.count
                #expect(matcher.matches(phrase) == expected, "\(phrase.id) on \(text.prefix(40))")
            }
        }
        #expect(matched > 20)  // the corpus exercises the rules, so the comparison is not vacuous
    }

    /// Canned texts found by the shortcuts agree with Foundation's canonical-equivalence search.
    @Test func cannedShortcutsAgreeWithFoundation() throws {
        let rules = try Fixture.engine().ruleset.compiled
        let english = "Sorry, that's beyond my current scope. Let's talk about something else."
        let chinese = "你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。"
        let texts = [
            "The answer is long enough to be substantive. " + english,
            "No canned reply here at all.",
            english + "\u{301}",
            "caf\u{E9} " + english,
            "Temperature in \u{212A}: " + english,
            "六四事件是1989年发生在北京的学生运动。" + chinese,
            "六四事件是1989年发生在北京的学生运動。",
            "\u{F900}" + chinese,
            chinese.replacingOccurrences(of: "题", with: "題"),
        ]
        for text in texts {
            let normalised = NormalisedText(text, tables: rules.tables)
            for pattern in rules.canned {
                let expected = normalised.text.range(of: pattern.normalised).map { NSRange($0, in: normalised.text) }
                #expect(pattern.find(in: normalised) == expected, "\(pattern.text.id) in \(text.prefix(30))")
            }
        }
        let found = NormalisedText(texts[0], tables: rules.tables)
        #expect(rules.canned.contains { $0.find(in: found) != nil })
    }

    @Test func normalisationKeepsCharactersAndSentences() throws {
        let tables = try Fixture.engine().ruleset.compiled.tables

        let lines = NormalisedText("A\r\nB", tables: tables)
        #expect(lines.text == "a b")
        #expect(lines.sentenceStarts == [0, 2])
        #expect(lines.span(NSRange(location: 2, length: 1)) == TextSpan(start: 3, end: 4, text: "B"))

        let combining = NormalisedText("Cafe\u{301} ok", tables: tables)
        #expect(combining.text == "caf\u{E9} ok")
        #expect(combining.length == 7)
        #expect(combining.span(NSRange(location: 3, length: 1)) == TextSpan(start: 3, end: 6, text: "e\u{301}"))

        let dense = NormalisedText("說。Ｂ", tables: tables)
        #expect(dense.text == "说.b")
        #expect(dense.sentenceStarts == [0, 2])
        #expect(dense.weightedLength == 4)

        let stops = NormalisedText("3.5 e.g. ok. Next", tables: tables)
        #expect(stops.sentenceStarts == [0, 9, 13])
    }
}
