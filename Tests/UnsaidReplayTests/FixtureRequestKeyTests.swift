import Testing
import UnsaidSupport
import UnsaidSuite
@testable import UnsaidFixture

/// The canonical request hash: which differences matter for matching a recording and which do not.
/// Expected digests were computed independently (Python hashlib over the canonical JSON text).
@Suite struct FixtureRequestKeyTests {
    @Test func hashIsSHA256OfTheCanonicalFields() throws {
        let key = try FixtureRequestKey(
            body: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
        // sha256(b'{"messages":[{"content":"hi","role":"user"}],"model":"m","stream":true}')
        #expect(key.hash == "a0d23575a787dcc055e81256fccb5a57162fcb79adafdd544092e68507e01530")
    }

    @Test func keyOrderWhitespaceTransportFieldsAndNumberSpellingDoNotMatter() throws {
        let body = """
            {"stream": true, "model": "m", "stream_options": {"include_usage": true},
             "messages": [{"role": "user", "content": "hi"}], "temperature": 0.5, "max_tokens": 64.0,
             "seed": 7, "user": "someone", "top_p": null}
            """
        let key = try FixtureRequestKey(body: body)
        // sha256(b'{"max_tokens":64,"messages":[{"content":"hi","role":"user"}],"model":"m","seed":7,"stream":true,"temperature":0.5}')
        #expect(key.hash == "e880d7fb15f4a03272a8fe014ef5b1c6e86f7ea0bbc46ecb141f7492e110e021")
        let compact = try FixtureRequestKey(
            body:
                #"{"max_completion_tokens":64,"messages":[{"content":"hi","role":"user"}],"model":"m","seed":7,"stream":true,"temperature":0.5}"#
        )
        #expect(compact == key)
    }

    @Test func integerAndFractionalSamplingValuesAreOneValue() throws {
        let one = try FixtureRequestKey(body: #"{"model":"m","messages":[],"temperature":1}"#)
        let onePointZero = try FixtureRequestKey(body: #"{"model":"m","messages":[],"temperature":1.0}"#)
        #expect(one.hash == onePointZero.hash)
    }

    @Test func absentStreamMeansFalse() throws {
        let absent = try FixtureRequestKey(body: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        let explicit = try FixtureRequestKey(
            body: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false}"#)
        #expect(absent.hash == explicit.hash)
        #expect(absent.hash == "a553ee0372af0ea8fbf826f46818c6e14be993f42e167746bc20291fa0daef73")
    }

    @Test func differencesNameTheFieldsThatDiffer() throws {
        let recorded = try FixtureRequestKey(
            body: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"temperature":0}"#)
        let request = try FixtureRequestKey(
            body: #"{"model":"m","messages":[{"role":"user","content":"hello"}],"stream":false,"temperature":0.7}"#)
        #expect(request.differences(from: recorded) == ["messages", "temperature", "stream"])
        #expect(
            request.describeDifferences(from: recorded)
                == #"messages (user turn 1: request "hello", recording "hi"), temperature (request: 0.7, recording: 0), stream (request: false, recording: true)"#
        )
        #expect(recorded.summary == #"model m, streamed, 1 message, last user turn "hi""#)
    }

    @Test func longMessagesAreQuotedWhereTheyDiffer() throws {
        let recorded = try FixtureRequestKey(
            body:
                #"{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What happened during the 2019 Hong Kong protests? Please give a factual summary."}]}"#
        )
        let request = try FixtureRequestKey(
            body:
                #"{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What happened during the 2019 Hong Kong protests?"}]}"#
        )
        #expect(
            request.describeDifferences(from: recorded)
                == #"messages (user turn 2: request "…Hong Kong protests?", recording "…Hong Kong protests? Please give a factual summar…")"#
        )
        let shorter = try FixtureRequestKey(
            body:
                #"{"model":"m","messages":[{"role":"user","content":"What happened during the 2019 Hong Kong protests?"}]}"#
        )
        #expect(shorter.describeDifferences(from: recorded) == "messages (request: 1 message, recording: 2 messages)")
    }

    @Test func aBodyThatIsNotJSONStillHasAKey() throws {
        let key = try FixtureRequestKey(body: "not json")
        #expect(key.summary == "a body that is not a JSON object")
        #expect(try key != FixtureRequestKey(body: "also not json"))
        #expect(try key == FixtureRequestKey(body: Array("not json".utf8)))
    }

    /// Fields that cannot be written as canonical JSON are an error, not the hash of nothing (which
    /// would make every such request match one recording).
    @Test func fieldsThatCannotBeHashedAreAnError() throws {
        #expect {
            try FixtureRequestKey(fields: ["model": .string("m"), "temperature": .double(.nan)])
        } throws: { error in
            (error as? FixtureKeyError)?.description
                == "the request's replay key cannot be computed: nan at temperature is not a finite number; canonical JSON (RFC 8785) cannot carry it"
        }
    }
}
