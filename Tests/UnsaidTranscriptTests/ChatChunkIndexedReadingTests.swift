import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidTranscript

/// Stream chunks are read through the token index (`JSONIndexView`) and, where the view gives up,
/// through `JSONParser`. Both must give the same `ChatEvent` and usage for every chunk: every
/// recorded provider's chunks, hand-written vendor shapes, and mutations of them.
@Suite struct ChatChunkIndexedReadingTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Every SSE `data:` payload recorded in the fixtures (the providers' own chunks).
    static func recordedPayloads() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        var payloads: [String] = []
        for name in names {
            guard let value = JSONParser.parse(try Data(contentsOf: fixtures.appendingPathComponent(name))) else {
                continue
            }
            payloads += ssePayloads(in: value)
        }
        return payloads
    }

    static func ssePayloads(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text):
            return text.split(separator: "\n").compactMap { line in
                line.hasPrefix("data: ") && !line.hasPrefix("data: [DONE]") ? String(line.dropFirst(6)) : nil
            }
        case .array(let values): return values.flatMap(ssePayloads)
        case .object(let fields): return fields.keys.sorted().flatMap { ssePayloads(in: fields[$0] ?? .null) }
        default: return []
        }
    }

    /// Vendor shapes the fixtures may not hold: parts arrays, errors in their three forms,
    /// annotations on the chunk and on the choice, a closing message, numbers of every kind.
    static let handWritten: [String] = [
        #"{"id":"x","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}"#,
        #"{"choices":[{"index":1,"delta":{"content":"second"}},{"index":0,"delta":{"content":"first"}}]}"#,
        #"{"choices":[{"delta":{"content":[{"type":"text","text":"a"},{"text":"b"},{"x":1}]}}]}"#,
        #"{"choices":[{"delta":{"reasoning_content":"r","reasoning":"s","refusal":"no"},"finish_reason":"content_filter"}]}"#,
        #"{"choices":[{"delta":{},"message":{"role":"assistant","content":"whole"},"finish_reason":{"odd":true}}]}"#,
        #"{"choices":[{"delta":{"content":"x"},"content_filter_results":{"hate":{"filtered":true,"severity":"high"}}}],"prompt_filter_results":[{"prompt_index":0}]}"#,
        #"{"error":{"code":429,"message":"slow down","type":"rate"}}"#,
        #"{"error":"plain text error"}"#,
        #"{"error":null,"error_code":336003,"error_msg":"sensitive"}"#,
        #"{"base_resp":{"status_code":1027,"status_msg":"output sensitive"},"choices":[]}"#,
        #"{"choices":[{"delta":{"content":"x"}}],"usage":{"prompt_tokens":1,"total":2.5,"big":12345678901234567890,"neg":-0.0,"e":1e2}}"#,
        #"{"choices":[{"delta":{"content":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/"}}],"timings":{"predicted_per_second":12.75}}"#,
        #"{"choices":"not a list","model":"m"}"#,
        #"{"choices":[1,"two",null,{"index":0.0,"delta":{"content":"zero as a double"}}]}"#,
        // A number JSONParser cannot read, in a field the reader never looks at: not a JSON object.
        #"{"created":1e37360000,"choices":[{"delta":{"content":"x"}}]}"#,
        #"{"created":-1e400,"choices":[{"delta":{"content":"x"}}]}"#,
        // Where the view must give up (and JSONParser reads it as before):
        #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
        #"{"ch\u006fices":[{"delta":{"content":"escaped key"}}]}"#,
        #"{"choices":[{"delta":{"content":"lone \ud83d surrogate"}}]}"#,
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"\u{212A}\":1}",
    ]

    static func viaParser(_ text: String) -> ChatChunkReader.Reading? {
        JSONParser.parse(text)?.objectValue.map {
            ChatChunkReader.read($0, index: 3, t: 7, streamed: true, errorEventIndex: 3)
        }
    }

    static func viaIndex(_ text: String) -> ChatChunkReader.Reading? {
        ChatChunkReader.readThroughIndex(text: text, index: 3, t: 7, streamed: true, errorEventIndex: 3)
    }

    @Test func everyRecordedChunkReadsTheSameThroughTheIndex() throws {
        let payloads = try Self.recordedPayloads()
        #expect(payloads.count > 300, "only \(payloads.count) recorded chunks")
        var handled = 0
        for payload in payloads {
            guard let indexed = Self.viaIndex(payload) else { continue }
            handled += 1
            #expect(indexed == Self.viaParser(payload), "\(payload)")
        }
        // The index must be the usual path for real chunks, not a reader that always gives up.
        #expect(handled * 10 >= payloads.count * 9, "the index read only \(handled) of \(payloads.count) chunks")
    }

    @Test(arguments: handWritten)
    func handWrittenChunksReadTheSame(text: String) {
        #expect(
            ChatChunkReader.read(text: text, index: 3, t: 7, streamed: true, errorEventIndex: 3)
                == Self.viaParser(text))
        if let indexed = Self.viaIndex(text) { #expect(indexed == Self.viaParser(text)) }
    }

    @Test func theViewGivesUpWhereADictionaryWouldReadDifferently() {
        for text in Self.handWritten.suffix(4) {
            #expect(Self.viaIndex(text) == nil, "\(text)")
        }
        // And reads the plain shape itself.
        #expect(Self.viaIndex(Self.handWritten[0])?.event.content == "a")
    }

    @Test func mutatedChunksReadTheSame() throws {
        let payloads = try Self.recordedPayloads() + Self.handWritten
        let replacements = Array(#"{}[],:"\0a-1.eu "#.utf8)
        var state: UInt64 = 0xC0FFEE
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var handled = 0
        for _ in 0..<4_000 {
            var bytes = Array(payloads[next() % payloads.count].utf8)
            let position = next() % bytes.count
            switch next() % 3 {
            case 0: bytes[position] = replacements[next() % replacements.count]
            case 1: bytes.remove(at: position)
            default: bytes.insert(replacements[next() % replacements.count], at: position)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let whole = ChatChunkReader.read(text: text, index: 3, t: 7, streamed: true, errorEventIndex: 3)
            #expect(whole == Self.viaParser(text), "\(text)")
            if Self.viaIndex(text) != nil { handled += 1 }
        }
        #expect(handled > 1_000, "only \(handled) mutated chunks were read through the index")
    }
}
