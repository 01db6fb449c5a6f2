import Foundation
import Testing
import UnsaidTestSupport
@testable import UnsaidArchive
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidTranscript

/// Archive records through `IndexedJSONDecoder` (the readers' fast path) against `JSONDecoder`, on
/// records made from every recorded fixture: each provider's own shapes of events, annotations,
/// errors, headers and failures, with and without `Attempt.scoringOnly`.
@Suite struct IndexedRecordDecodingTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// What a fixture file holds that a record needs (the fixture module is not a dependency here).
    struct FixtureFile: Decodable {
        var probe: Probe
        var transcript: Transcript
    }

    static func recordLines() throws -> [(String, Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".verdict.json") }.sorted()
        return try names.enumerated().map { offset, name in
            let file = try JSONDecoder().decode(
                FixtureFile.self, from: Data(contentsOf: fixtures.appendingPathComponent(name)))
            let record = TranscriptRecord(
                seq: offset + 1, prev: ArchiveChain.genesis, probe: file.probe, transcript: file.transcript)
            return (name, try CanonicalJSON.encode(record))
        }
    }

    static let modes: [[CodingUserInfoKey: Bool]] = [[:], [Attempt.scoringOnly: true]]

    @Test func everyFixtureRecordReadsAsFoundationReadsIt() throws {
        let lines = try Self.recordLines()
        #expect(lines.count > 30, "only \(lines.count) fixtures")
        var declined: [String] = []
        for (name, line) in lines {
            for userInfo in Self.modes {
                let decoder = JSONDecoder()
                for (key, value) in userInfo { decoder.userInfo[key] = value }
                let foundation = try decoder.decode(TranscriptRecord.self, from: line)
                guard let indexed = IndexedJSONDecoder.decode(TranscriptRecord.self, from: line, userInfo: userInfo)
                else {
                    declined.append("\(name) \(userInfo.isEmpty ? "whole" : "scoring only")")
                    continue
                }
                #expect(indexed == foundation, "\(name)")
            }
        }
        // Records Unsaid writes are the fast path's whole reason: it must read nearly all of them.
        #expect(declined.count * 10 <= lines.count * 2, "declined \(declined.count): \(declined.prefix(10))")
    }

    /// Events are read in one pass over their fields (`IndexedFieldDecodable`), not by the
    /// synthesized `init(from:)`: the two must agree on every rule of `Codable`'s reading.
    static let eventCases: [(String, String, Bool)] = [
        (
            "every field",
            #"{"index":1,"t":2,"content":"c","reasoning":"r","refusal":"x","finishReason":"stop","malformed":"m","done":true}"#,
            true
        ),
        ("a repeated key keeps its first value", #"{"index":1,"t":2,"content":"a","content":"b","index":7}"#, true),
        (
            "null optionals are absent",
            #"{"index":1,"t":2,"content":null,"done":null,"error":null,"annotations":null}"#, true
        ),
        ("unknown keys are ignored", #"{"zzz":{"deep":[1,{"x":null}]},"index":1,"t":2,"Content":"no"}"#, true),
        (
            "nested values",
            #"{"index":1,"t":2,"annotations":{"a":1,"b":[true,"s"]},"error":{"raw":{"x":1},"code":"c","eventIndex":3}}"#,
            true
        ),
        ("a missing required field", #"{"t":2,"content":"c"}"#, false),
        ("a null required field", #"{"index":null,"t":2}"#, false),
        ("a wrong type", #"{"index":"1","t":2}"#, false),
        ("a wrong optional type", #"{"index":1,"t":2,"done":"yes"}"#, false),
    ]

    @Test(arguments: eventCases)
    func eventsReadInOnePassAsCodableReadsThem(why: String, text: String, readable: Bool) throws {
        let data = Data(text.utf8)
        let foundation = try? JSONDecoder().decode(ChatEvent.self, from: data)
        let indexed = IndexedJSONDecoder.decode(ChatEvent.self, from: data)
        #expect((foundation != nil) == readable, "\(why): JSONDecoder")
        #expect(indexed == foundation, "\(why)")
    }

    /// Keys in canonical (ascending) order skip the repeated-key search; any other order, and every
    /// repeat, must still read as `JSONDecoder` reads it: events of random keys, sorted or not,
    /// with repeats at any place.
    @Test func eventsWithKeysInAnyOrderAndRepeatsReadAsCodableReadsThem() throws {
        let values: [(String, [String])] = [
            ("content", [#""a""#, #""b""#, "null"]), ("done", ["true", "false"]), ("finishReason", [#""stop""#]),
            ("index", ["1", "7"]), ("malformed", [#""m""#]), ("reasoning", [#""r""#]), ("refusal", [#""x""#]),
            ("t", ["2", "9"]), ("zz", ["[1]"]), ("Index", ["3"]), ("ind", ["4"]),
        ]
        var generator = SplitMix64(seed: 0x0DE2)
        var read = 0
        for _ in 0..<3_000 {
            var fields: [(String, String)] = []
            for _ in 0..<(2 + Int(generator.next() % 8)) {
                let (key, choices) = values[Int(generator.next() % UInt64(values.count))]
                fields.append((key, choices[Int(generator.next() % UInt64(choices.count))]))
            }
            if generator.next() % 2 == 0 {
                fields.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            }
            let text = "{" + fields.map { #"""# + $0.0 + #"":"# + $0.1 }.joined(separator: ",") + "}"
            let data = Data(text.utf8)
            let foundation = try? JSONDecoder().decode(ChatEvent.self, from: data)
            let indexed = IndexedJSONDecoder.decode(ChatEvent.self, from: data)
            if foundation != nil { read += 1 }
            #expect(indexed == foundation, "\(text)")
            // The same event inside a response, where events are read in place in the array, after
            // a good one and before another (a failing event in the middle must fail the response).
            let response = Data(
                (#"{"events":[{"index":0,"t":1,"content":"c"},"# + text + #",{"index":2,"t":3}],"#
                    + #""content":"c","reasoning":"","refusal":"","sawDone":false,"errors":[]}"#).utf8)
            #expect(
                IndexedJSONDecoder.decode(DecodedResponse.self, from: response)
                    == (try? JSONDecoder().decode(DecodedResponse.self, from: response)), "in a response: \(text)")
        }
        #expect(read > 300, "only \(read) generated events had both required fields")
    }

    /// Responses and headers are read in one pass too; the same rules, on their fields.
    static let responseCases: [(String, String, Bool)] = [
        (
            "every field",
            #"{"events":[{"index":0,"t":1,"content":"c"}],"content":"c","reasoning":"r","refusal":"x","finishReason":"stop","usage":{"total_tokens":3},"sawDone":true,"errors":[{"raw":{"x":1},"code":"c"}],"protocolError":"p","bodyFormat":"sse","unterminatedEvent":true}"#,
            true
        ),
        (
            "a repeated key keeps its first value",
            #"{"events":[],"content":"a","reasoning":"","refusal":"","sawDone":false,"errors":[],"content":"b","sawDone":true}"#,
            true
        ),
        (
            "null optionals are absent",
            #"{"events":[],"content":"","reasoning":"","refusal":"","sawDone":false,"errors":[],"usage":null,"bodyFormat":null,"finishReason":null}"#,
            true
        ),
        (
            "unknown keys are ignored",
            #"{"zzz":[{"a":null}],"events":[],"content":"","reasoning":"","refusal":"","sawDone":false,"errors":[],"Content":"no"}"#,
            true
        ),
        ("a missing required field", #"{"events":[],"content":"","reasoning":"","refusal":"","errors":[]}"#, false),
        (
            "a null required field",
            #"{"events":null,"content":"","reasoning":"","refusal":"","sawDone":false,"errors":[]}"#, false
        ),
        (
            "an event that is not an object",
            #"{"events":[1],"content":"","reasoning":"","refusal":"","sawDone":false,"errors":[]}"#, false
        ),
        (
            "an unknown body format",
            #"{"events":[],"content":"","reasoning":"","refusal":"","sawDone":false,"errors":[],"bodyFormat":"xml"}"#,
            false
        ),
    ]

    @Test(arguments: responseCases)
    func responsesReadInOnePassAsCodableReadsThem(why: String, text: String, readable: Bool) throws {
        let data = Data(text.utf8)
        let foundation = try? JSONDecoder().decode(DecodedResponse.self, from: data)
        #expect((foundation != nil) == readable, "\(why): JSONDecoder")
        #expect(IndexedJSONDecoder.decode(DecodedResponse.self, from: data) == foundation, "\(why)")
    }

    static let headerCases: [(String, String, Bool)] = [
        ("both fields", #"[{"name":"a","value":"b"},{"value":"d","name":"c"}]"#, true),
        ("a repeated key keeps its first value", #"[{"name":"a","value":"b","name":"z"}]"#, true),
        ("unknown keys are ignored", #"[{"name":"a","x":null,"value":"b"}]"#, true),
        ("a missing field", #"[{"name":"a"}]"#, false),
        ("a null field", #"[{"name":"a","value":null}]"#, false),
        ("a header that is not an object", #"[{"name":"a","value":"b"},"c"]"#, false),
    ]

    @Test(arguments: headerCases)
    func headersReadInOnePassAsCodableReadsThem(why: String, text: String, readable: Bool) throws {
        let data = Data(text.utf8)
        let foundation = try? JSONDecoder().decode([HTTPHeader].self, from: data)
        #expect((foundation != nil) == readable, "\(why): JSONDecoder")
        #expect(IndexedJSONDecoder.decode([HTTPHeader].self, from: data) == foundation, "\(why)")
    }

    /// The record's own objects are read in one pass over their fields too (`TranscriptRecord`,
    /// `Transcript`, `RecordedRequest`, `WorkKey`, `Attempt`): the same rules, on their fields,
    /// in both modes (`Attempt.scoringOnly` leaves a 2xx attempt's chunks unread, not unchecked).
    static let keyText = #"{"probe":"p","probeHash":"h","sample":0,"streamed":true,"suite":"s"}"#
    static let requestText =
        #"{"body":"{}","headers":[{"name":"a","value":"b"}],"method":"POST","streamed":true,"url":"u"}"#
    static let responseText = #"{"content":"","errors":[],"events":[],"reasoning":"","refusal":"","sawDone":true}"#
    static func attemptText(_ fields: String) -> String {
        #"{"elapsed":5,"headers":[],"index":0,"response":"# + responseText + #","startedAt":"s""# + fields + "}"
    }
    static let chunk = #"{"t":1,"text":"data: x\n\n"}"#
    static let probeText =
        #"{"category":"control","expect":"any","id":"p","language":"en","messages":[{"content":"q","role":"user"}],"parameters":{},"repeatCount":1,"stream":"on","tags":[]}"#

    static let objectCases: [(String, String, String, Bool)] = [
        ("key", "every field", keyText, true),
        (
            "key", "keys in another order", #"{"suite":"s","streamed":false,"sample":2,"probeHash":"h","probe":"p"}"#,
            true
        ),
        (
            "key", "a repeated key keeps its first value",
            #"{"probe":"p","probe":"q","probeHash":"h","sample":0,"streamed":true,"suite":"s"}"#, true
        ),
        (
            "key", "unknown keys are ignored",
            #"{"Probe":"x","probe":"p","probeHash":"h","sample":0,"streamed":true,"suite":"s","zz":[null]}"#, true
        ),
        ("key", "a missing field", #"{"probe":"p","probeHash":"h","sample":0,"suite":"s"}"#, false),
        ("key", "a null field", #"{"probe":"p","probeHash":"h","sample":null,"streamed":true,"suite":"s"}"#, false),
        ("key", "a wrong type", #"{"probe":"p","probeHash":"h","sample":0,"streamed":1,"suite":"s"}"#, false),
        ("request", "every field", requestText, true),
        ("request", "a missing body", #"{"headers":[],"method":"POST","streamed":true,"url":"u"}"#, false),
        ("request", "null headers", #"{"body":"","headers":null,"method":"POST","streamed":true,"url":"u"}"#, false),
        ("attempt", "chunks and a status", attemptText(#","chunks":["# + chunk + #"],"status":200"#), true),
        ("attempt", "an HTTP error's chunks", attemptText(#","chunks":["# + chunk + #"],"status":500"#), true),
        ("attempt", "no status", attemptText(#","chunks":["# + chunk + #"]"#), true),
        ("attempt", "a null status", attemptText(#","chunks":[],"status":null"#), true),
        (
            "attempt", "every optional field",
            attemptText(
                #","backoff":7,"chunks":[],"failure":{"kind":"timeout","message":"m"},"responseCap":9,"status":200"#),
            true
        ),
        (
            "attempt", "null optionals", attemptText(#","backoff":null,"chunks":[],"failure":null,"responseCap":null"#),
            true
        ),
        ("attempt", "null chunks", attemptText(#","chunks":null,"status":200"#), false),
        ("attempt", "null chunks of an HTTP error", attemptText(#","chunks":null,"status":404"#), false),
        ("attempt", "no chunks", attemptText(#","status":200"#), false),
        ("attempt", "a chunk that is not one", attemptText(#","chunks":[1],"status":200"#), false),
        ("attempt", "a chunk that is not one, of an HTTP error", attemptText(#","chunks":[1],"status":503"#), false),
        (
            "attempt", "a repeated status keeps its first value",
            attemptText(#","chunks":[1],"status":200,"status":500"#), false
        ),
        ("attempt", "a status of the wrong type", attemptText(#","chunks":[],"status":"200""#), false),
        ("attempt", "a missing response", #"{"chunks":[],"elapsed":5,"headers":[],"index":0,"startedAt":"s"}"#, false),
        (
            "transcript", "every field",
            #"{"attempts":["# + attemptText(#","chunks":[],"status":200"#) + #"],"key":"# + keyText + #","request":"#
                + requestText + "}", true
        ),
        ("transcript", "no attempts", #"{"attempts":[],"key":"# + keyText + #","request":"# + requestText + "}", true),
        ("transcript", "a missing key", #"{"attempts":[],"request":"# + requestText + "}", false),
        (
            "transcript", "an attempt that is not an object",
            #"{"attempts":[1],"key":"# + keyText + #","request":"# + requestText + "}", false
        ),
        (
            "record", "every field",
            #"{"prev":"0","probe":"# + probeText + #","seq":1,"transcript":{"attempts":[],"key":"#
                + keyText + #","request":"# + requestText + "}}", true
        ),
        (
            "record", "a null seq",
            #"{"prev":"0","probe":"# + probeText + #","seq":null,"transcript":{"attempts":[],"key":"#
                + keyText + #","request":"# + requestText + "}}", false
        ),
        ("record", "a missing transcript", #"{"prev":"0","probe":"# + probeText + #","seq":1}"#, false),
    ]

    static func readsAlike<T: Decodable & Equatable>(
        _ type: T.Type, _ data: Data, userInfo: [CodingUserInfoKey: Bool]
    ) -> (foundation: T?, indexed: T?) {
        let decoder = JSONDecoder()
        for (key, value) in userInfo { decoder.userInfo[key] = value }
        return (try? decoder.decode(type, from: data), IndexedJSONDecoder.decode(type, from: data, userInfo: userInfo))
    }

    @Test(arguments: objectCases)
    func recordObjectsReadInOnePassAsCodableReadsThem(kind: String, why: String, text: String, readable: Bool) throws {
        let data = Data(text.utf8)
        for userInfo in Self.modes {
            let mode = userInfo.isEmpty ? "whole" : "scoring only"
            var foundationRead = false
            switch kind {
            case "key":
                let (foundation, indexed) = Self.readsAlike(WorkKey.self, data, userInfo: userInfo)
                foundationRead = foundation != nil
                #expect(indexed == foundation, "\(kind), \(why), \(mode)")
            case "request":
                let (foundation, indexed) = Self.readsAlike(RecordedRequest.self, data, userInfo: userInfo)
                foundationRead = foundation != nil
                #expect(indexed == foundation, "\(kind), \(why), \(mode)")
            case "attempt":
                let (foundation, indexed) = Self.readsAlike(Attempt.self, data, userInfo: userInfo)
                foundationRead = foundation != nil
                #expect(indexed == foundation, "\(kind), \(why), \(mode)")
            case "transcript":
                let (foundation, indexed) = Self.readsAlike(Transcript.self, data, userInfo: userInfo)
                foundationRead = foundation != nil
                #expect(indexed == foundation, "\(kind), \(why), \(mode)")
            default:
                let (foundation, indexed) = Self.readsAlike(TranscriptRecord.self, data, userInfo: userInfo)
                foundationRead = foundation != nil
                #expect(indexed == foundation, "\(kind), \(why), \(mode)")
            }
            // A 2xx attempt's unreadable or null chunks are left unread when scoring only (the key
            // must be there, whatever its value).
            let scoringReadsAnyway =
                !userInfo.isEmpty && (why.hasPrefix("a chunk that is not one") || why == "null chunks")
                && !why.contains("HTTP")
            // Which of two repeated keys `JSONDecoder` reads is not pinned here, only that both agree.
            if !why.hasPrefix("a repeated status") {
                #expect(foundationRead == (readable || scoringReadsAnyway), "\(kind), \(why), \(mode): JSONDecoder")
            }
        }
    }

    /// Single-byte edits of real records: a record the indexed decoder still reads must read the
    /// same through `JSONDecoder`; one it declines goes to `JSONDecoder` anyway.
    @Test func mutatedRecordsNeverReadDifferently() throws {
        var handled = 0
        for edit in SingleByteEdit.drawn(from: try Self.recordLines().map(\.1), count: 1_500, seed: 0xA11CE) {
            let line = edit.line
            for userInfo in Self.modes {
                guard let indexed = IndexedJSONDecoder.decode(TranscriptRecord.self, from: line, userInfo: userInfo)
                else { continue }
                handled += 1
                let decoder = JSONDecoder()
                for (key, value) in userInfo { decoder.userInfo[key] = value }
                let foundation = try? decoder.decode(TranscriptRecord.self, from: line)
                #expect(
                    foundation == indexed,
                    "mutation at \(edit.position): \(String(decoding: line, as: UTF8.self).prefix(300))")
            }
        }
        #expect(handled > 500, "only \(handled) mutated records were read by the indexed decoder")
    }
}
