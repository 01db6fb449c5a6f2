import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
@testable import UnsaidTranscript

/// A secret echoed by a server must be found however it was encoded and however the network
/// cut it up.
@Suite struct SecretScrubberTests {
    static let key = "sk-live-AbC/0123+xyz"
    let policy = RedactionPolicy(secrets: [Self.key])

    /// Every form a server might echo the key in, as it would sit inside a JSON string.
    static let encodings: [(name: String, text: String)] = [
        ("plain", key),
        ("json \\u for every character", key.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()),
        ("json \\u002d only", key.replacingOccurrences(of: "-", with: "\\u002d")),
        (
            "json \\u002D upper and \\/",
            key.replacingOccurrences(of: "-", with: "\\u002D").replacingOccurrences(of: "/", with: "\\/")
        ),
        ("json nested in json", key.replacingOccurrences(of: "-", with: "\\\\u002d")),
        ("percent-encoded", key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
        ("percent-encoded, lower-case hex, every byte", key.utf8.map { String(format: "%%%02x", $0) }.joined()),
        ("base64", Data(key.utf8).base64EncodedString()),
        ("base64 of Basic user:key", Data("user:\(key)".utf8).base64EncodedString()),
        ("base64 of Basic ab:key", Data("ab:\(key)".utf8).base64EncodedString()),
        (
            "base64 url-safe",
            Data("u:\(key)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        ),
    ]

    @Test(arguments: encodings.map(\.name))
    func everyEncodingSplitAtEveryBytePositionIsScrubbed(name: String) throws {
        let text = try #require(Self.encodings.first { $0.name == name }).text
        let body =
            Array(#"data: {"choices":[{"delta":{"content":"echo "#.utf8) + Array(text.utf8)
            + Array(#" done"}}]}"#.utf8) + Array("\n\n".utf8)
        let start = body.count - text.utf8.count - 15
        for cut in start...(start + text.utf8.count) {
            let chunks = [WireChunk(t: 1, bytes: body[..<cut]), WireChunk(t: 2, bytes: body[cut...])]
            let redacted = policy.redact(chunks: chunks)
            let joined = [UInt8](redacted.joinedBytes)
            #expect(redacted.map(\.t) == [1, 2], "chunk times kept (cut \(cut))")
            #expect(!policy.scrubber.contains(joined), "\(name) survived a cut at byte \(cut)")
            #expect(String(decoding: joined, as: UTF8.self).contains("[REDACTED]"), "\(name), cut \(cut)")
        }
    }

    @Test func aSecretSpreadOverSeveralContentDeltasIsScrubbedFromTheDecodedText() {
        let parts = ["sk-li", "ve-AbC/01", "23+xyz is it"]
        var events = [ChatEvent(index: 0, t: 0, content: "the key: ")]
        for (index, part) in parts.enumerated() { events.append(ChatEvent(index: index + 1, t: 0, content: part)) }
        var response = DecodedResponse(events: events, content: "the key: " + parts.joined())
        response.reasoning = "thinking about \(Self.key)"
        let redacted = policy.redact(response: response)
        #expect(redacted.content == "the key: [REDACTED] is it")
        #expect(redacted.reasoning == "thinking about [REDACTED]")
        #expect(redacted.events.compactMap(\.content) == ["the key: ", "[REDACTED]", "", " is it"])
    }

    /// One SSE event carrying `part` as a content delta.
    static func event(_ part: String) -> [UInt8] {
        let delta = JSONValue.object(["content": .string(part)])
        let chunk = JSONValue.object(["choices": .array([.object(["index": .int(0), "delta": delta])])])
        return Array("data: \(chunk.compactDescription)\n\n".utf8)
    }

    static let ending =
        Array(#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.utf8)
        + Array("\n\ndata: [DONE]\n\n".utf8)

    /// A stream whose content deltas are `parts`, one SSE event each, then a finish event and
    /// [DONE], cut into chunks of `chunkSize` bytes.
    static func stream(_ parts: [String], chunkSize: Int = 7) -> [WireChunk] {
        let body = parts.flatMap(event) + ending
        return stride(from: 0, to: body.count, by: chunkSize).enumerated().map { index, start in
            WireChunk(t: Int64(index), bytes: body[start..<min(start + chunkSize, body.count)])
        }
    }

    /// Every stretch of the key at least three bytes long that survives anywhere in `bytes`.
    static func keyPieces(in bytes: [UInt8]) -> [String] {
        let key = Array(Self.key.utf8)
        var found: [String] = []
        for start in 0..<(key.count - 2) {
            for end in (start + 3)...key.count where bytes.firstRange(of: key[start..<end]) != nil {
                found.append(String(decoding: key[start..<end], as: UTF8.self))
            }
        }
        return found
    }

    /// A model echoing the key token by token puts it whole in no stretch of the raw bytes: the
    /// byte scrub alone left every piece in the archive. The events holding the pieces are
    /// rewritten, so neither the raw chunks nor the decoded answer keep any of it, the events
    /// before and after keep their exact bytes, and every chunk keeps its time.
    @Test func aKeyEchoedTokenByTokenLeavesNoPieceInTheRawChunks() throws {
        let tokens = [
            "Your", " key", " is", " sk", "-l", "ive", "-A", "bC", "/0", "12", "3+", "xy", "z", ".", " Keep", " it",
            " safe.",
        ]
        let chunks = Self.stream(tokens)
        let attempt = Attempt(
            index: 0, startedAt: "", elapsed: 0, status: 200, headers: [], chunks: chunks, failure: nil,
            response: ChatResponseDecoder.decode(chunks: chunks, streamed: true))
        let redacted = policy.redact(attempt: attempt, streamed: true)
        let raw = [UInt8](redacted.chunks.joinedBytes)
        #expect(Self.keyPieces(in: raw) == [])
        #expect(redacted.response.content == "Your key is [REDACTED]. Keep it safe.")
        #expect(redacted.chunks.map(\.t) == chunks.map(\.t))
        // Decoding the archived chunks again gives the same answer (rescoring depends on it).
        #expect(
            ChatResponseDecoder.decode(chunks: redacted.chunks, streamed: true).content == redacted.response.content)
        #expect(ChatResponseDecoder.decode(chunks: redacted.chunks, streamed: true).finishReason == "stop")
        // The events before the key and after it are byte for byte what arrived.
        let before = tokens[..<3].flatMap(Self.event)
        let after = tokens[13...].flatMap(Self.event) + Self.ending
        #expect(raw.starts(with: before))
        #expect(raw.suffix(after.count).elementsEqual(after))
    }

    /// The key in two deltas, split at every position, in every chunking from one byte up.
    @Test func aKeySplitBetweenTwoDeltasAtEveryPositionLeavesNoPiece() {
        let key = Array(Self.key)
        for cut in 1..<key.count {
            for chunkSize in [1, 5, 64, 4096] {
                let parts = ["echo " + String(key[..<cut]), String(key[cut...]) + " done"]
                let chunks = Self.stream(parts, chunkSize: chunkSize)
                let attempt = Attempt(
                    index: 0, startedAt: "", elapsed: 0, status: 200, headers: [], chunks: chunks, failure: nil,
                    response: ChatResponseDecoder.decode(chunks: chunks, streamed: true))
                let redacted = policy.redact(attempt: attempt, streamed: true)
                let pieces = Self.keyPieces(in: [UInt8](redacted.chunks.joinedBytes))
                #expect(pieces == [], "cut \(cut), chunks of \(chunkSize): \(pieces)")
                #expect(redacted.response.content == "echo [REDACTED] done", "cut \(cut), chunks of \(chunkSize)")
            }
        }
    }

    @Test func decodedErrorsAndAnnotationsAreScrubbed() {
        let error = ProviderError(
            code: "401", message: "bad key \(Self.key)", type: nil, eventIndex: nil,
            raw: .object(["message": .string("bad key \(Self.key)")]))
        let response = DecodedResponse(
            events: [
                ChatEvent(
                    index: 0, t: 0, error: error,
                    annotations: ["x": .string(Self.key)])
            ],
            errors: [error])
        let encoded = String(
            decoding: (try? JSONEncoder().encode(policy.redact(response: response))) ?? Data(), as: UTF8.self)
        #expect(!encoded.contains("sk-live"))
        #expect(encoded.contains("[REDACTED]"))
    }

    @Test func unrelatedTextAndLookalikesAreLeftAlone() {
        let text = #"{"content":"sk-live-AbC/0123+xy and %2 and \u00"}"#
        #expect(policy.redact(text) == text)
        let chunks = [WireChunk(t: 1, bytes: Array(text.utf8))]
        #expect(policy.redact(chunks: chunks) == chunks)
    }

    @Test func basicAuthAndURLCredentialsAreDerivedFromConfiguration() {
        let derived = RedactionPolicy(
            explicit: [], apiKey: "short",
            headers: ["Proxy-Authorization": "Basic " + Data("me:pa55word-long".utf8).base64EncodedString()],
            baseURL: "https://bob:hunter2-long@h/v1?apikey=abcdefgh12&sig=zzzzzzzz99&model=x")
        #expect(
            Set(derived.secrets).isSuperset(of: [
                "pa55word-long", "me:pa55word-long", "hunter2-long", "bob:hunter2-long",
                "abcdefgh12", "zzzzzzzz99",
            ]))
        #expect(!derived.secrets.contains("short"))
        #expect(
            derived.redact(url: "https://bob:hunter2-long@h/v1?apikey=abcdefgh12&code=1&sig=2&model=x")
                == "https://[REDACTED]@h/v1?apikey=[REDACTED]&code=[REDACTED]&sig=[REDACTED]&model=x")
        // The last base64 characters also carry padding bits, so they stay; they reveal nothing.
        let echoed = derived.redact("Authorization: Basic " + Data("bob:hunter2-long".utf8).base64EncodedString())
        #expect(
            echoed.hasPrefix("Authorization: Basic [REDACTED]")
                && echoed.count <= "Authorization: Basic [REDACTED]".count + 3,
            "\(echoed)")
    }

    @Test func credentialHeaderNamesFollowOnePattern() {
        for name in [
            "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Goog-Api-Key", "x-custom-api-key",
            "X-Auth-Token", "x-session-token", "My-Auth", "api-key", "x_api_key",
        ] {
            #expect(RedactionPolicy.isSecretHeader(name), "\(name)")
        }
        for name in ["Content-Type", "x-request-id", "x-ratelimit-remaining-tokens", "WWW-Authenticate"] {
            #expect(!RedactionPolicy.isSecretHeader(name), "\(name)")
        }
    }

    @Test func terminalEscapesAreStripped() {
        #expect(TerminalText.sanitize("ok\u{1B}[2J\u{1B}]0;pwned\u{07}\u{1B}[31mred\u{9B}1m\r\n") == "okred1m\n")
    }
}
