import Foundation

/// Removes secrets from everything a transcript keeps, before it is kept. Pure and shared by the
/// transport (which records requests and chunks) and the archive.
///
/// Three kinds of secret are covered: values of credential headers (`Authorization`, `api-key`,
/// …), values of credential query parameters (`key=`, `token=`, …) and URL passwords, and any
/// literal strings configured as secret (the API key itself, tokens embedded in extra headers or
/// body fields), wherever they appear.
public struct Redactor: Sendable, Equatable {
    public static let placeholder = "[REDACTED]"

    /// Header names whose whole value is a credential (compared case-insensitively). `Set-Cookie`
    /// is the response-side twin of `Cookie`: a session a gateway hands out is as good as a key.
    public static let secretHeaderNames: Set<String> = [
        "authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie",
    ]

    /// Query parameter names whose value is a credential (compared case-insensitively).
    public static let secretQueryNames: Set<String> = ["key", "api_key", "api-key", "token", "access_token"]

    /// Literal secrets, longest first so a secret that contains another is replaced whole.
    public let secrets: [String]

    /// Empty strings are ignored: replacing "" would be meaningless.
    public init(secrets: [String] = []) {
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted {
            $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1
        }
    }

    /// Replaces every configured secret in free text.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return result
    }

    /// Replaces configured secrets in raw bytes (compared byte for byte, so it also works on a
    /// body that is not valid UTF-8).
    public func redact(bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for secret in secrets {
            result = Self.replace(Array(secret.utf8), in: result, with: Array(Self.placeholder.utf8))
        }
        return result
    }

    /// The URL with credential query values, the userinfo password and configured secrets replaced.
    public func redact(url: String) -> String {
        var result = url
        // Userinfo: scheme://user:password@host → keep the user, drop the password.
        if let schemeEnd = result.range(of: "://") {
            let authorityStart = schemeEnd.upperBound
            let authorityEnd = result[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" })
                ?? result.endIndex
            let authority = result[authorityStart..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: Self.placeholder)
            }
        }
        if let question = result.firstIndex(of: "?") {
            let fragmentStart = result[question...].firstIndex(of: "#") ?? result.endIndex
            let query = result[result.index(after: question)..<fragmentStart]
            let redactedQuery = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
                let name = pair[..<equals]
                let decoded = name.removingPercentEncoding ?? String(name)
                guard Self.secretQueryNames.contains(decoded.lowercased()) else { return String(pair) }
                return "\(name)=\(Self.placeholder)"
            }.joined(separator: "&")
            result.replaceSubrange(result.index(after: question)..<fragmentStart, with: redactedQuery)
        }
        return redact(result)
    }

    /// Credential headers get their whole value replaced; the others have configured secrets replaced.
    public func redact(headers: [HTTPHeader]) -> [HTTPHeader] {
        headers.map { header in
            if Self.secretHeaderNames.contains(header.name.lowercased()) {
                return HTTPHeader(name: header.name, value: Self.placeholder)
            }
            return HTTPHeader(name: header.name, value: redact(header.value))
        }
    }

    /// A chunk with configured secrets replaced in its bytes; untouched when it holds none, so
    /// its exact bytes survive.
    public func redact(chunk: WireChunk) -> WireChunk {
        guard !secrets.isEmpty else { return chunk }
        let bytes = [UInt8](chunk.bytes)
        let redacted = redact(bytes: bytes)
        return redacted == bytes ? chunk : WireChunk(t: chunk.t, bytes: redacted)
    }

    public func redact(request: RecordedRequest) -> RecordedRequest {
        var result = request
        result.url = redact(url: request.url)
        result.headers = redact(headers: request.headers)
        result.body = redact(request.body)
        return result
    }

    private static func replace(_ needle: [UInt8], in haystack: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return haystack }
        var result: [UInt8] = []
        result.reserveCapacity(haystack.count)
        var index = 0
        let last = haystack.count - needle.count
        while index < haystack.count {
            if index <= last, haystack[index] == needle[0],
               haystack[index..<(index + needle.count)].elementsEqual(needle) {
                result.append(contentsOf: replacement)
                index += needle.count
            } else {
                result.append(haystack[index])
                index += 1
            }
        }
        return result
    }
}
