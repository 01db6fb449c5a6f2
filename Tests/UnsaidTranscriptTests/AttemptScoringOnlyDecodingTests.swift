import Foundation
import Testing
import UnsaidSupport
import UnsaidTranscript

@Suite("Attempts read for scoring only")
struct AttemptScoringOnlyDecodingTests {
    private func encoded(status: Int?) throws -> Data {
        let chunks = [WireChunk(t: 3, bytes: Array("data: {\"choices\":[]}\n\n".utf8))]
        let attempt = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 10, status: status, headers: [],
            chunks: chunks, failure: nil, response: ChatResponseDecoder.decode(chunks: chunks, streamed: true))
        return try CanonicalJSON.encode(attempt)
    }

    @Test func aSuccessfulOrStatuslessAttemptComesWithoutItsChunks() throws {
        for status in [200, 204, nil] as [Int?] {
            let data = try encoded(status: status)
            let lean = try CanonicalJSON.decode(Attempt.self, from: data, userInfo: [Attempt.scoringOnly: true])
            let whole = try CanonicalJSON.decode(Attempt.self, from: data)
            #expect(lean.chunks.isEmpty && whole.chunks.count == 1)
            var expected = whole
            expected.chunks = []
            #expect(lean == expected)
        }
    }

    @Test func anHTTPErrorKeepsItsChunks() throws {
        for status in [400, 451, 503, 302] {
            let data = try encoded(status: status)
            let lean = try CanonicalJSON.decode(Attempt.self, from: data, userInfo: [Attempt.scoringOnly: true])
            #expect(try lean == CanonicalJSON.decode(Attempt.self, from: data))
        }
    }

    @Test func chunksMustStillBeThere() throws {
        var object = try #require(JSONParser.parse(try encoded(status: 200))?.objectValue)
        object["chunks"] = nil
        let data = try CanonicalJSON.encode(JSONValue.object(object))
        #expect(throws: DecodingError.self) {
            try CanonicalJSON.decode(Attempt.self, from: data, userInfo: [Attempt.scoringOnly: true])
        }
    }
}
