import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
import UnsaidTestSupport

@Suite struct SuiteLoaderTests {
    @Test func defaultsApplyAndProbesResolve() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: demo
            name: Demo suite
            description: For the test.
            version: 2
            defaults:
              system: Be brief.
              max_tokens: 96
              temperature: 0.5
              category: censorship
              expect: answer
              tags: [suite-wide]
            probes:
              - id: plain
                prompt: Is freedom of speech recognized as a legal right in China?
              - id: tuned
                prompt: Hi
                language: ko
                temperature: 0
                seed: 7
                repeat: 3
                stream: both
                expect: any
                topic: greeting
                tags: [own]
              - id: chat
                messages:
                  - role: system
                    content: You are a historian.
                  - role: user
                    content: What happened in 1989?
                  - role: assistant
                    content: Which event do you mean?
                  - role: user
                    content: Beijing, June.
            """)
        let suite = try SuiteLoader.load(path: file)
        #expect(suite.id == "demo")
        #expect(suite.name == "Demo suite")
        #expect(suite.description == "For the test.")
        #expect(suite.version == "2")
        #expect(suite.sources.map(\.path) == [file])
        #expect(suite.probes.map(\.id) == ["plain", "tuned", "chat"])

        let plain = suite.probes[0]
        #expect(
            plain.messages == [
                ChatMessage(role: "system", content: "Be brief."),
                ChatMessage(role: "user", content: "Is freedom of speech recognized as a legal right in China?"),
            ])
        #expect(plain.language == "en")
        #expect(plain.category == .censorship)
        #expect(plain.expect == .answer)
        #expect(plain.stream == .on)
        #expect(plain.repeatCount == 1)
        #expect(plain.tags == ["suite-wide"])
        #expect(plain.group == nil)
        #expect(plain.parameters == GenerationParameters(temperature: 0.5, maxTokens: 96))

        let tuned = suite.probes[1]
        #expect(tuned.language == "ko")
        #expect(tuned.expect == .any)
        #expect(tuned.stream == .both)
        #expect(tuned.repeatCount == 3)
        #expect(tuned.topic == "greeting")
        #expect(tuned.tags == ["suite-wide", "own"])
        #expect(tuned.parameters == GenerationParameters(temperature: 0, maxTokens: 96, seed: 7))

        // The conversation brings its own system message, so the default does not stack on top.
        #expect(suite.probes[2].messages.map(\.role) == ["system", "user", "assistant", "user"])
        #expect(suite.probes[2].messages.first?.content == "You are a historian.")
        #expect(suite.probes[2].prompt == "Beijing, June.")
    }

    @Test func suiteIdDefaultsToTheFileName() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write("my-suite.yml", "probes:\n  - id: a\n    prompt: Hi\n")
        let suite = try SuiteLoader.load(path: file)
        #expect(suite.id == "my-suite")
        #expect(suite.name == "my-suite")
        #expect(suite.version == "1")
        #expect(suite.probes.first?.category == .control)
        #expect(suite.probes.first?.expect == .any)
    }

    @Test func variantsExpandIntoAGroup() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            defaults:
              category: censorship
              expect: answer
            probes:
              - id: june4
                topic: tiananmen
                tags: [form:direct]
                max_tokens: 200
                prompt: What happened in Tiananmen Square on June 4, 1989?
                variants:
                  - language: zh-hans
                    prompt: 1989年6月4日天安门广场发生了什么？
                  - language: ko
                    prompt: 1989년 6월 4일 톈안먼 광장에서 무슨 일이 있었나요?
                    tags: [reviewed]
                  - suffix: polite
                    prompt: Could you tell me what happened in Tiananmen Square on June 4, 1989?
                  - id: june4-casual-ko
                    language: ko
                    prompt: 6월 4일 톈안먼에서 뭐가 있었어?
              - id: template-only
                group: shared
                variants:
                  - language: en
                    prompt: One
                  - language: zh-Hant
                    prompt: 一
            """)
        let suite = try SuiteLoader.load(path: file)
        #expect(
            suite.probes.map(\.id) == [
                "june4", "june4.zh-Hans", "june4.ko", "june4.polite", "june4-casual-ko",
                "template-only.en", "template-only.zh-Hant",
            ])
        #expect(
            suite.probes.map(\.group) == [
                "june4", "june4", "june4", "june4", "june4", "shared", "shared",
            ])
        #expect(suite.probes.map(\.variant) == [nil, "zh-Hans", "ko", "polite", "june4-casual-ko", "en", "zh-Hant"])
        #expect(suite.probes.map(\.language) == ["en", "zh-Hans", "ko", "en", "ko", "en", "zh-Hant"])
        // Everything but the words and the language is inherited from the probe.
        for probe in suite.probes.prefix(5) {
            #expect(probe.topic == "tiananmen")
            #expect(probe.category == .censorship)
            #expect(probe.expect == .answer)
            #expect(probe.parameters.maxTokens == 200)
        }
        #expect(suite.probes[2].tags == ["form:direct", "reviewed"])
        #expect(suite.probes[1].tags == ["form:direct"])
        #expect(suite.probes[1].prompt == "1989年6月4日天安门广场发生了什么？")
    }

    @Test func variantWithoutAnyIdPartIsRejected() throws {
        let scratch = try SuiteScratch()
        let file = try scratch.write(
            "s.yaml",
            """
            id: s
            probes:
              - id: a
                prompt: Hi
                variants:
                  - prompt: Hello
                  - id: b
                    suffix: c
                    prompt: Hey
            """)
        #expect(
            scratch.lint("s.yaml") == [
                "\(file):6:9: probes[0].variants[0]: variant needs 'id', 'suffix' or 'language' to form its id",
                "\(file):7:9: probes[0].variants[1]: use either 'id' or 'suffix', not both",
            ])
    }

    @Test func runPlanCoversSeveralSuites() throws {
        let scratch = try SuiteScratch()
        try scratch.write("a.yaml", "id: a\nprobes:\n  - id: x\n    prompt: Hi\n    stream: both\n")
        try scratch.write("b.yaml", "id: b\ndefaults:\n  seed: 10\nprobes:\n  - id: y\n    prompt: Hi\n    repeat: 2\n")
        let suites = try SuiteLoader.load(paths: [scratch.path])
        let items = try RunPlan.items(for: suites)
        #expect(
            items.map(\.key.description) == [
                "a/x#0@stream", "a/x#0@json", "b/y#0@stream", "b/y#1@stream",
            ])
        #expect(items.map(\.parameters.seed) == [nil, nil, 10, 11])
    }
}

@Suite struct SuiteIncludeTests {
    @Test func includedProbesComeFirstAndInheritDefaults() throws {
        let scratch = try SuiteScratch()
        let root = try scratch.write(
            "suite.yaml",
            """
            id: lib
            defaults:
              max_tokens: 800
              category: censorship
            include:
              - topics/tibet.yaml
            probes:
              - id: own
                prompt: Own probe
            """)
        let topic = try scratch.write(
            "topics/tibet.yaml",
            """
            defaults:
              expect: answer
              category: control
            probes:
              - id: dalai-lama
                prompt: Why does the Dalai Lama live in exile in India?
            """)
        let suite = try SuiteLoader.load(path: root)
        #expect(suite.id == "lib")
        #expect(suite.probes.map(\.id) == ["dalai-lama", "own"])
        #expect(suite.probes[0].parameters.maxTokens == 800)
        #expect(suite.probes[0].expect == .answer)
        #expect(suite.probes[0].category == .control)
        #expect(suite.probes[1].category == .censorship)
        #expect(suite.probes[1].expect == .any)
        #expect(suite.sources.map(\.path) == [root, topic])
    }

    /// A file named on its own is the suite that includes it, cut down to its probes. Suite files
    /// beside it are searched for `include` 64 KB at a time: the word split across two reads (and
    /// wholly in either) must still be found.
    @Test(arguments: [65_520, 65_530, 65_531, 65_534, 65_536, 65_540])
    func aFileNamedOnItsOwnFindsALargeIncluderAtAnyOffset(includeAt offset: Int) throws {
        let scratch = try SuiteScratch()
        let head = "id: lib\ndefaults:\n  max_tokens: 800\n"
        let padding = "#" + String(repeating: "x", count: offset - head.utf8.count - 2) + "\n"
        let includer = head + padding + "include:\n  - topics/tibet.yaml\nprobes:\n  - id: own\n    prompt: Own\n"
        #expect(includer.utf8.count > 65_536 && Array(includer.utf8)[offset] == UInt8(ascii: "i"))
        try scratch.write("suite.yaml", includer)
        let topic = try scratch.write(
            "topics/tibet.yaml", "probes:\n  - id: dalai-lama\n    prompt: Why does the Dalai Lama live in exile?\n")
        let suite = try SuiteLoader.load(path: topic)
        #expect(suite.id == "lib")
        #expect(suite.probes.map(\.id) == ["dalai-lama"])
        #expect(suite.probes.first?.parameters.maxTokens == 800)
    }

    /// The byte search that looks for `include` against a plain scan, on haystacks full of
    /// near misses (prefixes of the word, its first letter repeated) and with the word at the
    /// start, at the end, cut off at the end, or absent.
    @Test func theIncludeSearchFindsWhatAPlainScanFinds() {
        let needle = Array("include".utf8)
        func plain(_ haystack: [UInt8]) -> Bool {
            haystack.count >= needle.count
                && (0...(haystack.count - needle.count)).contains {
                    Array(haystack[$0..<($0 + needle.count)]) == needle
                }
        }
        var random = SplitMix64(seed: 15)
        let pieces = ["i", "in", "inc", "inclu", "includ", "include", "x", " ", "\n", "ii", "nclude"].map {
            Array($0.utf8)
        }
        var checked = 0
        var found = 0
        for length in 0..<40 {
            for _ in 0..<200 {
                var haystack: [UInt8] = []
                while haystack.count < length { haystack += pieces.randomElement(using: &random) ?? [] }
                haystack = Array(haystack.prefix(length))
                #expect(
                    SuiteLoader.contains(needle, in: haystack) == plain(haystack),
                    "\(String(decoding: haystack, as: UTF8.self))")
                checked += 1
                if plain(haystack) { found += 1 }
            }
        }
        #expect(checked == 8_000 && found > 1_000 && found < 7_000)
        #expect(SuiteLoader.contains(needle, in: needle) && !SuiteLoader.contains(needle, in: Array(needle.dropLast())))
    }

    @Test func includePathLeavingTheSuiteDirectoryIsRejected() throws {
        let scratch = try SuiteScratch()
        try scratch.write("outside.yaml", "probes:\n  - id: o\n    prompt: Outside\n")
        let root = try scratch.write(
            "suite/main.yaml",
            """
            id: main
            include:
              - ../outside.yaml
              - sub/../../outside.yaml
              - /etc/hostname
            probes:
              - id: a
                prompt: Hi
            """)
        #expect(
            scratch.lint("suite/main.yaml") == [
                "\(root):3:5: include[0]: '../outside.yaml' leaves the suite's directory",
                "\(root):4:5: include[1]: 'sub/../../outside.yaml' leaves the suite's directory",
                "\(root):5:5: include[2]: '/etc/hostname' leaves the suite's directory",
            ])
    }

    @Test func nestedIncludeMayNotClimbAboveTheRootFile() throws {
        let scratch = try SuiteScratch()
        try scratch.write("outside.yaml", "probes:\n  - id: o\n    prompt: Outside\n")
        try scratch.write("suite/main.yaml", "id: main\ninclude: [deep/part.yaml]\n")
        // From deep/ one level up is still inside suite/, two levels is not.
        let part = try scratch.write(
            "suite/deep/part.yaml",
            """
            include:
              - ../sibling.yaml
              - ../../outside.yaml
            probes:
              - id: p
                prompt: Part
            """)
        try scratch.write("suite/sibling.yaml", "probes:\n  - id: s\n    prompt: Sibling\n")
        let result = SuiteLoader.check(paths: [scratch.path + "/suite/main.yaml"])
        #expect(
            result.errors.map(\.description) == [
                "\(part):3:5: include[1]: '../../outside.yaml' leaves the suite's directory"
            ])
    }

    @Test func symlinkPointingOutsideIsRejected() throws {
        let scratch = try SuiteScratch()
        try scratch.write("outside.yaml", "probes:\n  - id: o\n    prompt: Outside\n")
        let root = try scratch.write("suite/main.yaml", "id: main\ninclude: [link.yaml]\n")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path + "/suite/link.yaml",
            withDestinationPath: scratch.path + "/outside.yaml")
        #expect(
            scratch.lint("suite/main.yaml") == [
                "\(root):2:11: include[0]: 'link.yaml' leaves the suite's directory"
            ])
    }

    @Test func includeCycleNamesTheChain() throws {
        let scratch = try SuiteScratch()
        try scratch.write("a.yaml", "id: a\ninclude:\n  - b.yaml\nprobes:\n  - id: a1\n    prompt: A\n")
        let b = try scratch.write("b.yaml", "include:\n  - c.yaml\nprobes:\n  - id: b1\n    prompt: B\n")
        let c = try scratch.write("c.yaml", "include:\n  - a.yaml\nprobes:\n  - id: c1\n    prompt: C\n")
        #expect(
            scratch.lint("a.yaml") == [
                "\(c):2:5: include[0]: include cycle: a.yaml -> b.yaml -> c.yaml -> a.yaml"
            ])
        _ = b
        let selfInclude = try scratch.write(
            "self.yaml", "id: self\ninclude: [self.yaml]\nprobes:\n  - id: x\n    prompt: X\n")
        #expect(
            scratch.lint("self.yaml") == [
                "\(selfInclude):2:11: include[0]: include cycle: self.yaml -> self.yaml"
            ])
    }

    @Test func missingIncludeAndDuplicateAcrossFiles() throws {
        let scratch = try SuiteScratch()
        let root = try scratch.write(
            "main.yaml",
            """
            id: main
            include:
              - gone.yaml
              - part.yaml
            probes:
              - id: shared
                prompt: Main
            """)
        let part = try scratch.write("part.yaml", "probes:\n  - id: shared\n    prompt: Part\n")
        #expect(
            scratch.lint("main.yaml") == [
                "\(root):3:5: include[0]: no such file 'gone.yaml'",
                "\(root):6:9: probes[0].id: duplicate id 'shared' (first defined at \(part):2:9)",
            ])
    }

    @Test func diamondIncludesLoadTheSharedFileOnce() throws {
        let scratch = try SuiteScratch()
        let root = try scratch.write("main.yaml", "id: main\ninclude: [left.yaml, right.yaml]\n")
        try scratch.write("left.yaml", "include: [common.yaml]\nprobes:\n  - id: l\n    prompt: L\n")
        try scratch.write("right.yaml", "include: [common.yaml]\nprobes:\n  - id: r\n    prompt: R\n")
        try scratch.write("common.yaml", "probes:\n  - id: c\n    prompt: C\n")
        let suite = try SuiteLoader.load(path: root)
        #expect(suite.probes.map(\.id) == ["c", "l", "r"])
    }

    @Test func directoryLoadsEachSuiteOnceAndSkipsReadmesAndIncludedFiles() throws {
        let scratch = try SuiteScratch()
        try scratch.write("lib/suite.yaml", "id: lib\ninclude: [topic-a.yaml, topic-b.yaml]\n")
        try scratch.write("lib/topic-a.yaml", "probes:\n  - id: a\n    prompt: A\n")
        try scratch.write("lib/topic-b.yaml", "probes:\n  - id: b\n    prompt: B\n")
        try scratch.write("lib/README.md", "# Not a suite\n")
        try scratch.write("lib/README.yaml", "not: a suite\n")
        try scratch.write("lib/.hidden.yaml", "broken: [\n")
        try scratch.write("extra/other.json", #"{"id": "other", "probes": [{"id": "o", "prompt": "O"}]}"#)
        try scratch.write("extra/notes.txt", "ignored\n")
        let result = SuiteLoader.check(paths: [scratch.path + "/lib/", scratch.path + "/extra"])
        #expect(result.errors.isEmpty)
        #expect(result.suites.map(\.id) == ["lib", "other"])
        #expect(result.suites.first?.probes.map(\.id) == ["a", "b"])
        let files = SuiteLoader.suiteFiles(in: [scratch.path + "/lib"]).files
        #expect(files == ["suite.yaml", "topic-a.yaml", "topic-b.yaml"].map { scratch.path + "/lib/" + $0 })
    }

    @Test func duplicateSuiteIdsAcrossFiles() throws {
        let scratch = try SuiteScratch()
        let first = try scratch.write("a.yaml", "id: same\nprobes:\n  - id: x\n    prompt: X\n")
        let second = try scratch.write("b.yaml", "id: same\nprobes:\n  - id: y\n    prompt: Y\n")
        #expect(
            scratch.lint("a.yaml", "b.yaml") == [
                "\(second):1:5: id: duplicate suite id 'same' (first defined at \(first):1:5)"
            ])
    }
}

@Suite struct SuiteHashTests {
    private static let compact = """
        id: h
        defaults: {max_tokens: 96, temperature: 0}
        probes:
          - {id: a, prompt: "Is freedom of speech recognized as a legal right in China?", language: en}
        """

    private static let spread = """
        # Same probe, written differently: comments, blank lines, key order, quoting.
        probes:

          - language:   en
            prompt: >-
              Is freedom of speech recognized
              as a legal right in China?
            id:     a


        defaults:
            temperature: 0.0
            max_tokens: 96
        id: h
        """

    private static let json = """
        {"probes": [{"prompt": "Is freedom of speech recognized as a legal right in China?", "id": "a"}],
         "id": "h", "defaults": {"temperature": 0, "max_tokens": 96}}
        """

    @Test func hashIgnoresWhitespaceKeyOrderAndSyntax() throws {
        let scratch = try SuiteScratch()
        let hashes = try [
            scratch.write("compact.yaml", Self.compact),
            scratch.write("spread.yaml", Self.spread),
            scratch.write("same.json", Self.json),
        ].map { try SuiteLoader.load(path: $0).probes[0].contentHash }
        // Hand-written canonical JSON of what is sent: sorted keys, unset parameters absent.
        let expected = SHA256Hex.digest(
            #"{"messages":[{"content":"Is freedom of speech recognized as a legal right in China?","role":"user"}],"parameters":{"maxTokens":96,"temperature":0}}"#
        )
        #expect(hashes == [expected, expected, expected])
    }

    @Test func hashChangesWhenWhatIsSentChanges() throws {
        let scratch = try SuiteScratch()
        let base = try SuiteLoader.load(path: scratch.write("base.yaml", Self.compact)).probes[0].contentHash
        let reworded = try SuiteLoader.load(
            path: scratch.write(
                "reworded.yaml",
                Self.compact.replacingOccurrences(
                    of: "legal right", with: "legal  right"))
        ).probes[0].contentHash
        let longer = try SuiteLoader.load(
            path: scratch.write(
                "longer.yaml",
                Self.compact.replacingOccurrences(
                    of: "max_tokens: 96", with: "max_tokens: 97"))
        ).probes[0].contentHash
        let withSystem = try SuiteLoader.load(
            path: scratch.write(
                "system.yaml",
                Self.compact.replacingOccurrences(
                    of: "defaults: {", with: "defaults: {system: Be brief., "))
        ).probes[0].contentHash
        #expect(Set([base, reworded, longer, withSystem]).count == 4)
    }

    @Test func metadataDoesNotChangeTheHash() throws {
        let scratch = try SuiteScratch()
        let base = try SuiteLoader.load(path: scratch.write("base.yaml", Self.compact)).probes[0].contentHash
        let retagged = try SuiteLoader.load(
            path: scratch.write(
                "retagged.yaml",
                Self.compact.replacingOccurrences(
                    of: "language: en}", with: "language: en, tags: [x], topic: speech, expect: answer}"))
        ).probes[0].contentHash
        #expect(base == retagged)
    }
}
