import Foundation

/// Writes recorded exchanges as fixture files the replay server and the catalogue tests read.
/// Everything that could identify an account is redacted first: credential and cookie headers,
/// organisation/project ids, secret-looking URL query parameters and body fields, and any literal
/// secret the caller names (an API key's value) wherever it appears, wire bytes included.
/// The fields the request key hashes are never touched, so a redacted fixture still matches.
public enum FixtureWriter {
    public static let redactedValue = "[REDACTED]"

    /// Writes `<dir>/<meta.name>.json` (creating `dir`), replacing an existing file of that name.
    /// - Parameter secrets: literal values to scrub everywhere (typically the API key in use).
    /// - Returns: the file written.
    @discardableResult
    public static func write(probe: Probe, transcript: Transcript, meta: FixtureMeta, to directory: URL,
                             secrets: [String] = []) throws -> URL {
        guard isValidName(meta.name) else { throw FixtureError.invalidName(meta.name) }
        let fixture = Fixture(meta: meta, probe: probe, transcript: redact(transcript, secrets: secrets))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(meta.name + ".json")
        try fixture.encoded().write(to: url, options: .atomic)
        return url
    }

    /// A file name for a recorded request: `<probe>-<sample>-<stream|json>`, with characters a
    /// file name should not have replaced by `-`.
    public static func name(for key: WorkKey) -> String {
        let raw = "\(key.probe)-\(key.sample)-\(key.streamed ? "stream" : "json")"
        let slug = String(raw.map { isNameCharacter($0) ? $0 : "-" })
        return slug.hasPrefix(".") ? "_" + slug.dropFirst() : slug
    }

    /// Letters, digits, `.`, `-`, `_`; not starting with a dot; not clashing with a golden file.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.allSatisfy(isNameCharacter)
            && !(name + ".json").hasSuffix(Fixture.verdictSuffix)
    }

    /// The transcript with secrets removed. The decoded response is re-derived only when wire
    /// bytes had to change, so an untouched recording keeps exactly what the client decoded.
    public static func redact(_ transcript: Transcript, secrets: [String] = []) -> Transcript {
        let secrets = secrets.filter { !$0.isEmpty }
        var copy = transcript
        copy.request.url = redactURL(scrub(copy.request.url, secrets))
        copy.request.headers = copy.request.headers.map(redactHeader).map {
            HTTPHeader(name: $0.name, value: scrub($0.value, secrets))
        }
        copy.request.body = redactBody(scrub(copy.request.body, secrets))
        copy.attempts = copy.attempts.map { attempt in
            var attempt = attempt
            attempt.headers = attempt.headers.map(redactHeader).map {
                HTTPHeader(name: $0.name, value: scrub($0.value, secrets))
            }
            let chunks = attempt.chunks.map { scrub($0, secrets) }
            if chunks != attempt.chunks {
                attempt.chunks = chunks
                attempt.response = ChatResponseDecoder.decode(chunks: chunks, streamed: transcript.request.streamed)
            }
            if var failure = attempt.failure {
                failure.message = scrub(failure.message, secrets)
                attempt.failure = failure
            }
            return attempt
        }
        return copy
    }

    // MARK: - Rules

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character))
    }

    private static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "api-key", "x-api-key",
        "x-goog-api-key", "openai-organization", "openai-project", "anthropic-organization-id",
    ]

    /// A header, query parameter or body field that names a credential. Matched on whole names
    /// and suffixes, not substrings, so `max_tokens` is never taken for a token; the fields the
    /// request key hashes are never secret.
    private static func isSensitiveName(_ name: String) -> Bool {
        let name = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if FixtureRequestKey.fieldNames.contains(name) || name == "max_completion_tokens" { return false }
        let exact: Set<String> = [
            "key", "token", "sig", "signature", "secret", "password", "passwd", "auth", "authorization",
            "apikey", "api_key", "access_token", "refresh_token", "id_token", "session", "cookie",
        ]
        return exact.contains(name)
            || ["_key", "_token", "_secret", "_password", "_signature", "_apikey"].contains { name.hasSuffix($0) }
    }

    private static func redactHeader(_ header: HTTPHeader) -> HTTPHeader {
        let name = header.name.lowercased()
        guard sensitiveHeaders.contains(name) || isSensitiveName(name) else { return header }
        return HTTPHeader(name: header.name, value: redactedValue)
    }

    /// Drops user:password and blanks secret-looking query parameters (Gemini's `?key=`).
    private static func redactURL(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var changed = false
        if components.user != nil || components.password != nil {
            components.user = nil
            components.password = nil
            changed = true
        }
        if let items = components.queryItems, items.contains(where: { isSensitiveName($0.name) }) {
            components.queryItems = items.map {
                isSensitiveName($0.name) ? URLQueryItem(name: $0.name, value: redactedValue) : $0
            }
            changed = true
        }
        return changed ? (components.string ?? url) : url
    }

    /// Blanks secret-looking top-level body fields; the body is re-encoded only if one was found.
    private static func redactBody(_ body: String) -> String {
        guard var object = JSONParser.parse(body)?.objectValue,
            object.keys.contains(where: isSensitiveName)
        else { return body }
        for key in object.keys where isSensitiveName(key) {
            object[key] = .string(redactedValue)
        }
        guard let data = try? CanonicalJSON.encode(JSONValue.object(object)) else { return body }
        return String(decoding: data, as: UTF8.self)
    }

    private static func scrub(_ text: String, _ secrets: [String]) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: redactedValue) }
    }

    private static func scrub(_ chunk: WireChunk, _ secrets: [String]) -> WireChunk {
        guard !secrets.isEmpty else { return chunk }
        if let text = chunk.text {
            let scrubbed = scrub(text, secrets)
            return scrubbed == text ? chunk : WireChunk(t: chunk.t, bytes: Array(scrubbed.utf8))
        }
        var bytes = [UInt8](chunk.bytes)
        var changed = false
        for secret in secrets {
            let needle = Array(secret.utf8)
            let replacement = Array(redactedValue.utf8)
            var index = 0
            while index + needle.count <= bytes.count {
                if bytes[index..<(index + needle.count)].elementsEqual(needle) {
                    bytes.replaceSubrange(index..<(index + needle.count), with: replacement)
                    index += replacement.count
                    changed = true
                } else {
                    index += 1
                }
            }
        }
        return changed ? WireChunk(t: chunk.t, bytes: bytes) : chunk
    }
}
