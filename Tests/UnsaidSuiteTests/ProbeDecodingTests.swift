import Foundation
import Testing
import UnsaidTestSupport
@testable import UnsaidSuite
@testable import UnsaidSupport

/// An archived record's probe, its messages, parameters, transform, follow-ups and turn link are
/// read in one pass over their fields (`IndexedFieldDecodable`) by `CanonicalJSON.decode`;
/// `JSONDecoder` stays the reference: generated probes with each optional set and unset,
/// single-byte edits of them, and the rules of `Codable`'s reading case by case.
@Suite struct ProbeDecodingTests {
    static func generated() throws -> [Data] {
        var random = SplitMix64(seed: 0x9_20BE)
        let texts = ["", "plain", "quote \" and \\ backslash", "line\nbreak\u{1}", "中文 😀", "\u{2028}"]
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        func text() -> String { pick(texts) }
        func maybe<T>(_ value: T) -> T? { random.next() % 2 == 0 ? value : nil }
        let doubles = [0, -0.0, 0.7, 1, 1e-7, 123.456, 2.5e300, -1.25]
        var lines: [Data] = []
        for index in 0..<400 {
            let messages = (0..<Int(random.next() % 4)).map { _ in
                ChatMessage(role: pick(["system", "user", "assistant", ""]), content: text())
            }
            let parameters = GenerationParameters(
                temperature: maybe(pick(doubles)), topP: maybe(pick(doubles)),
                maxTokens: maybe(Int(random.next() % 5000) - 10), seed: maybe(Int(bitPattern: UInt(random.next()))))
            let followUps = (0..<Int(random.next() % 3)).map { _ in
                FollowUpTurn(
                    text: text(), on: (0..<Int(random.next() % 3)).map { _ in pick(FollowUpTurn.conditions) },
                    answer: pick(PriorAnswer.allCases))
            }
            let probe = Probe(
                id: "p\(index)", messages: messages, language: pick(["en", "zh-Hans", ""]), topic: maybe(text()),
                tags: (0..<Int(random.next() % 3)).map { _ in text() }, category: pick(ProbeCategory.allCases),
                expect: pick(Expectation.allCases), stream: pick(StreamMode.allCases),
                repeatCount: Int(random.next() % 4), group: maybe(text()), variant: maybe(text()),
                parameters: parameters, terms: maybe((0..<Int(random.next() % 3)).map { _ in text() }),
                transform: maybe(
                    AppliedTransform(
                        name: pick(["pinyin", "template"]), version: Int(random.next() % 3), argument: maybe(text()),
                        source: text())),
                followUps: maybe(followUps),
                turn: maybe(
                    TurnLink(turn: Int(random.next() % 4) + 2, root: text(), parent: text(), parentHash: text())))
            lines.append(try CanonicalJSON.encode(probe))
        }
        return lines
    }

    @Test func probesReadAsFoundationReadsThem() throws {
        let lines = try Self.generated()
        var read = 0
        for line in lines {
            let foundation = try JSONDecoder().decode(Probe.self, from: line)
            // A double the index cannot be sure to read as Foundation does goes to `JSONDecoder`.
            guard let indexed = IndexedJSONDecoder.decode(Probe.self, from: line) else { continue }
            read += 1
            #expect(indexed == foundation, "\(String(decoding: line, as: UTF8.self).prefix(300))")
        }
        #expect(read > 350, "only \(read) generated probes were read by the indexed decoder")
    }

    /// Single-byte edits: a probe the indexed decoder still reads must read the same through
    /// `JSONDecoder`; one it declines goes to `JSONDecoder` anyway.
    @Test func mutatedProbesNeverReadDifferently() throws {
        var handled = 0
        for edit in SingleByteEdit.drawn(from: try Self.generated(), count: 4_000, seed: 0x5EED_0F) {
            let line = edit.line
            guard let indexed = IndexedJSONDecoder.decode(Probe.self, from: line) else { continue }
            handled += 1
            #expect(
                (try? JSONDecoder().decode(Probe.self, from: line)) == indexed,
                "\(String(decoding: line, as: UTF8.self).prefix(300))")
        }
        #expect(handled > 1_000, "only \(handled) mutated probes were read by the indexed decoder")
    }

    static let messages = #""messages":[{"content":"Hi","role":"user"}]"#
    /// A probe with every required field; `fields` go between its first fields and `tags`.
    static func probe(_ fields: String) -> String {
        #"{"category":"censorship","expect":"refuse","id":"q1","language":"en","# + messages
            + #","parameters":{},"repeatCount":1,"stream":"on""# + fields + #","tags":["t"]}"#
    }

    static let cases: [(String, String, Bool)] = [
        ("the least", probe(""), true),
        (
            "every field",
            #"{"category":"safety","expect":"answer","followUps":[{"answer":"withdrawn","on":["any","refused"],"text":"Again?"}],"group":"g","id":"q1","language":"zh-Hans","messages":[{"content":"s","role":"system"},{"content":"Hi","role":"user"}],"parameters":{"maxTokens":64,"seed":-3,"temperature":0.7,"topP":1},"repeatCount":3,"stream":"both","tags":["a","b"],"terms":["x"],"topic":"t","transform":{"argument":"{prompt}!","name":"template","source":"q0","version":2},"turn":{"parent":"s/q0#0","parentHash":"h","root":"q0","turn":2},"variant":"ko"}"#,
            true
        ),
        (
            "null optionals",
            probe(
                #","followUps":null,"group":null,"terms":null,"topic":null,"transform":null,"turn":null,"variant":null"#
            ),
            true
        ),
        (
            "null parameters inside",
            #"{"category":"control","expect":"any","id":"q1","language":"en","# + messages
                + #","parameters":{"maxTokens":null,"seed":null,"temperature":null,"topP":null},"repeatCount":1,"stream":"off","tags":[]}"#,
            true
        ),
        ("a transform without an argument", probe(#","transform":{"name":"pinyin","source":"q0","version":1}"#), true),
        ("a repeated key keeps its first value", probe(#","group":"first","group":"second""#), true),
        (
            "a repeated key out of order",
            #"{"id":"q1","category":"censorship","expect":"refuse","id":"q2","language":"en","# + messages
                + #","parameters":{"seed":1,"seed":2},"repeatCount":1,"stream":"on","tags":[]}"#, true
        ),
        (
            "unknown keys are ignored",
            probe(#","Group":"x","messageCount":3,"zz":{"a":[1,null]}"#).replacingOccurrences(
                of: #""role":"user"}"#, with: #""role":"user","name":"n"}"#), true
        ),
        (
            "a fractional repeat count",
            probe("").replacingOccurrences(of: "\"repeatCount\":1", with: "\"repeatCount\":1.5"), false
        ),
        (
            "an integer for a double",
            probe("").replacingOccurrences(of: "\"parameters\":{}", with: #""parameters":{"temperature":1}"#), true
        ),
        (
            "an exponent for a double",
            probe("").replacingOccurrences(of: "\"parameters\":{}", with: #""parameters":{"topP":5e-1}"#), true
        ),
        (
            "a string for a double",
            probe("").replacingOccurrences(of: "\"parameters\":{}", with: #""parameters":{"topP":"0.5"}"#), false
        ),
        ("an unknown category", probe("").replacingOccurrences(of: "\"censorship\"", with: "\"politics\""), false),
        ("an unknown expectation", probe("").replacingOccurrences(of: "\"refuse\"", with: "\"maybe\""), false),
        (
            "an unknown stream mode",
            probe("").replacingOccurrences(of: "\"stream\":\"on\"", with: "\"stream\":\"yes\""), false
        ),
        ("an unknown prior answer", probe(#","followUps":[{"answer":"kept","on":[],"text":"t"}]"#), false),
        ("a category that is not a string", probe("").replacingOccurrences(of: "\"censorship\"", with: "1"), false),
        ("a null id", probe("").replacingOccurrences(of: "\"q1\"", with: "null"), false),
        ("null tags", probe("").replacingOccurrences(of: "[\"t\"]", with: "null"), false),
        ("a null tag", probe("").replacingOccurrences(of: "[\"t\"]", with: "[null]"), false),
        ("a tag that is not a string", probe("").replacingOccurrences(of: "[\"t\"]", with: "[1]"), false),
        ("null messages", probe("").replacingOccurrences(of: messages, with: "\"messages\":null"), false),
        ("missing parameters", probe("").replacingOccurrences(of: "\"parameters\":{},", with: ""), false),
        ("missing a language", probe("").replacingOccurrences(of: "\"language\":\"en\",", with: ""), false),
        ("a message without content", probe("").replacingOccurrences(of: #""content":"Hi","#, with: ""), false),
        (
            "a message that is a string",
            probe("").replacingOccurrences(of: #"{"content":"Hi","role":"user"}"#, with: "\"Hi\""), false
        ),
        ("a null role", probe("").replacingOccurrences(of: "\"user\"", with: "null"), false),
        ("a transform without a source", probe(#","transform":{"name":"pinyin","version":1}"#), false),
        ("a fractional transform version", probe(#","transform":{"name":"pinyin","source":"q","version":1.5}"#), false),
        ("a turn without a parent hash", probe(#","turn":{"parent":"p","root":"r","turn":2}"#), false),
        ("a follow-up without text", probe(#","followUps":[{"answer":"shown","on":[]}]"#), false),
        ("a topic that is not a string", probe(#","topic":7"#), false),
        ("a wrong-typed optional array", probe(#","terms":"x""#), false),
        (
            "parameters that are an array",
            probe("").replacingOccurrences(of: "\"parameters\":{}", with: "\"parameters\":[]"), false
        ),
        ("a probe that is an array", "[" + probe("") + "]", false),
    ]

    @Test(arguments: cases)
    func probeFieldsReadAsCodableReadsThem(why: String, text: String, readable: Bool) throws {
        let data = Data(text.utf8)
        let foundation = try? JSONDecoder().decode(Probe.self, from: data)
        #expect((foundation != nil) == readable, "\(why): JSONDecoder")
        #expect(IndexedJSONDecoder.decode(Probe.self, from: data) == foundation, "\(why)")
    }
}
