import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidTranscript

/// Stream chunks of the common shape are read straight from their bytes
/// (`ChatChunkReader.readCommonChunk`) and, where that reader declines, through `JSONParser`. Both
/// must give the same `ChatEvent` and usage for every chunk: every recorded provider's chunks,
/// hand-written vendor shapes, and mutations of them.
@Suite struct ChatChunkCommonReadingTests {
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
        // Read by the common reader, with what JSONParser makes of them:
        #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":"x","tool_calls":[{"id":1}]},"logprobs":null,"finish_reason":null}]}"#,
        #"{"choices":[{"delta":{"content":"lone \ud83d surrogate \udc00"}}],"n":[1,2.5,{"k":null}]}"#,
        #"  {"choices":[{"delta":{"content":null,"reasoning_content":null,"reasoning":"r"}}]} "#,
        #"{"choices":[{"delta":{"content":"x"},"finish_reason":"length"}],"usage":null,"timings":{"t":1e-7}}"#,
        "\u{FEFF}{\"choices\":[{\"delta\":{\"content\":\"after a byte order mark\"}}]}",
        // Where the common reader must decline (and JSONParser reads it as before):
        #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
        #"{"ch\u006fices":[{"delta":{"content":"escaped key"}}]}"#,
        "{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"\u{212A}\":1}",
        #"{"choices":[{"delta":{"content":"x"}}],"x":1,"x":2}"#,
        #"{"choices.x":1,"choices":[{"delta":{"content":"x"},"x":2}]}"#,
        #"{"choices":[{"delta":{"content":"x"}}],"error_msg":"m"}"#,
        #"{"choices":[{"index":0,"index":0,"delta":{"content":"x"}}]}"#,
        #"{"choices":[{"index":1,"delta":{"content":"x"}}]}"#,
    ]

    /// How many of `handWritten`, from the end, the common reader must decline.
    static let declinedCount = 8

    static func viaParser(_ text: String) -> ChatChunkReader.Reading? {
        JSONParser.parse(text)?.objectValue.map {
            ChatChunkReader.read($0, index: 3, t: 7, streamed: true, errorEventIndex: 3)
        }
    }

    static func viaCommonReader(_ text: String) -> ChatChunkReader.Reading? {
        ChatChunkReader.readCommonChunk(text, index: 3, t: 7)
    }

    @Test func everyRecordedChunkReadsTheSameThroughTheCommonReader() throws {
        let payloads = try Self.recordedPayloads()
        #expect(payloads.count > 300, "only \(payloads.count) recorded chunks")
        var handled = 0
        for payload in payloads {
            guard let indexed = Self.viaCommonReader(payload) else { continue }
            handled += 1
            #expect(indexed == Self.viaParser(payload), "\(payload)")
        }
        // It must be the usual path for real chunks, not a reader that always declines.
        #expect(
            handled * 10 >= payloads.count * 9, "the common reader read only \(handled) of \(payloads.count) chunks")
    }

    @Test(arguments: handWritten)
    func handWrittenChunksReadTheSame(text: String) {
        if let read = Self.viaCommonReader(text) { #expect(read == Self.viaParser(text)) }
    }

    @Test func theCommonReaderDeclinesWhereItCouldReadDifferently() {
        for text in Self.handWritten.suffix(Self.declinedCount) {
            #expect(Self.viaCommonReader(text) == nil, "\(text)")
        }
        // And reads the common shapes itself, as JSONParser does.
        for text in Self.handWritten.dropLast(Self.declinedCount).suffix(5) {
            #expect(Self.viaCommonReader(text) != nil, "\(text)")
        }
        #expect(Self.viaCommonReader(Self.handWritten[0])?.event.content == "a")
        #expect(Self.viaCommonReader(Self.handWritten[0])?.event.annotations == nil)
    }

    /// The pull reader finds the end of a string it steps over eight bytes at a time, and a
    /// key's byte by byte: keys and skipped values of every length up to a few words, each with a
    /// byte it must stop at (or not) at every position, read as `JSONParser` reads them.
    @Test func keysAndSkippedStringsOfEveryLengthReadTheSame() {
        let inserts = [#"\""#, #"\\"#, "\u{1}", "é", "\u{7F}", " ", #"\u0041"#, ""]
        for length in 0..<20 {
            for position in 0...length {
                for insert in inserts {
                    let piece =
                        String(repeating: "a", count: position) + insert
                        + String(repeating: "b", count: length - position)
                    let texts = [
                        #"{"id":""# + piece + #"","choices":[{"delta":{"content":"x"}}]}"#,
                        #"{""# + piece + #"":1,"choices":[{"delta":{"content":""# + piece + #""}}]}"#,
                        #"{"choices":[{"delta":{""# + piece + #"":""# + piece + #"","content":"x"}}]}"#,
                    ]
                    for text in texts {
                        let read = Self.viaCommonReader(text)
                        if let read { #expect(read == Self.viaParser(text), "\(text)") }
                        // A plain key of plain bytes is read, not declined.
                        if insert == "" || insert == " " { #expect(read != nil, "\(text)") }
                    }
                }
            }
        }
    }

    @Test func mutatedChunksReadTheSame() throws {
        let payloads = try Self.recordedPayloads() + Self.handWritten
        let replacements = Array(#"{}[],:"\0a-1.eu "#.utf8) + [0x1F, 0x7F, 0xC3, 0xA9]
        var random = SplitMix64(seed: 0xC0FFEE)
        func next() -> Int { Int(random.next() >> 33) }
        var handled = 0
        for _ in 0..<6_000 {
            var bytes = Array(payloads[next() % payloads.count].utf8)
            let position = next() % bytes.count
            switch next() % 3 {
            case 0: bytes[position] = replacements[next() % replacements.count]
            case 1: bytes.remove(at: position)
            default: bytes.insert(replacements[next() % replacements.count], at: position)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let read = Self.viaCommonReader(text) else { continue }
            handled += 1
            #expect(read == Self.viaParser(text), "\(text)")
        }
        #expect(handled > 1_000, "only \(handled) mutated chunks were read by the common reader")
    }
}
