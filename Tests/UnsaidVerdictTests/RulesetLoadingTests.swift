import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidVerdict

/// Loading a ruleset decodes its files and compiles its rules on every core; what it builds, and
/// the error it reports, must be those of loading one step at a time: the same expressions, the
/// literals numbered in the same order, the first error in file and rule order.
@Suite struct RulesetLoadingTests {
    /// What a compiled phrase rule is, for comparing.
    struct Compiled: Equatable, CustomStringConvertible {
        var id: String
        var language: String
        var pattern: String
        var maxSentence: Int?
        var condition: LiteralCondition
        var description: String { "\(id) \(language) \(pattern) \(String(describing: maxSentence)) \(condition)" }

        init(_ phrase: CompiledPhrase) {
            (id, language, pattern) = (phrase.id, phrase.language, phrase.regex.pattern)
            (maxSentence, condition) = (phrase.maxSentence, phrase.condition)
        }
    }

    /// The kinds of phrase rule in the order they were always compiled in.
    static var kinds: [KeyPath<PhraseSet, [PhraseRule]?>] {
        [\.refusal, \.nonRefusal, \.partialPivot, \.deflection, \.officialLine, \.pivot, \.offer, \.reasoningRefusal]
    }

    /// The rules compiled as they were before, one at a time: by kind, then by file, each
    /// pattern folded character by character, its literals numbered as it is compiled.
    static func compiledOneByOne(_ ruleset: Ruleset) throws -> (rules: [[Compiled]], literals: [[UInt16]]) {
        let tables = ruleset.compiled.tables
        var analysis = LiteralCondition.Analysis()
        let rules = try kinds.map { kind in
            try ruleset.phraseSets.flatMap { set in
                try (set[keyPath: kind] ?? []).map { rule in
                    let expanded = try CompiledRules.expand(rule.pattern, macros: set.macros ?? [:], rule: rule.id)
                    let folded = String(expanded.map { tables.traditionalToSimplified[$0] ?? $0 })
                    return Compiled(
                        CompiledPhrase(
                            id: rule.id, language: set.language, regex: try NSRegularExpression(pattern: folded),
                            maxSentence: rule.maxSentence, condition: analysis.condition(for: folded)))
                }
            }
        }
        return (rules, analysis.literals)
    }

    @Test func rulesCompiledOnEveryCoreAreTheRulesCompiledOneByOne() throws {
        let ruleset = try Ruleset.bundled()
        let compiled = ruleset.compiled
        let kinds = [
            compiled.refusal, compiled.nonRefusal, compiled.partialPivot, compiled.deflection, compiled.officialLine,
            compiled.pivot, compiled.offer, compiled.reasoningRefusal,
        ].map { $0.map(Compiled.init) }
        let reference = try Self.compiledOneByOne(ruleset)
        #expect(kinds.map(\.count) == reference.rules.map(\.count))
        for (kind, expected) in zip(kinds, reference.rules) {
            for (rule, want) in zip(kind, expected) { #expect(rule == want) }
        }
        // The literal table itself: as many literals, and the same ones found in texts that hold
        // many of them (every rule's own expanded pattern, every canned text).
        let scanner = LiteralScanner(literals: reference.literals)
        #expect(compiled.literals.literalCount == scanner.literalCount)
        let texts = reference.rules.joined().map(\.pattern) + ruleset.canned.map(\.text)
        for text in texts {
            let units = Array(NormalisedText(text, tables: compiled.tables).text.utf16)
            #expect(compiled.literals.present(in: units) == scanner.present(in: units), "\(text)")
        }
        // Not vacuous: many rules, many literals, and most rules constrained by some.
        #expect(reference.rules.joined().count > 100)
        #expect(scanner.literalCount > 100)
        #expect(reference.rules.joined().filter { $0.condition != .always }.count > 50)
    }

    @Test func preparingOnEveryCoreGivesEachRuleItsOwnResult() throws {
        let ruleset = try Ruleset.bundled()
        var pending = Self.kinds.indices.flatMap { kind in
            ruleset.phraseSets.flatMap { set in
                (set[keyPath: Self.kinds[kind]] ?? []).map { CompiledRules.PendingRule(kind: kind, set: set, rule: $0) }
            }
        }
        // Broken rules scattered among the good ones: each must keep its own error.
        for index in stride(from: 3, to: pending.count, by: 17) {
            let old = pending[index]
            pending[index] = .init(
                kind: old.kind, set: old.set,
                rule: PhraseRule(id: "broken.\(index)", pattern: "(unclosed \(index)", note: nil, maxSentence: nil))
        }
        let tables = ruleset.compiled.tables
        let everyCore = CompiledRules.prepare(pending, tables: tables)
        let oneByOne = CompiledRules.prepare(pending, tables: tables, concurrently: false)
        #expect(everyCore.count == pending.count)
        for (index, (fast, slow)) in zip(everyCore, oneByOne).enumerated() {
            switch (fast, slow) {
            case (.success(let a), .success(let b)):
                #expect(a.regex.pattern == b.regex.pattern)
                var first = LiteralCondition.Analysis()
                var second = LiteralCondition.Analysis()
                #expect(first.condition(of: a.parsed) == second.condition(of: b.parsed))
            case (.failure(let a), .failure(let b)):
                #expect("\(a)" == "\(b)")
                #expect("\(a)".contains("broken.\(index)"))
            default:
                Issue.record("rule \(index): \(fast) on every core, \(slow) one by one")
            }
        }
    }

    @Test func theFirstBadPatternInCompilingOrderIsReported() throws {
        let directory = try copyOfBundledRules()
        defer { try? FileManager.default.removeItem(at: directory) }
        // An official-line rule of the first phrase file and a refusal rule of the last: refusal
        // rules are compiled first, whatever their file, so the Korean one is reported.
        try Self.edit(directory, "phrases.en.json", breakingRule: "officialLine")
        try Self.edit(directory, "phrases.ko.json", breakingRule: "refusal")
        do {
            _ = try Ruleset.load(directory: directory)
            Issue.record("a ruleset with broken patterns loaded")
        } catch RulesetError.badPattern(let rule, _) {
            #expect(rule.hasPrefix("refusal.ko."), "\(rule)")
        }
    }

    @Test func theFirstBadFileInManifestOrderIsReported() throws {
        let directory = try copyOfBundledRules()
        defer { try? FileManager.default.removeItem(at: directory) }
        // signals.json comes before every phrase file in the manifest's list.
        for name in ["phrases.ko.json", "signals.json", "phrases.en.json"] {
            let url = directory.appendingPathComponent(name)
            guard case .object(var object) = try #require(JSONValue.parse(try Data(contentsOf: url))) else {
                Issue.record("\(name) is not an object")
                return
            }
            object[name == "signals.json" ? "errorPatterns" : "language"] = .int(7)
            try CanonicalJSON.encode(JSONValue.object(object)).write(to: url)
        }
        do {
            _ = try Ruleset.load(directory: directory)
            Issue.record("a ruleset with broken files loaded")
        } catch RulesetError.invalid(let file, _) {
            #expect(file == "signals.json")
        }
    }

    /// The snapshot as it was written before it was put together from each file's bytes: the
    /// whole tree, encoded at once.
    static func snapshotEncodedWhole(_ files: [(String, JSONValue)]) throws -> Data {
        try CanonicalJSON.encode(
            JSONValue.object([
                "format": .string(Ruleset.snapshotFormat),
                "files": .array(files.map { .object(["name": .string($0.0), "content": $0.1]) }),
            ]))
    }

    @Test func theSnapshotPutTogetherFromEachFileIsTheWholeTreeEncoded() throws {
        // The bundled ruleset, as read from its directory and as read back from an archive.
        let ruleset = try Ruleset.bundled()
        let parsed = try #require(JSONValue.parse(ruleset.snapshot))
        let entries = try #require(parsed["files"]?.arrayValue)
        let files = try entries.map { (try #require($0["name"]?.stringValue), try #require($0["content"])) }
        #expect(files.count > 5)
        #expect(ruleset.snapshot == (try Self.snapshotEncodedWhole(files)))
        #expect(try Ruleset.load(from: ruleset.snapshot).snapshot == ruleset.snapshot)
        // Generated files: names and contents with escapes, non-ASCII and astral characters,
        // keys that sort differently by UTF-16 and by scalar, numbers, nesting, empty files.
        var random = SplitMix64(seed: 0x5_4A95)
        let pieces = ["a", "Z", "\"", "\\", "\n", "\u{01}", "/", "é", "无", "😀", "\u{E000}", "content", "name", ""]
        func generatedText() -> String {
            (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random) ?? "" }.joined()
        }
        func generatedValue(depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .int(Int64.random(in: -1_000_000...1_000_000, using: &random))
            case 3: return .double([0.5, -1e-7, 1e21, 123.25, 0.1][Int.random(in: 0..<5, using: &random)])
            case 4: return .string(generatedText())
            case 5:
                return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in generatedValue(depth: depth + 1) })
            default:
                return .object(
                    Dictionary(
                        (0..<Int.random(in: 0...4, using: &random)).map { _ in
                            (generatedText(), generatedValue(depth: depth + 1))
                        },
                        uniquingKeysWith: { first, _ in first }))
            }
        }
        for _ in 0..<300 {
            let files = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                (generatedText(), generatedValue(depth: 0))
            }
            let contents = try files.map { try CanonicalJSON.encode($0.1) }
            #expect(
                try Ruleset.snapshot(names: files.map { $0.0 }, contents: contents) == Self.snapshotEncodedWhole(files))
        }
    }

    /// Gives the first rule of `kind` in the file an unclosed group.
    static func edit(_ directory: URL, _ name: String, breakingRule kind: String) throws {
        let url = directory.appendingPathComponent(name)
        guard case .object(var object) = try #require(JSONValue.parse(try Data(contentsOf: url))),
            case .array(var rules)? = object[kind], case .object(var rule) = try #require(rules.first)
        else {
            Issue.record("\(name) has no \(kind) rules")
            return
        }
        rule["pattern"] = .string("(unclosed")
        rules[0] = .object(rule)
        object[kind] = .array(rules)
        try CanonicalJSON.encode(JSONValue.object(object)).write(to: url)
    }
}
