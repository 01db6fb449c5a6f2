import Foundation
import Testing
@testable import UnsaidArchive
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidTranscript
@testable import UnsaidVerdict

/// The types that write their own canonical bytes (`CanonicalWritable`: records, transcripts,
/// attempts, chunks, events) against the same values encoded through `Encodable`, which stays the
/// reference: every fixture record, generated values with each optional field set and unset, and
/// the values a writer must decline.
@Suite struct CanonicalWritingTests {
    @Test func everyFixtureRecordWritesTheEncodableBytes() throws {
        let lines = try IndexedRecordDecodingTests.recordLines()
        #expect(lines.count > 30, "only \(lines.count) fixtures")
        for (name, line) in lines {
            let record = try JSONDecoder().decode(TranscriptRecord.self, from: line)
            let reference = try CanonicalJSON.encodeThroughEncodable(record)
            #expect(try CanonicalJSON.encode(record) == reference, "\(name)")
            #expect(line == reference, "\(name)")
            // Each part on its own too, as other types embed them.
            #expect(
                try CanonicalJSON.encode(record.transcript) == CanonicalJSON.encodeThroughEncodable(record.transcript))
            for attempt in record.transcript.attempts {
                #expect(
                    try CanonicalJSON.encode(attempt.response) == CanonicalJSON.encodeThroughEncodable(attempt.response)
                )
            }
        }
    }

    @Test func generatedRecordsWriteTheEncodableBytes() throws {
        var random = SplitMix64(seed: 0x5EED_0F_C0DE)
        var checked = 0
        for seq in 1...400 {
            let record = RecordGenerator.record(seq: seq, using: &random)
            let written = try CanonicalJSON.encode(record)
            let reference = try CanonicalJSON.encodeThroughEncodable(record)
            #expect(written == reference, "record \(seq): \(String(decoding: written.prefix(300), as: UTF8.self))")
            // And the bytes read back (by Foundation) to a value that encodes to them again, so the
            // comparison is not of two equally wrong encodings. (Not to `record` itself: JCS writes
            // -0.0 as 0, which reads back as an integer.)
            let reread = try JSONDecoder().decode(TranscriptRecord.self, from: written)
            let again = try CanonicalJSON.encodeThroughEncodable(reread)
            let split = zip(again, written).prefix { $0 == $1 }.count
            #expect(
                again == written,
                "record \(seq) at \(split): \(String(decoding: again.dropFirst(max(0, split - 80)).prefix(160), as: UTF8.self)) vs \(String(decoding: written.dropFirst(max(0, split - 80)).prefix(160), as: UTF8.self))"
            )
            #expect(reread.transcript.attempts.count == record.transcript.attempts.count)
            checked += 1
        }
        #expect(checked == 400)
    }

    /// Probes with every optional field set or unset, integer and floating-point parameters,
    /// texts that need escapes: written directly, inside a record and alone, they are the
    /// `Encodable` bytes.
    @Test func generatedProbesWriteTheEncodableBytes() throws {
        var random = SplitMix64(seed: 0x9_0BE)
        for index in 0..<600 {
            let probe = try RecordGenerator.probe(index, &random)
            let reference = try CanonicalJSON.encodeThroughEncodable(probe)
            #expect(
                try CanonicalJSON.encode(probe) == reference,
                "probe \(index): \(String(decoding: reference, as: UTF8.self))")
            var record = RecordGenerator.record(seq: index + 1, using: &random)
            record.probe = probe
            #expect(try CanonicalJSON.encode(record) == CanonicalJSON.encodeThroughEncodable(record), "record \(index)")
        }
    }

    /// A probe's content hash is the digest of bytes its hash input writes itself: for generated
    /// probes (follow-up turns and transforms set or not, integer and floating-point parameters)
    /// they are the `Encodable` bytes, and the writer does write them (does not decline) for every
    /// probe but a follow-up turn's.
    @Test func generatedProbesHashTheEncodableBytes() throws {
        var random = SplitMix64(seed: 0x4A54)
        var writtenDirectly = 0
        for index in 0..<600 {
            let probe = try RecordGenerator.probe(index, &random)
            let input = ProbeHashInput(probe)
            let reference = try CanonicalJSON.encodeThroughEncodable(input)
            #expect(
                try CanonicalJSON.encode(input) == reference,
                "probe \(index): \(String(decoding: reference, as: UTF8.self))")
            #expect(try probe.contentHash == SHA256Hex.digest(reference), "probe \(index)")
            if input.turn == nil {
                #expect(CanonicalJSONEncoder.written(input) != nil, "probe \(index) declined")
                writtenDirectly += 1
            }
        }
        #expect(writtenDirectly > 100)
    }

    /// A record's buffer is reserved from its size hint; a hint below the record's size makes
    /// the buffer grow by doubling and hold the record twice. The hint covers every fixture record,
    /// generated ones (escapes, control characters, many small pieces) and one of a capped 16 MiB
    /// answer.
    @Test func theSizeHintCoversTheRecord() throws {
        var records: [(String, TranscriptRecord)] = try IndexedRecordDecodingTests.recordLines().map {
            ($0.0, try JSONDecoder().decode(TranscriptRecord.self, from: $0.1))
        }
        var random = SplitMix64(seed: 0x51_2E)
        for seq in 1...200 { records.append(("generated \(seq)", RecordGenerator.record(seq: seq, using: &random))) }
        let piece = String(repeating: "Freedom of expression is protected on paper. ", count: 540)
        let sse = #"data: {"choices":[{"index":0,"delta":{"content":"\#(piece)"},"finish_reason":null}]}"# + "\n\n"
        let events = (0..<680).map { ChatEvent(index: $0, t: Int64($0), content: piece) }
        var big = RecordGenerator.record(probe: records[0].1.probe, events: events)
        big.transcript.attempts[0].chunks = (0..<680).map { WireChunk(t: Int64($0), bytes: Data(sse.utf8)) }
        big.transcript.attempts[0].response.content = String(repeating: piece, count: 680)
        records.append(("a 16 MiB answer", big))
        for (name, record) in records {
            let size = try CanonicalJSON.encodeLine(record).count
            #expect(record.canonicalSizeHint >= size, "\(name): hint \(record.canonicalSizeHint), size \(size)")
        }
        #expect(try CanonicalJSON.encodeLine(big).count > 40_000_000)
    }

    /// The common event's fixed form (`content`, `index`, `t`, everything else nil) against
    /// `Encodable`: content absent, empty, escaped, non-ASCII, longer than an escaping block;
    /// indices and times at their extremes and negative; and events one field away from the form
    /// (each other optional set alone), which must take the key-by-key path. Alone, in a response
    /// among other events (commas), and in a record.
    @Test func theCommonEventFormWritesTheEncodableBytes() throws {
        let numbers: [Int64] = [0, 1, 9, 10, 99, 100, 2120, 999_999, -1, -10, -2120, Int64.max, Int64.min, 1 << 53]
        let texts: [String?] =
            [nil] + RecordGenerator.texts
            + [String(repeating: "é\"", count: JCSString.block), String(repeating: "a", count: JCSString.block + 1)]
        var events: [ChatEvent] = []
        for content in texts {
            for index in numbers {
                for t in numbers.reversed() {
                    events.append(ChatEvent(index: Int(index), t: t, content: content))
                }
            }
        }
        var random = SplitMix64(seed: 0xF1_3ED)
        for seq in 0..<600 {
            var event = ChatEvent(
                index: Int(numbers[seq % numbers.count]), t: numbers[(seq / 3) % numbers.count],
                content: RecordGenerator.maybe(&random, RecordGenerator.text))
            switch seq % 8 {
            case 0: event.reasoning = RecordGenerator.text(&random)
            case 1: event.refusal = RecordGenerator.text(&random)
            case 2: event.finishReason = RecordGenerator.text(&random)
            case 3: event.malformed = RecordGenerator.text(&random)
            case 4: event.done = random.next() % 2 == 0
            case 5: event.error = RecordGenerator.providerError(&random)
            case 6: event.annotations = [RecordGenerator.text(&random): RecordGenerator.json(&random)]
            default: break
            }
            events.append(event)
        }
        for event in events {
            let written = try CanonicalJSON.encode(event)
            #expect(
                written == (try CanonicalJSON.encodeThroughEncodable(event)),
                "\(String(decoding: written.prefix(200), as: UTF8.self))")
        }
        var shuffled = events
        shuffled.shuffle(using: &random)
        let response = DecodedResponse(events: shuffled)
        #expect(try CanonicalJSON.encode(response) == CanonicalJSON.encodeThroughEncodable(response))
        let record = RecordGenerator.record(probe: try RecordGenerator.fullProbe(), events: shuffled)
        #expect(try CanonicalJSON.encode(record) == CanonicalJSON.encodeThroughEncodable(record))
    }

    /// A field added to a type but not to its writer would be left out of every record or verdict:
    /// with every optional set, each writer writes exactly the type's stored properties.
    @Test func everyStoredPropertyIsWritten() throws {
        var chunk = WireChunk(t: 1, bytes: Array("x".utf8))
        chunk.base64 = "eA=="
        let error = ProviderError(code: "c", message: "m", type: "t", eventIndex: 1, raw: .null)
        let event = ChatEvent(
            index: 1, t: 2, content: "c", reasoning: "r", refusal: "x", finishReason: "stop", error: error,
            annotations: ["a": .int(1)], malformed: "m", done: true)
        let response = DecodedResponse(
            events: [event], content: "c", reasoning: "r", refusal: "x", finishReason: "stop", usage: .int(1),
            sawDone: true, errors: [error], protocolError: "p", bodyFormat: .sse, unterminatedEvent: true)
        let header = HTTPHeader(name: "n", value: "v")
        let failure = TransportFailure(kind: .stall, message: "m", curlCode: 28)
        let attempt = Attempt(
            index: 0, startedAt: "s", elapsed: 1, status: 200, headers: [header], chunks: [chunk], failure: failure,
            response: response, backoff: 5, responseCap: 16)
        let key = WorkKey(suite: "s", probe: "p", probeHash: "h", sample: 0, streamed: true)
        let request = RecordedRequest(url: "u", headers: [header], body: "{}", streamed: true)
        let transcript = Transcript(key: key, request: request, attempts: [attempt])
        let record = TranscriptRecord(
            seq: 1, prev: "0", probe: Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")]),
            transcript: transcript)
        let span = TextSpan(start: 1, end: 2, text: "t")
        let evidence = Evidence(
            rule: "r", note: "n", event: 1, span: span, withdrawn: span, replacement: span, layer: .wire, confidence: 5)
        let verdict = Verdict(
            key: key, verdict: .refused, flags: [.streamCut], evidence: [evidence], attempt: 0, expect: .refuse,
            outcome: .pass, ruleset: "1", decidedBy: .phrase)
        let fullProbe = try RecordGenerator.fullProbe()
        let values: [any CanonicalWritable] = [
            chunk, error, event, response, header, failure, attempt, key, request, transcript, record, span, evidence,
            verdict, fullProbe, fullProbe.messages[0],
        ]
        for value in values {
            var writer = CanonicalWriter()
            try value.write(to: &writer)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any], "\(type(of: value))")
            let properties = Set(Mirror(reflecting: value).children.compactMap(\.label))
            #expect(Set(object.keys) == properties, "\(type(of: value))")
        }
    }

    /// Keys that sort differently by UTF-16 code units than by code points or bytes, in annotation
    /// dictionaries (the one place a writer sorts keys from data).
    @Test func annotationKeysSortAsJCSSortsThem() throws {
        let keys = ["b", "a", "B", "é", "\u{E000}", "😀", "דּ", "a\u{0}", "", "\"quoted\"", "choices.x"]
        var annotations: [String: JSONValue] = [:]
        for (offset, key) in keys.enumerated() { annotations[key] = .int(Int64(offset)) }
        let event = ChatEvent(index: 0, t: 1, annotations: annotations)
        let written = try CanonicalJSON.encode(event)
        #expect(written == (try CanonicalJSON.encodeThroughEncodable(event)))
        // U+1F600 (a surrogate pair in UTF-16) sorts before U+E000 and U+FB1D, unlike in UTF-8.
        let text = String(decoding: written, as: UTF8.self)
        let smiley = try #require(text.range(of: "😀"))
        let privateUse = try #require(text.range(of: "\u{E000}"))
        #expect(smiley.lowerBound < privateUse.lowerBound)
    }

    /// A value a writer cannot write (a non-finite number) is encoded through `Encodable`, so the
    /// error is the one `Encodable` reports, with its path.
    @Test func nonFiniteNumbersFailAsEncodableFails() throws {
        var event = ChatEvent(index: 3, t: 9)
        event.annotations = ["timings": .object(["rate": .double(.infinity)])]
        let probe = Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")])
        var nanProbe = probe
        nanProbe.parameters.temperature = .nan
        let cases: [(String, TranscriptRecord)] = [
            ("annotation", RecordGenerator.record(probe: probe, events: [event])),
            ("probe parameter", RecordGenerator.record(probe: nanProbe, events: [ChatEvent(index: 0, t: 0)])),
        ]
        for (name, record) in cases {
            let written = Result { try CanonicalJSON.encode(record) }
            let reference = Result { try CanonicalJSON.encodeThroughEncodable(record) }
            guard case .failure(let writtenError) = written, case .failure(let referenceError) = reference else {
                Issue.record("\(name): both must fail")
                continue
            }
            #expect("\(writtenError)" == "\(referenceError)", "\(name)")
        }
        // The failing path is named down to the number.
        let message = "\(Result { try CanonicalJSON.encode(cases[0].1) })"
        #expect(message.contains("rate"), "\(message)")
    }

    /// A value whose type is known to write itself takes `CanonicalJSON`'s `CanonicalWritable`
    /// overloads (no run-time cast); the same value seen only as `Encodable` is cast at run time.
    /// Both give the same bytes and lines, and the same error for a value its writer declines.
    @Test func writableTypesGiveTheSameBytesKnownOrCast() throws {
        func castEncode<T: Encodable>(_ value: T) -> Result<Data, any Error> {
            Result { try CanonicalJSON.encode(value) }
        }
        func castLine<T: Encodable>(_ value: T) -> Result<[UInt8], any Error> {
            Result { try CanonicalJSON.withLine(value) { Array($0) } }
        }
        func same<T: Equatable>(_ known: Result<T, any Error>, _ cast: Result<T, any Error>) -> Bool {
            switch (known, cast) {
            case (.success(let a), .success(let b)): a == b
            case (.failure(let a), .failure(let b)): "\(a)" == "\(b)"
            default: false
            }
        }
        var random = SplitMix64(seed: 17)
        var records = (1...60).map { RecordGenerator.record(seq: $0, using: &random) }
        var event = ChatEvent(index: 3, t: 9)
        event.annotations = ["timings": .object(["rate": .double(.infinity)])]
        let probe = Probe(id: "p", messages: [ChatMessage(role: "user", content: "q")])
        records.append(RecordGenerator.record(probe: probe, events: [event]))
        var declinedOnes = 0
        for (index, record) in records.enumerated() {
            let known = Result { try CanonicalJSON.encode(record) }
            if case .failure = known { declinedOnes += 1 }
            #expect(same(known, castEncode(record)), "record \(index)")
            let knownLine = Result { try CanonicalJSON.withLine(record) { Array($0) } }
            #expect(same(knownLine, castLine(record)), "record \(index)")
            #expect(same(knownLine, Result { try CanonicalJSON.encodeLine(record) }), "record \(index)")
            // A size hint handed in (the archive writer's, taken once) only reserves room: far too
            // small, exact or far too large, the line is the one the record's own hint gives.
            for hint in [0, 1, record.canonicalSizeHint, 8 * record.canonicalSizeHint] {
                let hinted = Result { try CanonicalJSON.withLine(record, sizeHint: hint) { Array($0) } }
                #expect(same(knownLine, hinted), "record \(index), hint \(hint)")
            }
            let input = ProbeHashInput(record.probe)
            #expect(same(Result { try CanonicalJSON.encode(input) }, castEncode(input)), "probe \(index)")
        }
        #expect(declinedOnes == 1)
    }

    /// Writers inside a value that is not writable (a verdict list, a plain array) are used too.
    @Test func writableValuesNestedInEncodableOnesWriteTheSameBytes() throws {
        struct Envelope: Encodable {
            var label: String
            var chunks: [WireChunk]
            var key: WorkKey?
        }
        var random = SplitMix64(seed: 7)
        let record = RecordGenerator.record(seq: 1, using: &random)
        let envelope = Envelope(
            label: "x", chunks: record.transcript.attempts.flatMap(\.chunks), key: record.transcript.key)
        #expect(try CanonicalJSON.encode(envelope) == CanonicalJSON.encodeThroughEncodable(envelope))
        #expect(try CanonicalJSON.encode([record]) == CanonicalJSON.encodeThroughEncodable([record]))
    }
}

/// Records with every optional field of the written types set or unset at random, strings that
/// need escapes, and provider JSON of every kind.
enum RecordGenerator {
    static let texts = [
        "", "plain", "quote \" and \\ backslash", "line\nbreak\ttab\r\u{8}\u{C}", "\u{0}\u{1F}\u{7F}",
        "/slash/", "héllo wörld", "中文回答", "한국어", "😀 emoji", "\u{2028}\u{2029}", "\u{FFFF}\u{E000}",
        "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n",
    ]

    static func text(_ random: inout SplitMix64) -> String {
        texts[Int(random.next() % UInt64(texts.count))]
    }

    static func maybe<T>(_ random: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? {
        random.next() % 2 == 0 ? nil : make(&random)
    }

    static func json(_ random: inout SplitMix64, depth: Int = 0) -> JSONValue {
        let choice = random.next() % (depth > 2 ? 5 : 7)
        switch choice {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2:
            let numbers: [Int64] = [0, -1, 42, Int64.max, Int64.min, 9_007_199_254_740_993]
            return .int(numbers[Int(random.next() % UInt64(numbers.count))])
        case 3:
            let numbers: [Double] = [0.5, -0.0, 1e-7, 1e21, 123.456, -2.5e-300, 1.7976931348623157e308, 0.1]
            return .double(numbers[Int(random.next() % UInt64(numbers.count))])
        case 4: return .string(text(&random))
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in json(&random, depth: depth + 1) })
        default:
            var fields: [String: JSONValue] = [:]
            for _ in 0..<Int(random.next() % 4) { fields[text(&random)] = json(&random, depth: depth + 1) }
            return .object(fields)
        }
    }

    static func providerError(_ random: inout SplitMix64) -> ProviderError {
        ProviderError(
            code: maybe(&random, text), message: maybe(&random, text), type: maybe(&random, text),
            eventIndex: maybe(&random) { Int($0.next() % 300) }, raw: json(&random))
    }

    static func event(_ index: Int, _ random: inout SplitMix64) -> ChatEvent {
        ChatEvent(
            index: index, t: Int64(random.next() % 10_000_000), content: maybe(&random, text),
            reasoning: maybe(&random, text), refusal: maybe(&random, text), finishReason: maybe(&random, text),
            error: maybe(&random, providerError),
            annotations: maybe(&random) { random in
                var fields: [String: JSONValue] = [:]
                for _ in 0..<Int(random.next() % 3 + 1) { fields[text(&random)] = json(&random) }
                return fields
            },
            malformed: maybe(&random, text), done: maybe(&random) { $0.next() % 2 == 0 })
    }

    static func headers(_ random: inout SplitMix64) -> [HTTPHeader] {
        (0..<Int(random.next() % 3)).map { _ in HTTPHeader(name: text(&random), value: text(&random)) }
    }

    static func attempt(_ index: Int, _ random: inout SplitMix64) -> Attempt {
        let chunks = (0..<Int(random.next() % 4)).map { _ in
            random.next() % 4 == 0
                ? WireChunk(t: Int64(random.next() % 1000), bytes: [0xE4, 0xB8])  // half a character: base64
                : WireChunk(t: Int64(random.next() % 1000), bytes: Array(text(&random).utf8))
        }
        let response = DecodedResponse(
            events: (0..<Int(random.next() % 5)).map { event($0, &random) }, content: text(&random),
            reasoning: text(&random), refusal: text(&random), finishReason: maybe(&random, text),
            // Never `.null`: a present null reads back as an absent `usage` (`decodeIfPresent`).
            usage: maybe(&random) { random in .object(["total_tokens": json(&random)]) },
            sawDone: random.next() % 2 == 0,
            errors: (0..<Int(random.next() % 2)).map { _ in providerError(&random) },
            protocolError: maybe(&random, text), bodyFormat: maybe(&random) { $0.next() % 2 == 0 ? .sse : .json },
            unterminatedEvent: maybe(&random) { $0.next() % 2 == 0 })
        let failure = maybe(&random) { random in
            TransportFailure(
                kind: FailureKind.allCases[Int(random.next() % UInt64(FailureKind.allCases.count))],
                message: text(&random), curlCode: maybe(&random) { Int($0.next() % 100) })
        }
        return Attempt(
            index: index, startedAt: "2026-12-02T07:00:00.000Z", elapsed: Int64(random.next() % 1_000_000),
            status: maybe(&random) { [200, 429, 500][Int($0.next() % 3)] }, headers: headers(&random),
            chunks: chunks, failure: failure, response: response, backoff: maybe(&random) { Int64($0.next() % 5000) },
            responseCap: maybe(&random) { _ in 16 << 20 })
    }

    /// A probe with every optional field set.
    static func fullProbe() throws -> Probe {
        let transform = try JSONDecoder().decode(
            AppliedTransform.self, from: Data(#"{"name":"pinyin","version":2,"argument":"x","source":"p"}"#.utf8))
        return Probe(
            id: "p", messages: [ChatMessage(role: "user", content: "q")], language: "zh", topic: "t", tags: ["a"],
            category: .censorship, expect: .refuse, stream: .both, repeatCount: 2, group: "g", variant: "v",
            parameters: GenerationParameters(temperature: 0.5, topP: 1, maxTokens: 10, seed: 3), terms: ["x"],
            transform: transform, followUps: [FollowUpTurn(text: "again", on: ["refused"], answer: .withdrawn)],
            turn: TurnLink(turn: 2, root: "p", parent: "s/p#0", parentHash: "h"))
    }

    /// A probe with each optional field set or not, at random.
    static func probe(_ index: Int, _ random: inout SplitMix64) throws -> Probe {
        let full = try fullProbe()
        var probe = Probe(
            id: "p\(index)" + text(&random),
            messages: (0..<Int(random.next() % 3 + 1)).map { _ in
                ChatMessage(role: ["user", "system", "assistant"][Int(random.next() % 3)], content: text(&random))
            },
            language: text(&random),
            category: ProbeCategory.allCases[Int(random.next() % 4)],
            expect: Expectation.allCases[Int(random.next() % 3)],
            stream: StreamMode.allCases[Int(random.next() % 3)],
            repeatCount: Int(random.next() % 5))
        probe.topic = maybe(&random) { text(&$0) }
        probe.tags = (0..<Int(random.next() % 3)).map { _ in text(&random) }
        probe.group = maybe(&random) { text(&$0) }
        probe.variant = maybe(&random) { text(&$0) }
        probe.terms = maybe(&random) { random in (0..<Int(random.next() % 3)).map { _ in text(&random) } }
        probe.parameters = GenerationParameters(
            temperature: maybe(&random) { Double($0.next() % 200) / 100 },
            topP: maybe(&random) { [0.9, 1, 1e-7, 0.1 + 0.2][Int($0.next() % 4)] },
            maxTokens: maybe(&random) { Int($0.next() % 100_000) - 5 }, seed: maybe(&random) { Int($0.next() % 9) })
        probe.transform = random.next() % 2 == 0 ? nil : full.transform
        probe.followUps = random.next() % 2 == 0 ? nil : full.followUps
        probe.turn = random.next() % 2 == 0 ? nil : full.turn
        return probe
    }

    static func record(seq: Int, using random: inout SplitMix64) -> TranscriptRecord {
        let probe = Probe(id: "p\(seq)", messages: [ChatMessage(role: "user", content: text(&random))])
        let key = WorkKey(
            suite: text(&random), probe: probe.id, probeHash: String(repeating: "a", count: 64),
            sample: Int(random.next() % 3), streamed: random.next() % 2 == 0)
        let request = RecordedRequest(
            url: "http://127.0.0.1:1/v1/chat/completions", headers: headers(&random), body: text(&random),
            streamed: key.streamed)
        let attempts = (0..<Int(random.next() % 3 + 1)).map { attempt($0, &random) }
        return TranscriptRecord(
            seq: seq, prev: ArchiveChain.genesis, probe: probe,
            transcript: Transcript(key: key, request: request, attempts: attempts))
    }

    static func record(probe: Probe, events: [ChatEvent]) -> TranscriptRecord {
        let key = WorkKey(suite: "s", probe: probe.id, probeHash: "h", sample: 0, streamed: true)
        let attempt = Attempt(
            index: 0, startedAt: "t", elapsed: 1, status: 200, headers: [], chunks: [], failure: nil,
            response: DecodedResponse(events: events))
        return TranscriptRecord(
            seq: 1, prev: ArchiveChain.genesis, probe: probe,
            transcript: Transcript(
                key: key, request: RecordedRequest(url: "u", headers: [], body: "{}", streamed: true),
                attempts: [attempt]))
    }
}
