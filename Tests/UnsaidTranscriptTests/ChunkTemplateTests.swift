import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidTranscript

/// A stream's chunks read from the template of the chunk before (`ChatChunkReader.ChunkTemplate`)
/// against each chunk read in full (`readCommonChunk(_:index:t:)`, itself held to `JSONParser` by
/// `ChatChunkCommonReadingTests`): generated streams whose chunks share their shape but for the
/// content string, with contents that must be read alike (escapes, non-ASCII, ill-formed UTF-8)
/// or declined (a quote that ends the string early, a raw control character, null, a number),
/// and chunks that break the shape (another id, an extra key, a finish reason, whitespace).
@Suite struct ChunkTemplateTests {
    /// Chunk shapes with `CONTENT` where the content value goes.
    static let shapes: [String] = [
        #"{"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 1737000000, "model": "stub-1", "choices": [{"index": 0, "delta": {"content": CONTENT}, "finish_reason": null}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":CONTENT},"logprobs":null,"finish_reason":null}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":CONTENT,"reasoning":"r"},"content_filter_results":{"hate":{"filtered":false}}}],"usage":null,"x_vendor":[1,2.5,{"k":null}]}"#,
        #"{"choices":[{"delta":{"content":   CONTENT  }}],"usage":{"prompt_tokens":1,"total_tokens":3}}"#,
        #"{"choices":[{"delta":{"reasoning_content":"think","content":CONTENT}}]}"#,
        #"{"x_pre":{"n":1},"choices":[{"index":0,"delta":{"content":CONTENT}}]}"#,
    ]

    /// Content values as they appear in the bytes, each tagged with whether it is a string the
    /// reader accepts.
    static let contents: [([UInt8], Bool)] = [
        (Array(#""word ""#.utf8), true),
        (Array(#""""#.utf8), true),
        (Array(#""a \"quoted\" \\ back\/slash\n\t""#.utf8), true),
        (Array(#""caf\u00e9 \ud83d\ude00 lone \ud83d end""#.utf8), true),
        (Array("\"中文 😀 é\"".utf8), true),
        (
            Array(
                "\"a long piece of text that runs past the sixteen and sixty-four byte blocks of the scan, twice over, and more\""
                    .utf8), true
        ),
        ([UInt8(ascii: "\""), 0xC3, 0x28, 0xFF, UInt8(ascii: "x"), UInt8(ascii: "\"")], true),
        (Array(#""early" end""#.utf8), false),
        ([UInt8(ascii: "\""), 0x01, UInt8(ascii: "\"")], false),
        (Array("null".utf8), false),
        (Array("12".utf8), false),
        (Array(#""unterminated"#.utf8), false),
        (Array(#""bad \x escape""#.utf8), false),
    ]

    static func chunk(_ shape: String, _ content: [UInt8]) -> [UInt8] {
        let parts = shape.components(separatedBy: "CONTENT")
        return Array(parts[0].utf8) + content + Array(parts[1].utf8)
    }

    /// A chunk of `shape` changed so its template no longer fits.
    static func broken(_ shape: String, _ content: [UInt8], _ kind: UInt64) -> [UInt8] {
        var text = String(decoding: chunk(shape, content), as: UTF8.self)
        switch kind % 10 {
        case 0: text = text.replacingOccurrences(of: #""choices""#, with: #""extra":true,"choices""#)
        case 1: text = text.replacingOccurrences(of: #""finish_reason": null"#, with: #""finish_reason": "stop""#)
        case 2: text = " " + text
        case 3: text = text.replacingOccurrences(of: "\"c1\"", with: "\"c22\"")
        // Changes that keep the length, before the content and after it.
        case 4: text = text.replacingOccurrences(of: "1", with: "2")
        case 5: text = text.replacingOccurrences(of: "null", with: #""st""#)
        case 6: text = String(text.dropLast()) + " "
        case 7: text = text.replacingOccurrences(of: "think", with: "thunk")
        case 8: text = text.replacingOccurrences(of: "0", with: "1")
        default: text += "x"
        }
        return Array(text.utf8)
    }

    static func reference(_ bytes: [UInt8], index: Int, t: Int64) -> ChatChunkReader.Reading? {
        bytes.withUnsafeBufferPointer { ChatChunkReader.readCommonChunk($0, index: index, t: t) }
    }

    @Test func streamsReadFromTheirTemplateAsEachChunkReadsInFull() {
        var random = SplitMix64(seed: 0x7E_3A)
        var fromTemplate = 0
        for stream in 0..<300 {
            var template: ChatChunkReader.ChunkTemplate?
            var shape = Self.shapes[stream % Self.shapes.count]
            for index in 0..<40 {
                if random.next() % 16 == 0 { shape = Self.shapes[Int(random.next() % UInt64(Self.shapes.count))] }
                let (content, _) = Self.contents[Int(random.next() % UInt64(Self.contents.count))]
                let bytes =
                    random.next() % 8 == 0
                    ? Self.broken(shape, content, random.next()) : Self.chunk(shape, content)
                let t = Int64(index * 10 + 1)
                let fits = bytes.withUnsafeBufferPointer { template?.read($0, index: index, t: t) } != nil
                if fits { fromTemplate += 1 }
                let read = bytes.withUnsafeBufferPointer {
                    ChatChunkReader.readCommonChunk($0, index: index, t: t, template: &template)
                }
                #expect(
                    read == Self.reference(bytes, index: index, t: t),
                    "stream \(stream) chunk \(index): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        // The template must be the usual path for such streams, not one that always declines.
        #expect(fromTemplate > 300 * 40 / 3, "only \(fromTemplate) chunks read from a template")
    }

    /// Whole streams decoded: the same events, each with its spaces after the opening brace
    /// varied so that no chunk fits the template of the one before (every chunk read in full),
    /// decode to the same response.
    @Test func decodedStreamsAreTheSameWithoutTemplates() {
        var random = SplitMix64(seed: 0xDEC0DE)
        for stream in 0..<100 {
            var shape = Self.shapes[stream % Self.shapes.count]
            var plain: [WireChunk] = []
            var spaced: [WireChunk] = []
            for index in 0..<30 {
                if random.next() % 16 == 0 { shape = Self.shapes[Int(random.next() % UInt64(Self.shapes.count))] }
                let (content, _) = Self.contents[Int(random.next() % UInt64(Self.contents.count))]
                let bytes =
                    random.next() % 8 == 0
                    ? Self.broken(shape, content, random.next()) : Self.chunk(shape, content)
                let t = Int64(index)
                plain.append(WireChunk(t: t, bytes: Array("data: ".utf8) + bytes + Array("\n\n".utf8)))
                let spaces = [UInt8](repeating: UInt8(ascii: " "), count: index % 2 + 1)
                let respaced = bytes.first == UInt8(ascii: "{") ? [bytes[0]] + spaces + bytes.dropFirst() : bytes
                spaced.append(WireChunk(t: t, bytes: Array("data: ".utf8) + respaced + Array("\n\n".utf8)))
            }
            let viaTemplates = ChatResponseDecoder.decode(chunks: plain, streamed: true)
            var inFull = ChatResponseDecoder.decode(chunks: spaced, streamed: true)
            // Malformed events keep their text, spaces and all,
            for index in inFull.events.indices where inFull.events[index].malformed != nil {
                inFull.events[index].malformed =
                    index < viaTemplates.events.count ? viaTemplates.events[index].malformed : nil
            }
            // And a problem's byte offset counts the spaces.
            #expect((inFull.protocolError == nil) == (viaTemplates.protocolError == nil))
            inFull.protocolError = viaTemplates.protocolError
            #expect(viaTemplates == inFull, "stream \(stream)")
            #expect(viaTemplates.events.count == 30)
        }
    }

    /// Each content against a template of every shape: accepted exactly when it is a string.
    @Test func aContentIsReadFromTheTemplateOnlyWhenItIsAString() throws {
        for shape in Self.shapes {
            var template: ChatChunkReader.ChunkTemplate?
            let first = Self.chunk(shape, Array(#""first""#.utf8))
            _ = first.withUnsafeBufferPointer {
                ChatChunkReader.readCommonChunk($0, index: 0, t: 1, template: &template)
            }
            let learned = try #require(template, "\(shape)")
            for (content, isString) in Self.contents {
                let bytes = Self.chunk(shape, content)
                let read = bytes.withUnsafeBufferPointer { learned.read($0, index: 5, t: 9) }
                #expect((read != nil) == isString, "\(String(decoding: bytes, as: UTF8.self))")
                if let read { #expect(read == Self.reference(bytes, index: 5, t: 9)) }
            }
        }
    }
}
