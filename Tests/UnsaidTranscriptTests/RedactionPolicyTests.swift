import Foundation
import Testing
import UnsaidSuite
import UnsaidSupport
@testable import UnsaidTranscript

@Suite struct RedactionPolicyTests {
    let redactor = RedactionPolicy(secrets: ["sk-live-123456", "tk-secret-9"])

    @Test func credentialQueryValuesAndPasswordsAreRedacted() {
        #expect(
            redactor.redact(url: "https://api.example.com/v1/chat?key=abc&model=x&API_KEY=def#frag")
                == "https://api.example.com/v1/chat?key=[REDACTED]&model=x&API_KEY=[REDACTED]#[REDACTED]")
        // A fragment is never sent: a token put there was archived as it was.
        #expect(
            redactor.redact(url: "http://127.0.0.1:8/v1#token=FragSecret55555") == "http://127.0.0.1:8/v1#[REDACTED]")
        #expect(
            redactor.redact(url: "https://h/v1?api-key=1&access_token=2&token=3&keyboard=4")
                == "https://h/v1?api-key=[REDACTED]&access_token=[REDACTED]&token=[REDACTED]&keyboard=4")
        #expect(redactor.redact(url: "https://user:hunter2@h:8443/v1") == "https://[REDACTED]@h:8443/v1")
        #expect(redactor.redact(url: "http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1")
    }

    @Test func configuredSecretsAreRedactedAnywhereInTheURL() {
        #expect(
            redactor.redact(url: "https://h/deployments/sk-live-123456/chat")
                == "https://h/deployments/[REDACTED]/chat")
    }

    /// The names are folded without Foundation when they are plain ASCII; whatever the path, the
    /// result must be what the Foundation calls make of the name, or a credential could slip by.
    @Test func foldedNamesMatchFoundationForEveryKindOfName() {
        let alphabet = Array("aZ_-%2fK09 .~\u{7F}\u{1}é\u{301}İ")
        var generator = SplitMix64(seed: 15)
        var names = ["X_API-KEY", "Content-Type", "max-tokens", "api%5Fkey", "api%zz", "%", "", "İD-TOKEN", "ﬀ_x"]
        for _ in 0..<2000 {
            let length = Int(generator.next() % 9)
            names.append(String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
        }
        for name in names {
            #expect(
                RedactionPolicy.comparableHeaderName(name)
                    == name.lowercased().replacingOccurrences(of: "_", with: "-"), "\(name.debugDescription)")
            #expect(
                RedactionPolicy.comparableParameterName(name)
                    == (name.removingPercentEncoding ?? name).lowercased().replacingOccurrences(of: "-", with: "_"),
                "\(name.debugDescription)")
        }
    }

    @Test func credentialHeadersLoseTheirWholeValue() {
        let headers = [
            HTTPHeader(name: "Authorization", value: "Bearer abc"),
            HTTPHeader(name: "api-key", value: "abc"),
            HTTPHeader(name: "X-API-Key", value: "abc"),
            HTTPHeader(name: "Proxy-Authorization", value: "Basic abc"),
            HTTPHeader(name: "cookie", value: "session=abc"),
            HTTPHeader(name: "Set-Cookie", value: "session=abc; HttpOnly"),
            HTTPHeader(name: "X-Trace", value: "run sk-live-123456 here"),
            HTTPHeader(name: "Content-Type", value: "application/json"),
        ]
        #expect(
            redactor.redact(headers: headers) == [
                HTTPHeader(name: "Authorization", value: "[REDACTED]"),
                HTTPHeader(name: "api-key", value: "[REDACTED]"),
                HTTPHeader(name: "X-API-Key", value: "[REDACTED]"),
                HTTPHeader(name: "Proxy-Authorization", value: "[REDACTED]"),
                HTTPHeader(name: "cookie", value: "[REDACTED]"),
                HTTPHeader(name: "Set-Cookie", value: "[REDACTED]"),
                HTTPHeader(name: "X-Trace", value: "run [REDACTED] here"),
                HTTPHeader(name: "Content-Type", value: "application/json"),
            ])
    }

    @Test func adjacentAndNestedSecretsAreReplacedWhole() {
        // Two secrets back to back are both replaced.
        #expect(redactor.redact(#"{"user":"sk-live-123456tk-secret-9"}"#) == #"{"user":"[REDACTED][REDACTED]"}"#)
        let overlapping = RedactionPolicy(secrets: ["abc", "abcdef"])
        #expect(overlapping.redact("xabcdefx abc") == "x[REDACTED]x [REDACTED]")
    }

    @Test func requestBodyHeadersAndURLAreAllRedacted() {
        let request = RecordedRequest(
            url: "https://h/v1/chat/completions?token=zzz",
            headers: [HTTPHeader(name: "Authorization", value: "Bearer sk-live-123456")],
            body: #"{"metadata":{"user":"sk-live-123456"}}"#, streamed: true)
        let redacted = redactor.redact(request: request)
        #expect(redacted.url == "https://h/v1/chat/completions?token=[REDACTED]")
        #expect(redacted.headers == [HTTPHeader(name: "Authorization", value: "[REDACTED]")])
        #expect(redacted.body == #"{"metadata":{"user":"[REDACTED]"}}"#)
        #expect(redacted.streamed)
    }

    @Test func chunksAreRedactedKeepingTheirTimeAndUntouchedOnesKeepTheirBytes() {
        let echoed = WireChunk(t: 42, bytes: Array("data: {\"k\":\"sk-live-123456\"}\n\n".utf8))
        let clean = WireChunk(t: 43, bytes: [0xE4, 0xBD])  // half a UTF-8 character: stored as base64
        #expect(
            redactor.redact(chunk: echoed) == WireChunk(t: 42, bytes: Array("data: {\"k\":\"[REDACTED]\"}\n\n".utf8)))
        #expect(redactor.redact(chunk: clean) == clean)
        let binary = WireChunk(t: 44, bytes: [0xFF] + Array("tk-secret-9".utf8))
        #expect(redactor.redact(chunk: binary).bytes == Data([0xFF] + Array("[REDACTED]".utf8)))
    }

    @Test func emptySecretsAreIgnored() {
        let none = RedactionPolicy(secrets: ["", ""])
        #expect(none.secrets.isEmpty)
        #expect(none.redact("unchanged") == "unchanged")
    }

    /// The byte checks of a plain ASCII header name agree with the character checks, on
    /// generated names made of the listed names, suffixes and pieces of them, in any case and
    /// with `_` for `-`; names that are not plain ASCII keep the character path.
    @Test func secretHeaderBytesMatchTheCharacterChecks() {
        let pieces = [
            "auth", "Auth", "au", "th", "-", "_", "x", "token", "-token", "_TOKEN", "api", "-api-key", "apikey",
            "-secret",
            "password", "-signature", "-session", "www-", "authenticate", "cookie", "set-", "key", "é", "%", " ",
        ]
        var random = SplitMix64(seed: 16)
        for _ in 0..<20000 {
            var name = ""
            for _ in 0..<(1 + Int(random.next() % 4)) { name += pieces[Int(random.next() % UInt64(pieces.count))] }
            let comparable = RedactionPolicy.comparableHeaderName(name)
            let reference = RedactionPolicy.isSecretComparableHeader(comparable)
            #expect(RedactionPolicy.isSecretHeader(name) == reference, "\(name)")
            if comparable.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                #expect(RedactionPolicy.isSecretFoldedASCIIHeader(comparable) == reference, "\(name)")
            }
        }
    }

    /// The userinfo of an ASCII URL found on its bytes is the one found in characters, on
    /// generated URLs with and without schemes, userinfo, `@` in paths, queries and fragments.
    @Test func userinfoOnBytesMatchesTheCharacterSearch() {
        let pieces = [
            "https", "http", "://", ":/", "//", "user", ":", "pw", "@", "host", ".com", ":8080", "/", "path", "?",
            "q=1",
            "&", "#", "frag", "é", "%40", "",
        ]
        var random = SplitMix64(seed: 17)
        for _ in 0..<20000 {
            var url = ""
            for _ in 0..<Int(random.next() % 9) { url += pieces[Int(random.next() % UInt64(pieces.count))] }
            let reference = RedactionPolicy.userinfoRangeInCharacters(in: url)
            let found = RedactionPolicy.userinfoRange(in: url)
            let foundText: String? = found.map { String(url[$0]) }
            let referenceText: String? = reference.map { String(url[$0]) }
            #expect(foundText == referenceText, "\(url)")
            #expect(found == reference, "\(url)")
        }
    }
}
