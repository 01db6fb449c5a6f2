import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidFixture

/// Builds transcripts the way the decoder would fill them, so verdict tests need no wire bytes.
enum Fixture {
    private static let loaded = Result { try VerdictEngine(ruleset: Ruleset.bundled()) }

    static func engine() throws -> VerdictEngine { try loaded.get() }

    static func key(streamed: Bool) -> WorkKey {
        WorkKey(suite: "fixtures", probe: "p1", probeHash: "h", sample: 0, streamed: streamed)
    }

    /// A chunk of a stream: `{"choices":[{"delta":{…},"finish_reason":…}]}` as decoded.
    static func event(
        _ index: Int, _ content: String? = nil, reasoning: String? = nil, refusal: String? = nil,
        finish: String? = nil, error: ProviderError? = nil,
        annotations: [String: JSONValue]? = nil
    ) -> ChatEvent {
        ChatEvent(
            index: index, t: Int64(index) * 1000, content: content, reasoning: reasoning, refusal: refusal,
            finishReason: finish, error: error, annotations: annotations)
    }

    /// The decoded response the events add up to.
    static func response(_ events: [ChatEvent], sawDone: Bool) -> DecodedResponse {
        DecodedResponse(
            events: events,
            content: events.compactMap(\.content).joined(),
            reasoning: events.compactMap(\.reasoning).joined(),
            refusal: events.compactMap(\.refusal).joined(),
            finishReason: events.compactMap(\.finishReason).last,
            sawDone: sawDone,
            errors: events.compactMap(\.error))
    }

    static func transcript(
        _ response: DecodedResponse, streamed: Bool, status: Int? = 200,
        failure: TransportFailure? = nil, body: String = ""
    ) -> Transcript {
        let attempt = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 1000, status: status,
            headers: [], chunks: body.isEmpty ? [] : [WireChunk(t: 10, bytes: Data(body.utf8))],
            failure: failure, response: response)
        return Transcript(
            key: key(streamed: streamed),
            request: RecordedRequest(
                url: "http://127.0.0.1:1/v1/chat/completions", headers: [],
                body: "{}", streamed: streamed),
            attempts: [attempt])
    }

    /// A streamed answer made of `events`, ended by `[DONE]` unless `sawDone` is false.
    static func streamed(_ events: [ChatEvent], sawDone: Bool = true, failure: TransportFailure? = nil) -> Transcript {
        transcript(response(events, sawDone: sawDone), streamed: true, failure: failure)
    }

    /// A non-streamed JSON answer: one event with the whole message.
    static func json(
        _ content: String?, finish: String? = "stop", refusal: String? = nil, reasoning: String? = nil,
        annotations: [String: JSONValue]? = nil, error: ProviderError? = nil
    ) -> Transcript {
        transcript(
            response(
                [
                    event(
                        0, content, reasoning: reasoning, refusal: refusal, finish: finish, error: error,
                        annotations: annotations)
                ], sawDone: false), streamed: false)
    }

    /// An HTTP error: the body as received, decoded into an error object when it is one.
    static func httpError(_ status: Int, body: String) -> Transcript {
        var errors: [ProviderError] = []
        if let value = JSONValue.parse(Data(body.utf8)), let error = value["error"] {
            errors.append(
                ProviderError(
                    code: error["code"]?.stringValue ?? error["code"]?.intValue.map(String.init),
                    message: error["message"]?.stringValue, type: error["type"]?.stringValue,
                    eventIndex: nil, raw: error))
        }
        return transcript(
            DecodedResponse(errors: errors), streamed: false, status: status,
            failure: TransportFailure(kind: .http, message: "HTTP \(status)"), body: body)
    }

    static func providerError(code: String?, message: String?, type: String? = nil, event: Int? = nil) -> ProviderError
    {
        var object: [String: JSONValue] = [:]
        if let code { object["code"] = .string(code) }
        if let message { object["message"] = .string(message) }
        if let type { object["type"] = .string(type) }
        return ProviderError(code: code, message: message, type: type, eventIndex: event, raw: .object(object))
    }

    /// Judges plain answer text as a non-streamed reply.
    static func judge(_ text: String, language: String? = nil) throws -> Verdict {
        try engine().judge(json(text), expect: .any, language: language)
    }

    /// UTF-8 length, for hand-computing offsets.
    static func bytes(_ text: String) -> Int { text.utf8.count }
}

@Suite("Ruleset files")
struct VerdictRulesetTests {
    @Test func bundledRulesetLoadsWithVersionAndHash() throws {
        let ruleset = try Ruleset.bundled()
        #expect(ruleset.version == "1.2.0")
        #expect(ruleset.sha256.count == 64)
        #expect(ruleset.sha256.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(
            ruleset.manifest.files == [
                "normalise.json", "signals.json", "canned.json",
                "phrases.en.json", "phrases.zh.json", "phrases.ko.json", "judge.json", "classifier.json",
            ])
        #expect(ruleset.judge?.rubrics.map(\.language) == ["en", "zh", "ko"])
        #expect(Set(ruleset.phraseSets.map(\.language)) == ["en", "zh", "ko"])
    }

    @Test func snapshotReloadsToTheSameRulesAndHash() throws {
        let ruleset = try Ruleset.bundled()
        let again = try Ruleset.load(from: ruleset.snapshot)
        #expect(again.sha256 == ruleset.sha256)
        #expect(again.snapshot == ruleset.snapshot)
        #expect(again.phraseSets == ruleset.phraseSets)
        #expect(SHA256Hex.digest(ruleset.snapshot) == ruleset.sha256)
    }

    @Test func reformattingARuleFileKeepsTheHashAndEditingItChangesIt() throws {
        let directory = try copyOfBundledRules()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try Ruleset.load(directory: directory)

        // Same content, different formatting: canonical bytes, same hash.
        let cannedURL = directory.appendingPathComponent("canned.json")
        let value = try #require(JSONValue.parse(try Data(contentsOf: cannedURL)))
        try CanonicalJSON.encode(value).write(to: cannedURL)
        #expect(try Ruleset.load(directory: directory).sha256 == original.sha256)

        // One character of a rule changed: a new hash.
        var text = try String(contentsOf: cannedURL, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "Let's talk about something else.", with: "Let's talk about something else!")
        try Data(text.utf8).write(to: cannedURL)
        #expect(try Ruleset.load(directory: directory).sha256 != original.sha256)
    }

    @Test func aBadPatternIsReportedWithItsRuleID() throws {
        let directory = try copyOfBundledRules()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("phrases.ko.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"pattern\": \"인민 ?중심\"", with: "\"pattern\": \"인민 (중심\"")
        try Data(text.utf8).write(to: url)
        #expect(throws: RulesetError.self) { try Ruleset.load(directory: directory) }
        do {
            _ = try Ruleset.load(directory: directory)
        } catch let error as RulesetError {
            guard case .badPattern(let rule, _) = error else {
                Issue.record("expected a bad pattern error, got \(error)")
                return
            }
            #expect(rule == "official.ko.people-centred")
        }
    }

    @Test func aSnapshotWhoseFilesDisagreeWithTheManifestIsRejected() throws {
        let ruleset = try Ruleset.bundled()
        var value = try #require(JSONValue.parse(ruleset.snapshot))
        guard case .object(var object) = value, case .array(var files)? = object["files"] else {
            Issue.record("snapshot is not an object with files")
            return
        }
        files.removeLast()
        object["files"] = .array(files)
        value = .object(object)
        #expect(throws: RulesetError.self) { try Ruleset.load(from: CanonicalJSON.encode(value)) }
    }
}
