import Foundation
import Testing
import UnsaidSupport
import UnsaidTestSupport
import Yams

@testable import UnsaidSuite

/// The streaming reader must read every file it accepts exactly as the tree reader (Yams composing
/// the whole document) does, and leave every other file to the tree reader.
@Suite("The streaming suite reader reads as the tree reader")
struct SuiteYAMLStreamTests {
    private static let probesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Probes").path

    /// The reference: the document as Yams composes it.
    private func tree(_ text: String) throws -> SuiteNode? {
        try Yams.compose(yaml: text).map(SuiteNode.init)
    }

    /// The streaming reader's document with the streamed entries put back into `probes:`; nil
    /// when it leaves the file to the tree reader.
    private func streamed(_ text: String) -> SuiteNode? {
        guard let (root, probes) = SuiteYAMLStream.open(text) else { return nil }
        guard let probes else { return root }
        var items: [SuiteNode] = []
        let complete = probes.forEachProbe { node, index in
            #expect(index == items.count)
            items.append(node)
        }
        #expect(complete)
        guard case .mapping(var pairs, let position) = root else { return nil }
        for index in pairs.indices {
            if case .scalar(let key) = pairs[index].key, key.string == "probes",
                case .sequence(let placeholder, let listPosition) = pairs[index].value
            {
                #expect(placeholder.isEmpty)
                pairs[index].value = .sequence(items, listPosition)
            }
        }
        return .mapping(pairs, position)
    }

    /// Files the streaming reader reads: block and flow style, JSON, every scalar style, nulls,
    /// explicit tags, anchors and aliases (into and out of the probes), comments, document
    /// markers, CRLF line ends, no probes at all, a `probes:` that is not a plain list.
    private static let streamable: [String] = [
        "id: s\nprobes:\n  - id: a\n    prompt: Hello\n  - id: b\n    prompt: Bye\n",
        "probes: [{id: a, prompt: \"Hi\"}, {id: b, prompt: 'Yo', tags: [x, y]}]\nid: s\n",
        """
        {"id": "s", "name": "JSON", "probes": [{"id": "a", "prompt": "Q?", "temperature": 0.5, "stream": true}]}
        """,
        """
        id: s
        defaults: &base
          language: en
          tags: [a]
        probes:
          - &first
            id: a
            prompt: |
              Line one
              line two
            topic: >
              folded
              text
          - id: b
            prompt: "double \\u00e9 \\n quoted"
            system: 'single ''quoted'''
            repeat: !!int 3
            seed: !!str 12
          - *first
          - id: c
            prompt:
            language: ~
            category: null
        transforms: [pinyin]
        version: *first
        """,
        "---\n# a comment\nid: s # trailing\nprobes:\n- id: a\n  prompt: x\n...\n",
        "id: s\r\nprobes:\r\n  - id: a\r\n    prompt: Hi\r\n",
        "id: s\ninclude: [a.yaml, b.yaml]\n",
        "id: s\nprobes: []\nname: empty\n",
        "id: s\nprobes:\n  - id: a\n    messages:\n      - {role: system, content: Be brief.}\n      - role: user\n        content: 天安门?\n    variants:\n      - language: ko\n        prompt: 질문\n    follow_up:\n      - text: Again?\n        on: [refused]\n",
        "id: s\nprobes:\n  - 12\n  - [a, b]\n  - id: a\n    prompt: {x: 1}\n",
        "id: s\nprobes: nope\n",
        "id: s\nprobes: &all\n  - id: a\n    prompt: x\nname: *all\n",
        "id: s\nx: &list [{id: a, prompt: x}]\nprobes: *list\ndefaults: {language: ko}\n",
    ]

    /// Files left to the tree reader, each for a reason `SuiteYAMLStream` names.
    private static let forTheTreeReader: [String] = [
        "",
        // Yams reads a byte-order mark as text, which libyaml then refuses.
        "\u{FEFF}id: s\nprobes:\n  - id: a\n    prompt: Hi\n",
        "# only a comment\n",
        "id: s\nprobes:\n  - id: a\n    prompt: \"unterminated\n",
        "id: s\nprobes:\n  - id: a\n   prompt: bad indent\n",
        "id: s\nid: t\nprobes: []\n",
        "id: s\nprobes:\n  - id: a\n    id: b\n    prompt: x\n",
        "id: s\nprobes:\n  - id: a\n    prompt: x\ndefaults:\n  language: ko\n",
        "id: s\nprobes:\n  - id: a\n    prompt: x\ninclude: [b.yaml]\n",
        "id: s\nprobes: []\n---\nid: t\n",
        "- id: a\n  prompt: x\n",
        "just a scalar\n",
        "id: s\nprobes:\n  - id: a\n    prompt: *nowhere\n",
        "id: s\nprobes:\n  - id: a\n    ? [complex, key]\n    : x\n",
        "probes: *later\nid: &later [a]\n",
    ]

    @Test func readsEveryFileItAcceptsAsTheTreeReaderDoes() throws {
        for text in Self.streamable {
            let streamed = streamed(text)
            #expect(streamed != nil, "not streamed: \(text)")
            #expect(try streamed == tree(text), "\(text)")
        }
    }

    @Test func leavesTheOtherFilesToTheTreeReader() {
        for text in Self.forTheTreeReader {
            #expect(SuiteYAMLStream.open(text) == nil, "streamed: \(text)")
        }
    }

    /// Suites, probes (field by field through `==`) and every error message with its place are
    /// the same whichever reader read the files.
    private func expectSameLoad(_ paths: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let streamed = SuiteLoader.check(paths: paths, streaming: true)
        let whole = SuiteLoader.check(paths: paths, streaming: false)
        #expect(streamed.errors.map(\.description) == whole.errors.map(\.description), sourceLocation: sourceLocation)
        #expect(streamed.suites.count == whole.suites.count, sourceLocation: sourceLocation)
        for (a, b) in zip(streamed.suites, whole.suites) {
            #expect(
                [a.id, a.name, a.description, a.version] == [b.id, b.name, b.description, b.version],
                sourceLocation: sourceLocation)
            #expect(a.sources == b.sources, sourceLocation: sourceLocation)
            #expect(Array(a.probes) == Array(b.probes), "\(a.id)", sourceLocation: sourceLocation)
        }
    }

    @Test func theBundledLibraryLoadsTheSameEitherWay() throws {
        expectSameLoad([Self.probesDirectory])
        let result = SuiteLoader.check(paths: [Self.probesDirectory])
        #expect(result.suites.reduce(0) { $0 + $1.probes.count } > 100)
    }

    @Test func everySampleLoadsTheSameEitherWay() throws {
        let scratch = try SuiteScratch()
        try scratch.write("a.yaml", "probes:\n  - id: ia\n    prompt: From a\n")
        try scratch.write("b.yaml", "defaults: {language: ko}\nprobes:\n  - id: ib\n    prompt: 질문\n")
        for (index, text) in (Self.streamable + Self.forTheTreeReader).enumerated() {
            let file = try scratch.write("s\(index).yaml", text)
            expectSameLoad([file])
        }
    }

    /// Generated suites with every kind of entry, valid and not (bad ids, duplicates, values out
    /// of range, unknown keys, variants, follow-ups), in block and flow style, with anchors.
    @Test func generatedSuitesLoadTheSameEitherWay() throws {
        let scratch = try SuiteScratch()
        var random = SplitMix64(seed: 15)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        for file in 0..<40 {
            var lines = ["id: gen\(file)"]
            if random.next() % 2 == 0 {
                lines += ["defaults: &d", "  language: \(pick(["en", "ko", "zh-hans", "klingon"]))", "  tags: [base]"]
            }
            lines.append("probes:")
            for entry in 0..<Int(random.next() % 30) {
                let id = pick(["p\(entry)", "p\(entry)", "p\(entry)", "p0", "bad id", ""])
                if random.next() % 4 == 0 {
                    lines.append(
                        "  - {id: \(id.isEmpty ? "''" : id), prompt: \(pick(["'Q?'", "\"Q \\u00e9?\"", "~", "[x]"])), repeat: \(pick(["1", "0", "2000", "x"]))}"
                    )
                    continue
                }
                lines.append("  - id: \(id)")
                lines.append(
                    "    "
                        + pick([
                            "prompt: Question \(entry)?", "prompt:", "messages: [{role: user, content: Hi}]",
                            "messages: [{role: robot, content: Hi}]", "promt: typo",
                        ]))
                if random.next() % 3 == 0 { lines.append("    temperature: \(pick(["0.2", "3", "warm", ".nan"]))") }
                if random.next() % 3 == 0 { lines.append("    category: \(pick(["safety", "censorship", "other"]))") }
                if random.next() % 4 == 0 {
                    lines += ["    variants:", "      - language: ko", "        prompt: 질문", "      - suffix: v2"]
                }
                if random.next() % 5 == 0 {
                    lines += ["    follow_up:", "      - text: Again?", "        on: [\(pick(["refused", "nope"]))]"]
                }
                if random.next() % 6 == 0, lines.contains("defaults: &d") { lines.append("    tags: *d") }
            }
            let path = try scratch.write("gen\(file).yaml", lines.joined(separator: "\n") + "\n")
            expectSameLoad([path])
        }
    }

    /// The entries a stream hands over, and whether it read the list whole.
    private func entries(of probes: SuiteYAMLStream?) -> ([SuiteNode], Bool) {
        var items: [SuiteNode] = []
        let complete = probes?.forEachProbe { node, _ in items.append(node) } ?? true
        return (items, complete)
    }

    /// A file read from the disk as it is parsed gives what its whole text gives (document,
    /// entries, which files are left to the tree reader) and the digest of its bytes, also when
    /// the parser's reads cut characters of several bytes apart.
    @Test func readsAFileAsItReadsItsText() throws {
        let scratch = try SuiteScratch()
        let long =
            "id: long\nprobes:\n"
            + (0..<3000).map { "  - id: p\($0)\n    prompt: 天安门 질문 é \($0) 🙂\n" }.joined()
        for (index, text) in (Self.streamable + Self.forTheTreeReader + [long]).enumerated() {
            let path = try scratch.write("f\(index).yaml", text)
            let fromText = SuiteYAMLStream.open(text)
            let fromFile = SuiteYAMLStream.open(file: path)
            #expect((fromText == nil) == (fromFile == nil), "\(text)")
            guard let fromText, let fromFile else { continue }
            #expect(fromFile.root == fromText.root, "\(text)")
            #expect(fromFile.sha256 == SHA256Hex.digest(Data(text.utf8)))
            #expect((fromFile.probes == nil) == (fromText.probes == nil))
            let (fileEntries, fileComplete) = entries(of: fromFile.probes)
            let (textEntries, _) = entries(of: fromText.probes)
            #expect(fileComplete)
            #expect(fileEntries == textEntries, "\(text)")
        }
    }

    /// The second pass must read the bytes the first read: a file rewritten between them (same
    /// length or not) is refused, and so is one removed.
    @Test func aFileChangedBetweenThePassesIsRefused() throws {
        let scratch = try SuiteScratch()
        let text = "id: s\nprobes:\n  - id: a\n    prompt: Hello\n  - id: b\n    prompt: Bye\n"
        for changed in [text.replacingOccurrences(of: "Hello", with: "Hallo"), text + "# later\n", nil] {
            let path = try scratch.write("s.yaml", text)
            let opened = try #require(SuiteYAMLStream.open(file: path))
            if let changed {
                try scratch.write("s.yaml", changed)
            } else {
                try FileManager.default.removeItem(atPath: path)
            }
            #expect(entries(of: opened.probes).1 == false, "\(changed ?? "removed")")
        }
        // Unchanged, the same file reads whole.
        let path = try scratch.write("s.yaml", text)
        let (items, complete) = entries(of: try #require(SuiteYAMLStream.open(file: path)).probes)
        #expect(complete)
        #expect(items.count == 2)
    }

    /// Only a regular file is read as it is parsed: a pipe could not be read again by the second
    /// pass (and opening it again could block), so it is left to the text reader.
    @Test func onlyARegularFileIsReadAsItIsParsed() throws {
        let scratch = try SuiteScratch()
        let pipe = scratch.path + "/pipe.yaml"
        #expect(mkfifo(pipe, 0o600) == 0)
        #expect(SuiteYAMLStream.open(file: pipe) == nil)
        #expect(SuiteYAMLStream.open(file: scratch.path) == nil)
        let file = try scratch.write("s.yaml", "id: s\nprobes:\n  - id: a\n    prompt: Hi\n")
        #expect(SuiteYAMLStream.open(file: file) != nil)
    }

    /// A file that is not UTF-8 is left to the text reader, which words the error as ever.
    @Test func aFileThatIsNotUTF8LoadsTheSameEitherWay() throws {
        let scratch = try SuiteScratch()
        let good = Array("id: s\nprobes:\n  - id: a\n    prompt: Caf".utf8)
        for bad: [UInt8] in [[0xFF], [0xC3], [0xE9, 0x0A], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            let path = scratch.path + "/bad.yaml"
            try Data(good + bad + Array("\n".utf8)).write(to: URL(fileURLWithPath: path))
            #expect(SuiteYAMLStream.open(file: path) == nil)
            expectSameLoad([path])
            #expect(SuiteLoader.check(paths: [path]).errors.map(\.message) == ["the file is not UTF-8 text"])
        }
    }

    /// Bytes checked piece by piece are UTF-8 exactly when they are as a whole, wherever the
    /// pieces are cut: generated texts of valid characters of every length, stray continuation
    /// bytes, truncated and overlong sequences, surrogates and code points past U+10FFFF.
    @Test func checkingUTF8InPiecesAgreesWithCheckingItWhole() {
        let parts: [[UInt8]] = [
            [0x61], [0x0A], [0x00], [0xC3, 0xA9], [0xE5, 0xA4, 0xA9], [0xF0, 0x9F, 0x99, 0x82], [0x80], [0xBF],
            [0xC3], [0xE5, 0xA4], [0xF0, 0x9F, 0x99], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], [0xFE],
        ]
        var random = SplitMix64(seed: 21)
        for round in 0..<6000 {
            var bytes: [UInt8] = []
            // Mostly valid texts, so that a single bad part decides the answer.
            let validOnly = round % 2 == 0
            for _ in 0..<Int(random.next() % 12) {
                let part = parts[Int(random.next() % UInt64(validOnly ? 6 : parts.count))]
                bytes += part
            }
            let whole = String(validating: bytes, as: UTF8.self) != nil
            var check = UTF8PieceCheck()
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 1 + Int(random.next() % 5))
                bytes[start..<end].withUnsafeBytes { _ = check.accept($0) }
                start = end
            }
            #expect(check.finish() == whole, "\(bytes)")
        }
    }

    /// A big imported suite is read as a stream (the case the reader exists for).
    @Test func anImportedSuiteIsStreamed() throws {
        let text =
            "id: big\nname: Imported\nprobes:\n"
            + (0..<2000).map { "- id: p\($0)\n  prompt: Is it legal? (\($0))\n" }.joined()
        let opened = SuiteYAMLStream.open(text)
        #expect(opened?.probes != nil)
        var count = 0
        #expect(opened?.probes?.forEachProbe { _, _ in count += 1 } == true)
        #expect(count == 2000)
    }

    /// Whether a scalar says nothing, decided from its first byte where the null rule cannot
    /// match, agrees with Yams' resolver on generated scalars: null forms with and without a
    /// line terminator of each kind, texts other rules resolve (bools, numbers, `<<`, `=`,
    /// dates), ids, prompts and non-ASCII text, implicit and explicit tags, plain and quoted.
    @Test func isNothingAgreesWithYamsResolver() {
        let pieces = [
            "~", "null", "Null", "NULL", "n", "N", "nul", "", "\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "\u{85}",
            "\u{2028}", "\u{2029}", "p0001", "yes", "No", "0", "1.5", "-", "<<", "=", "2020-01-01", " ", "x", "é", "\t",
        ]
        let tags: [Yams.Tag.Name] = [.implicit, .implicit, .null, .str, .int]
        let styles: [Node.Scalar.Style] = [.plain, .plain, .plain, .singleQuoted, .doubleQuoted]
        var random = SplitMix64(seed: 18)
        for _ in 0..<4000 {
            var text = ""
            for _ in 0..<Int(random.next() % 3) { text += pieces[Int(random.next() % UInt64(pieces.count))] }
            let scalar = SuiteNode.Scalar(
                string: text, tag: tags[Int(random.next() % UInt64(tags.count))],
                style: styles[Int(random.next() % UInt64(styles.count))], position: .start)
            #expect(
                scalar.isNothing == scalar.isNothingAsYamsResolves, "\(text.debugDescription) \(scalar.tag.rawValue)")
        }
    }
}
