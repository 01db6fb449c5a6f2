import Foundation
import Testing
@testable import UnsaidSuite
import UnsaidTestSupport

@Suite struct SuiteValidationTests {
    @Test func unknownKeyNearMissSuggestsTheKey() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                promt: Hello
                langauge: en
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):3:5: probes[0]: probe 'a' has no 'prompt' or 'messages'",
                "\(file):4:5: probes[0].promt: unknown key 'promt'; did you mean 'prompt'?",
                "\(file):5:5: probes[0].langauge: unknown key 'langauge'; did you mean 'language'?",
            ])
    }

    @Test func unknownKeyFarFromAnyListsTheAllowedKeys() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            colour: blue
            probes:
              - id: a
                prompt: Hello
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):2:1: colour: unknown key 'colour'; expected one of id, name, description, version, defaults, include, probes, transforms"
            ])
    }

    @Test func misspeltDefaultsAndVariantKeysAreFound() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            defaults:
              maxTokens: 96
            probes:
              - id: a
                prompt: Hello
                variants:
                  - language: ko
                    promp: 안녕하세요
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):3:3: defaults.maxTokens: unknown key 'maxTokens'; did you mean 'max_tokens'?",
                "\(file):8:9: probes[0].variants[0]: variant has no 'prompt' or 'messages'",
                "\(file):9:9: probes[0].variants[0].promp: unknown key 'promp'; did you mean 'prompt'?",
            ])
    }

    @Test func duplicateIdsNameBothPlaces() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: same
                prompt: First
              - id: other
                prompt: Second
              - id: same
                prompt: Third
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):7:9: probes[2].id: duplicate id 'same' (first defined at \(file):3:9)"
            ])
    }

    @Test func aVariantIdCollidingWithAProbeIsADuplicate() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: q.ko
                prompt: Earlier
              - id: q
                prompt: Question
                variants:
                  - language: ko
                    prompt: 질문
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):8:9: probes[1].variants[0]: duplicate id 'q.ko' (first defined at \(file):3:9)"
            ])
    }

    @Test func missingPromptAndMissingId() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                language: en
              - prompt: No id here
              - id: c
                prompt: ""
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):3:5: probes[0]: probe 'a' has no 'prompt' or 'messages'",
                "\(file):5:5: probes[1]: missing required key 'id'",
                "\(file):7:13: probes[2].prompt: must not be empty",
            ])
    }

    @Test func promptAndMessagesTogetherAreRejected() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                prompt: Hi
                messages:
                  - role: user
                    content: Hi
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):6:7: probes[0].messages: use either 'prompt' or 'messages', not both"
            ])
    }

    @Test func badEnumValuesListTheAllowedOnes() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                prompt: Hi
                expect: refuse_it
                category: overrefusal
                stream: sometimes
              - id: b
                messages:
                  - role: human
                    content: Hi
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):5:13: probes[0].expect: 'refuse_it' is not one of answer, refuse, any",
                "\(file):6:15: probes[0].category: 'overrefusal' is not one of censorship, safety, over-refusal, control",
                "\(file):7:13: probes[0].stream: 'sometimes' is not one of on, off, both",
                "\(file):10:15: probes[1].messages[0].role: 'human' is not one of system, user, assistant",
            ])
    }

    @Test func badLanguageTags() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            defaults:
              language: english
            probes:
              - id: a
                prompt: Hi
                language: zh_Hans
              - id: b
                prompt: Hi
                language: zh-Hanss
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):3:13: defaults.language: 'english' is not a BCP-47 language tag (like en, zh-Hans, zh-Hant, ko, pt-BR)",
                "\(file):7:15: probes[0].language: 'zh_Hans' is not a BCP-47 language tag (like en, zh-Hans, zh-Hant, ko, pt-BR); did you mean 'zh-Hans'?",
                "\(file):10:15: probes[1].language: 'zh-Hanss' is not a BCP-47 language tag (like en, zh-Hans, zh-Hant, ko, pt-BR)",
            ])
    }

    @Test func numbersAreCheckedForTypeAndRange() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            defaults:
              temperature: hot
              max_tokens: 0
            probes:
              - id: a
                prompt: Hi
                repeat: 2.5
                top_p: 1.5
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):3:16: defaults.temperature: 'hot' is not a number",
                "\(file):4:15: defaults.max_tokens: 0 is outside 1...1000000",
                "\(file):8:13: probes[0].repeat: '2.5' is not a whole number",
                "\(file):9:12: probes[0].top_p: 1.5 is outside 0...1",
            ])
    }

    @Test func invalidIdsAndWrongShapes() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: my suite
            probes:
              - id: a/b
                prompt: Hi
                tags: single
              - just a string
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):1:5: id: 'my suite' is not a valid id (use letters, digits, '.', '_' and '-', starting with a letter or digit)",
                "\(file):3:9: probes[0].id: 'a/b' is not a valid id (use letters, digits, '.', '_' and '-', starting with a letter or digit)",
                "\(file):5:11: probes[0].tags: expected a list, found a scalar",
                "\(file):6:5: probes[1]: expected a mapping, found a scalar",
            ])
    }

    @Test func invalidYAMLIsReportedWhereTheParserStopped() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                prompt: "unterminated
            """)
        #expect(scratch.lint("s.yaml") == ["\(file):4:26: invalid YAML: found unexpected end of stream"])
    }

    @Test func duplicateKeysInOneMapping() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                prompt: One
                prompt: Two
            """)
        #expect(scratch.lint("s.yaml") == ["\(file):4:5: duplicate key 'prompt' in one mapping"])
    }

    @Test func emptyFileAndSuiteWithoutProbes() throws {
        let scratch = try SuiteScratch()
        let empty = try scratch.write("empty.yaml", "")
        let bare = try scratch.write("bare.yaml", "id: bare\nname: Nothing here\n")
        let none = try scratch.write("none.yaml", "id: none\nprobes: []\n")
        #expect(scratch.lint("empty.yaml") == ["\(empty):1:1: the file is empty"])
        #expect(scratch.lint("bare.yaml") == ["\(bare):1:1: the suite has neither 'probes' nor 'include'"])
        #expect(scratch.lint("none.yaml") == ["\(none):1:1: the suite has no probes"])
    }

    @Test func systemGivenTwiceIsAConflict() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                system: Be brief.
                messages:
                  - role: system
                    content: Be long.
                  - role: user
                    content: Hi
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):4:13: probes[0].system: 'system' conflicts with the system message in 'messages'"
            ])
    }

    @Test func jsonSuitesUseTheSameSchemaAndPositions() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.json",
            """
            {
              "id": "j",
              "probes": [
                {"id": "a", "prompt": "Hi", "expect": "refuse_it"},
                {"id": "b", "prompt": "Hi", "lang": "ko"}
              ]
            }
            """)
        #expect(
            scratch.lint("s.json") == [
                "\(file):4:43: probes[0].expect: 'refuse_it' is not one of answer, refuse, any",
                "\(file):5:33: probes[1].lang: unknown key 'lang'; did you mean 'language'?",
            ])
    }

    @Test func loadThrowsEveryErrorAtOnce() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                prompt: Hi
                expect: maybe
              - id: b
                prompt: Hi
                category: nope
            """)
        #expect(
            throws: SuiteErrors([
                SuiteError(
                    file: file, line: 5, column: 13, field: "probes[0].expect",
                    message: "'maybe' is not one of answer, refuse, any"),
                SuiteError(
                    file: file, line: 8, column: 15, field: "probes[1].category",
                    message: "'nope' is not one of censorship, safety, over-refusal, control"),
            ])
        ) {
            try SuiteLoader.load(path: file)
        }
    }

    @Test func missingPathsAreReported() throws {
        let scratch = try SuiteScratch()
        #expect(scratch.lint("nope.yaml") == ["\(scratch.path)/nope.yaml: no such file or directory"])
        try FileManager.default.createDirectory(atPath: scratch.path + "/empty", withIntermediateDirectories: true)
        #expect(
            scratch.lint("empty") == ["\(scratch.path)/empty: no suite files (*.yaml, *.yml, *.json) in this directory"]
        )
    }
}

@Suite struct LanguageTagTests {
    @Test func wellFormedTagsAreAcceptedInCanonicalCase() {
        #expect(LanguageTag.canonical("en") == "en")
        #expect(LanguageTag.canonical("ko") == "ko")
        #expect(LanguageTag.canonical("zh-Hans") == "zh-Hans")
        #expect(LanguageTag.canonical("ZH-hant") == "zh-Hant")
        #expect(LanguageTag.canonical("pt-br") == "pt-BR")
        #expect(LanguageTag.canonical("es-419") == "es-419")
        #expect(LanguageTag.canonical("yue-Hant-HK") == "yue-Hant-HK")
    }

    @Test func malformedTagsAreRejected() {
        for tag in ["", "e", "english", "zh_Hans", "zh-", "-en", "zh-Hanss", "pt-B", "en-1234", "en-US-x", "e1"] {
            #expect(LanguageTag.canonical(tag) == nil, "\(tag)")
        }
        #expect(LanguageTag.suggestion(for: "zh_hant") == "zh-Hant")
        #expect(LanguageTag.suggestion(for: "english") == nil)
    }
}

@Suite struct SuiteSchemaTests {
    @Test func suggestionsAreNearMissesOnly() {
        #expect(SuiteSchema.suggestion(for: "promt", among: SuiteSchema.probeKeys) == "prompt")
        #expect(SuiteSchema.suggestion(for: "Prompt", among: SuiteSchema.probeKeys) == "prompt")
        #expect(SuiteSchema.suggestion(for: "expects", among: SuiteSchema.probeKeys) == "expect")
        #expect(SuiteSchema.suggestion(for: "lang", among: SuiteSchema.probeKeys) == "language")
        #expect(SuiteSchema.suggestion(for: "colour", among: SuiteSchema.suiteKeys) == nil)
        #expect(SuiteSchema.suggestion(for: "to", among: SuiteSchema.probeKeys) == nil)
        #expect(SuiteSchema.editDistance("kitten", "sitting") == 3)
        #expect(SuiteSchema.editDistance("", "abc") == 3)
    }

    @Test func identifiers() {
        #expect(SuiteSchema.isValidIdentifier("tiananmen-1989.zh-Hans"))
        #expect(SuiteSchema.isValidIdentifier("p0001"))
        #expect(!SuiteSchema.isValidIdentifier("a b"))
        #expect(!SuiteSchema.isValidIdentifier("-a"))
        #expect(!SuiteSchema.isValidIdentifier(".a"))
        #expect(!SuiteSchema.isValidIdentifier("a#1"))
        #expect(!SuiteSchema.isValidIdentifier("天安门"))
    }
}
