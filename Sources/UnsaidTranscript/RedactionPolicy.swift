import Foundation
import UnsaidSupport

/// The one place that decides what is secret. Everything Unsaid writes or prints goes through it:
/// the transport's recording (and so the archive and every report read from it), the fixture
/// writer, `targets check` and terminal lines.
///
/// Three kinds of secret are covered:
/// - credential *names*: header names (`Authorization`, `Cookie`, `X-Goog-Api-Key`, any
///   `*-api-key`, `*-token`, `*auth*`, …) and query/body field names (`key`, `token`, `sig`,
///   `code`, `password`, …) whose whole value is replaced;
/// - URL userinfo (`user:password@`), replaced whole;
/// - configured secret *values* (the API key, credentials found in headers and URLs, `--redact`
///   strings), scrubbed from free text, raw bytes and decoded text in every encoding a server
///   might echo them in (see `SecretScrubber`), across chunk boundaries.
package struct RedactionPolicy: Sendable, Equatable {
    package static let placeholder = SecretScrubber.placeholder

    /// Secrets derived from configuration shorter than this are not scrubbed from text: local
    /// servers are often given a dummy key like "x", and scrubbing every "x" would wreck the
    /// evidence. Credential headers and parameters are replaced whatever their length, and
    /// `--redact` strings are always scrubbed.
    package static let minimumDerivedSecretLength = 8

    package let scrubber: SecretScrubber

    package var secrets: [String] { scrubber.secrets }

    /// - Parameter secrets: literal values to scrub everywhere. Empty strings are ignored.
    package init(secrets: [String] = []) {
        scrubber = SecretScrubber(secrets: secrets)
    }

    /// The policy for a target: `explicit` values (always scrubbed) plus the API key, the
    /// credentials in credential headers and those in the base URL (scrubbed when long enough).
    package init(explicit: [String], apiKey: String?, headers: [String: String], baseURL: String) {
        var derived: [String] = []
        if let apiKey { derived.append(apiKey) }
        for (name, value) in headers where Self.isSecretHeader(name) {
            derived.append(contentsOf: Self.credentials(inHeaderValue: value))
        }
        derived.append(contentsOf: Self.credentials(inURL: baseURL))
        self.init(secrets: explicit + derived.filter { $0.count >= Self.minimumDerivedSecretLength })
    }

    // MARK: - Names

    /// Whether a header's whole value is a credential (case-insensitive).
    package static func isSecretHeader(_ name: String) -> Bool {
        // Every header of every probe comes here, sent and received: a name of plain ASCII (all
        // of them, in practice) is checked on its bytes, where `contains` went through
        // Foundation (NSString) and `hasSuffix` compared characters, ~1% of a streamed run.
        if let folded = asciiFolded(name, replacing: UInt8(ascii: "_"), with: UInt8(ascii: "-")) {
            return isSecretFoldedASCIIHeader(folded)
        }
        return isSecretComparableHeader(comparableHeaderName(name))
    }

    /// `isSecretHeader`'s checks on a name already made comparable, in characters: the reference
    /// for the byte checks below, and the path for any name that is not plain ASCII.
    static func isSecretComparableHeader(_ name: String) -> Bool {
        // A challenge, not a credential; the 401 it comes with is worth reading.
        if name == "www-authenticate" { return false }
        if secretHeaderNames.contains(name) || name.contains("auth") { return true }
        return secretHeaderSuffixes.contains { name.hasSuffix($0) }
    }

    /// The same checks on a comparable name of printable ASCII (`asciiFolded`'s output), on its
    /// bytes: for ASCII, bytes are characters, and nothing but these bytes is equal to them.
    static func isSecretFoldedASCIIHeader(_ name: String) -> Bool {
        if name == "www-authenticate" { return false }
        if secretHeaderNames.contains(name) { return true }
        var name = name
        return name.withUTF8 { bytes in
            contains(bytes, authBytes)
                || secretHeaderSuffixBytes.contains { suffix in
                    bytes.count >= suffix.count && bytes[(bytes.count - suffix.count)...].elementsEqual(suffix)
                }
        }
    }

    private static let secretHeaderSuffixes = [
        "-api-key", "-apikey", "-token", "-secret", "-password", "-signature", "-session",
    ]
    private static let secretHeaderSuffixBytes = secretHeaderSuffixes.map { Array($0.utf8) }
    private static let authBytes = Array("auth".utf8)

    /// Whether `needle` (not empty) occurs in `bytes`.
    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count)
        where bytes[start] == needle[0] && bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    static let secretHeaderNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "api-key", "apikey", "x-api-key",
        "x-goog-api-key", "openai-organization", "openai-project", "anthropic-organization-id", "token",
    ]

    /// Whether a query parameter or a top-level body field holds a credential. Matched on whole
    /// names and suffixes, not substrings, so `max_tokens` is never taken for a token; the fields
    /// a fixture's request key hashes are never secret.
    package static func isSecretParameter(_ name: String) -> Bool {
        let name = comparableParameterName(name)
        if Self.requestKeyFieldNames.contains(name) || name == "max_completion_tokens" { return false }
        return secretParameterNames.contains(name)
            || ["_key", "_token", "_secret", "_password", "_signature", "_apikey", "_credential", "_sig"]
                .contains { name.hasSuffix($0) }
    }

    /// The request fields a replay fixture's key hashes (`FixtureRequestKey.fieldNames`, which
    /// reads this list): generation settings, never credentials.
    package static let requestKeyFieldNames = [
        "model", "messages", "temperature", "top_p", "max_tokens", "seed", "stream",
    ]

    /// A header name lower-cased with `_` read as `-`.
    package static func comparableHeaderName(_ name: String) -> String {
        asciiFolded(name, replacing: UInt8(ascii: "_"), with: UInt8(ascii: "-"))
            ?? name.lowercased().replacingOccurrences(of: "_", with: "-")
    }

    /// A parameter name percent-decoded, lower-cased, with `-` read as `_`.
    package static func comparableParameterName(_ name: String) -> String {
        asciiFolded(name, replacing: UInt8(ascii: "-"), with: UInt8(ascii: "_"))
            ?? (name.removingPercentEncoding ?? name).lowercased().replacingOccurrences(of: "-", with: "_")
    }

    /// A name of ASCII letters, digits and punctuation other than `%` lower-cased with `old`
    /// replaced by `new`: exactly what the Foundation calls above make of it (nothing to
    /// percent-decode, ASCII case mapping), without them. They were a visible share of every
    /// probe sent, called for each header and body field. Nil for any other name, which takes
    /// the Foundation path.
    private static func asciiFolded(_ name: String, replacing old: UInt8, with new: UInt8) -> String? {
        var name = name
        return name.withUTF8 { bytes -> String? in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "%") }) else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count) { output in
                for (index, byte) in bytes.enumerated() {
                    output[index] =
                        byte == old ? new : (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
                }
                return bytes.count
            }
        }
    }

    static let secretParameterNames: Set<String> = [
        "key", "apikey", "api_key", "token", "access_token", "refresh_token", "id_token", "code", "sig",
        "signature", "secret", "client_secret", "password", "passwd", "pwd", "pass", "auth", "authorization",
        "session", "sessionid", "cookie", "credential", "credentials", "x_goog_api_key",
    ]

    // MARK: - Where credentials hide in configuration

    /// "Bearer abc", "Basic base64(user:pw)", "abc": the credential itself, and for Basic auth
    /// the decoded `user:password` and password, so an echo of either is caught.
    package static func credentials(inHeaderValue value: String) -> [String] {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let credential = parts.last else { return [] }
        var found = [value, credential]
        if parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: credential), let decoded = String(data: data, encoding: .utf8)
        {
            found.append(decoded)
            if let colon = decoded.firstIndex(of: ":") { found.append(String(decoded[decoded.index(after: colon)...])) }
        }
        return found
    }

    /// The userinfo (`user:password`, and the password) and the values of credential query
    /// parameters in a URL, percent-decoded (a server echoes what it decoded).
    package static func credentials(inURL url: String) -> [String] {
        var found: [String] = []
        if let userinfo = userinfoRange(in: url) {
            let raw = String(url[userinfo])
            let decoded = raw.removingPercentEncoding ?? raw
            found.append(contentsOf: [raw, decoded])
            if let colon = decoded.firstIndex(of: ":") { found.append(String(decoded[decoded.index(after: colon)...])) }
        }
        guard let question = url.firstIndex(of: "?") else { return found }
        let fragmentStart = url[question...].firstIndex(of: "#") ?? url.endIndex
        for pair in url[url.index(after: question)..<fragmentStart].split(separator: "&") {
            guard let equals = pair.firstIndex(of: "="), isSecretParameter(String(pair[..<equals])) else { continue }
            let value = String(pair[pair.index(after: equals)...])
            guard !value.isEmpty else { continue }
            found.append(value)
            if let decoded = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding {
                found.append(decoded)
            }
        }
        return found
    }

    // MARK: - Text, URLs, headers

    /// Replaces every configured secret in free text, in any of its encodings.
    package func redact(_ text: String) -> String {
        scrubber.scrub(text)
    }

    /// Replaces configured secrets in raw bytes (works on bytes that are not valid UTF-8).
    package func redact(bytes: [UInt8]) -> [UInt8] {
        scrubber.scrub(bytes: bytes)
    }

    /// The URL with its userinfo, credential query values and configured secrets replaced.
    package func redact(url: String) -> String {
        var result = url
        if let userinfo = Self.userinfoRange(in: result) {
            result.replaceSubrange(userinfo, with: Self.placeholder)
        }
        if let question = result.firstIndex(of: "?") {
            let fragmentStart = result[question...].firstIndex(of: "#") ?? result.endIndex
            let query = result[result.index(after: question)..<fragmentStart]
            let redactedQuery = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                guard let equals = pair.firstIndex(of: "="), Self.isSecretParameter(String(pair[..<equals])) else {
                    return String(pair)
                }
                return "\(pair[..<equals])=\(Self.placeholder)"
            }.joined(separator: "&")
            result.replaceSubrange(result.index(after: question)..<fragmentStart, with: redactedQuery)
        }
        // A fragment is never sent, so nothing in it is needed to say where a request went; a
        // token put there (`#token=…`) was archived as it was.
        if let hash = result.firstIndex(of: "#"), result.index(after: hash) < result.endIndex {
            result.replaceSubrange(result.index(after: hash)..., with: Self.placeholder)
        }
        return redact(result)
    }

    /// Credential headers get their whole value replaced; the others have configured secrets replaced.
    package func redact(headers: [HTTPHeader]) -> [HTTPHeader] {
        headers.map { header in
            HTTPHeader(
                name: header.name,
                value: Self.isSecretHeader(header.name) ? Self.placeholder : redact(header.value))
        }
    }

    /// Secret-looking top-level fields of a JSON body blanked (the body is re-encoded only if one
    /// was found), then configured secrets scrubbed.
    package func redact(body: String) -> String {
        var body = body
        if var object = JSONParser.parse(body)?.objectValue, object.keys.contains(where: Self.isSecretParameter) {
            for key in object.keys where Self.isSecretParameter(key) {
                object[key] = .string(Self.placeholder)
            }
            if let data = try? CanonicalJSON.encode(JSONValue.object(object)) {
                body = String(decoding: data, as: UTF8.self)
            }
        }
        return redact(body)
    }

    package func redact(request: RecordedRequest) -> RecordedRequest {
        var result = request
        result.url = redact(url: request.url)
        result.headers = redact(headers: request.headers)
        result.body = redact(body: request.body)
        return result
    }

    // MARK: - Responses

    /// Chunks with configured secrets replaced, matched across chunk boundaries; each chunk keeps
    /// its arrival time (a chunk whose bytes all belonged to a secret stays, empty). Untouched
    /// when no secret is present, so the exact bytes survive.
    package func redact(chunks: [WireChunk]) -> [WireChunk] {
        guard !scrubber.isEmpty, let pieces = scrubber.scrub(pieces: chunks.map { [UInt8]($0.bytes) }) else {
            return chunks
        }
        return zip(chunks, pieces).map { chunk, bytes in
            bytes.elementsEqual(chunk.bytes) ? chunk : WireChunk(t: chunk.t, bytes: bytes)
        }
    }

    /// One chunk on its own. Prefer `redact(chunks:)`, which also catches a secret split
    /// between two chunks.
    package func redact(chunk: WireChunk) -> WireChunk {
        redact(chunks: [chunk])[0]
    }

    /// Decoded text with secrets replaced: the assembled content, reasoning and refusal, and
    /// every event field. A secret spread over several content deltas is replaced in the deltas
    /// too (placeholder in the first, the rest of it dropped from the following ones).
    package func redact(response: DecodedResponse) -> DecodedResponse {
        guard !scrubber.isEmpty else { return response }
        var result = response
        if let events = scrubbingTextFields(of: response.events) {
            result.events = events
        }
        // Every other string (errors, annotations, usage, the assembled texts) through one
        // encode–scrub–decode pass, which sees each string with JSON escaping applied.
        guard let encoded = try? JSONEncoder().encode(result) else { return result }
        let bytes = [UInt8](encoded)
        guard scrubber.contains(bytes) else { return result }
        if let decoded = try? JSONDecoder().decode(DecodedResponse.self, from: Data(scrubber.scrub(bytes: bytes))) {
            return decoded
        }
        // A secret whose replacement broke the JSON (one containing a quote, say): keep nothing
        // of the text rather than keep the secret.
        var emptied = DecodedResponse(bodyFormat: result.bodyFormat)
        emptied.protocolError = "the decoded answer held a secret and was withheld"
        return emptied
    }

    /// The text fields of the events (content, reasoning, refusal, malformed data) with secrets
    /// replaced, each field's deltas scrubbed as one text: a secret spread over several events
    /// becomes the placeholder in the first and is dropped from the rest. Nil when none held one.
    private func scrubbingTextFields(of events: [ChatEvent]) -> [ChatEvent]? {
        var result = events
        var changed = false
        let fields: [WritableKeyPath<ChatEvent, String?>] = [\.content, \.reasoning, \.refusal, \.malformed]
        for field in fields {
            let pieces = result.map { Array(($0[keyPath: field] ?? "").utf8) }
            guard let scrubbed = scrubber.scrub(pieces: pieces) else { continue }
            changed = true
            for index in result.indices where result[index][keyPath: field] != nil {
                result[index][keyPath: field] = String(decoding: scrubbed[index], as: UTF8.self)
            }
        }
        return changed ? result : nil
    }

    /// An attempt with secrets removed from headers, chunks, the decoded answer and the failure
    /// message. The answer is decoded again from the scrubbed chunks when they changed.
    package func redact(attempt: Attempt, streamed: Bool) -> Attempt {
        var result = attempt
        result.headers = redact(headers: attempt.headers)
        if !scrubber.isEmpty {
            var chunks = redact(chunks: attempt.chunks)
            var response =
                chunks == attempt.chunks
                ? attempt.response : ChatResponseDecoder.decode(chunks: chunks, streamed: streamed)
            // Events are located (a second decode) only when a secret is still spread over them.
            if streamed, scrubbingTextFields(of: response.events) != nil,
                let rewritten = rewritingEventsOfSpreadSecrets(chunks)
            {
                chunks = rewritten
                response = ChatResponseDecoder.decode(chunks: chunks, streamed: streamed)
            }
            result.chunks = chunks
            result.response = redact(response: response)
        }
        if var failure = result.failure {
            failure.message = redact(failure.message)
            result.failure = failure
        }
        return result
    }

    /// A secret spread over several events — a model echoing a key token by token — is whole in
    /// no stretch of the raw bytes, so the byte scrub cannot see it, yet its pieces are there.
    /// The events holding a piece are rewritten: their data re-encoded with each text field as
    /// `scrubbingTextFields` leaves it (the placeholder in the first event, the rest of the
    /// secret dropped from the others); their other field lines stay. Nil when no event needed it.
    func rewritingEventsOfSpreadSecrets(_ chunks: [WireChunk]) -> [WireChunk]? {
        let (decoded, ranges) = ChatResponseDecoder.decodeLocatingEvents(chunks: chunks, streamed: true)
        guard decoded.bodyFormat == .sse, let scrubbed = scrubbingTextFields(of: decoded.events) else { return nil }
        let body = [UInt8](chunks.joinedBytes)
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        for (event, after) in zip(decoded.events, scrubbed) {
            guard event.index < ranges.count, let range = ranges[event.index] else { continue }
            let fields: [KeyPath<ChatEvent, String?>] = [\.content, \.reasoning, \.refusal, \.malformed]
            var substitutions: [String: String] = [:]
            for field in fields {
                guard let original = event[keyPath: field], !original.isEmpty else { continue }
                let replaced = after[keyPath: field] ?? ""
                if replaced != original { substitutions[original] = replaced }
            }
            guard !substitutions.isEmpty else { continue }
            replacements.append((range, Self.reencodedEvent(Array(body[range]), substitutions: substitutions)))
        }
        guard !replacements.isEmpty else { return nil }
        let pieces = SecretScrubber.replacing(replacements, in: chunks.map { [UInt8]($0.bytes) })
        return zip(chunks, pieces).map { chunk, bytes in
            bytes.elementsEqual(chunk.bytes) ? chunk : WireChunk(t: chunk.t, bytes: bytes)
        }
    }

    /// One SSE event with every answer-text string of its data (see `textKeys`) equal to a key of
    /// `substitutions` replaced (a data payload that is not JSON is replaced whole), field lines
    /// other than `data` kept as they were.
    static func reencodedEvent(_ bytes: [UInt8], substitutions: [String: String]) -> [UInt8] {
        var parser = SSEParser()
        let data = parser.feed(bytes, chunkIndex: 0).first?.data ?? ""
        let payload: String
        if let value = JSONParser.parse(data) {
            payload = substituting(value, substitutions).compactDescription
        } else {
            payload = substitutions[data] ?? ""
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let kept = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" })
            .filter { !$0.hasPrefix("data") }
        var lines = kept.map(String.init)
        lines += payload.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)" }
        return Array((lines.joined(separator: "\n") + "\n\n").utf8)
    }

    /// The keys a chat chunk carries answer text under; only their strings are substituted, so a
    /// piece of a secret that happens to read "stop" leaves `finish_reason` alone.
    private static let textKeys: Set<String> = ["content", "reasoning_content", "reasoning", "refusal", "text"]

    private static func substituting(_ value: JSONValue, _ substitutions: [String: String]) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map { substituting($0, substitutions) })
        case .object(let fields):
            var result: [String: JSONValue] = [:]
            for (key, field) in fields {
                if case .string(let string) = field, textKeys.contains(key) {
                    result[key] = .string(substitutions[string] ?? string)
                } else {
                    result[key] = substituting(field, substitutions)
                }
            }
            return .object(result)
        default:
            return value
        }
    }

    package func redact(transcript: Transcript) -> Transcript {
        var result = transcript
        result.request = redact(request: transcript.request)
        result.attempts = transcript.attempts.map { redact(attempt: $0, streamed: transcript.request.streamed) }
        return result
    }

    // MARK: - Terminal

    /// Text from outside (a server, a file) made safe for a terminal line: secrets replaced and
    /// control characters, escape sequences included, removed.
    package func terminalSafe(_ text: String) -> String {
        TerminalText.sanitize(redact(text))
    }

    // MARK: - Helpers

    /// `user:password` in `scheme://user:password@host/…` (nil when the URL has no userinfo).
    static func userinfoRange(in url: String) -> Range<String.Index>? {
        // Every request's URL comes here: one of plain ASCII is read on its bytes, where
        // `range(of:)` went through Foundation (~0.5% of a streamed run).
        var text = url
        guard let offsets = text.withUTF8(asciiUserinfoOffsets) else { return userinfoRangeInCharacters(in: url) }
        return offsets.map { range in
            let start = url.utf8.index(url.utf8.startIndex, offsetBy: range.lowerBound)
            return start..<url.utf8.index(start, offsetBy: range.count)
        }
    }

    /// `userinfoRange` in UTF-8 offsets for a URL of ASCII bytes (`.some(nil)`: it has none);
    /// nil for any other URL. For ASCII, bytes are characters and compare as they do.
    static func asciiUserinfoOffsets(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>?? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        let separator = schemeSeparator
        guard bytes.count >= separator.count,
            let schemeEnd = (0...(bytes.count - separator.count)).first(where: {
                bytes[$0..<($0 + separator.count)].elementsEqual(separator)
            }).map({ $0 + separator.count })
        else { return .some(nil) }
        let authorityEnd =
            bytes[schemeEnd...].firstIndex(where: {
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
            }) ?? bytes.count
        guard let at = bytes[schemeEnd..<authorityEnd].lastIndex(of: UInt8(ascii: "@")), at > schemeEnd else {
            return .some(nil)
        }
        return .some(schemeEnd..<at)
    }

    private static let schemeSeparator = Array("://".utf8)

    /// `userinfoRange` in characters: the reference for the byte path, and the path for a URL
    /// that is not plain ASCII.
    static func userinfoRangeInCharacters(in url: String) -> Range<String.Index>? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd =
            url[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@"), at > authorityStart else { return nil }
        return authorityStart..<at
    }
}
