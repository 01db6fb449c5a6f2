import Foundation
import UnsaidSuite

/// The request as it was sent, with secrets already replaced by `[REDACTED]`.
package struct RecordedRequest: Codable, Sendable, Equatable {
    package var method: String
    package var url: String
    package var headers: [HTTPHeader]
    /// The JSON body exactly as sent (after redaction of configured secrets).
    package var body: String
    package var streamed: Bool

    package init(method: String = "POST", url: String, headers: [HTTPHeader], body: String, streamed: Bool) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.streamed = streamed
    }
}

/// One try at the request. Every attempt is kept, retried ones included, because a 429 or a
/// reset followed by a clean answer is itself worth seeing.
package struct Attempt: Codable, Sendable, Equatable {
    package var index: Int
    /// Wall-clock start, ISO 8601 with milliseconds; informational only.
    package var startedAt: String
    /// Microseconds from the attempt's start to its end (monotonic).
    package var elapsed: Int64
    package var status: Int?
    package var headers: [HTTPHeader]
    package var chunks: [WireChunk]
    package var failure: TransportFailure?
    /// What the body means, derived from `chunks` by `ChatResponseDecoder` (pure, re-derivable).
    package var response: DecodedResponse
    /// How long the client waited before the next attempt, if there was one (microseconds).
    package var backoff: Int64?
    /// Set when the body grew past the response-size cap (`--max-response-bytes`): the cap in
    /// bytes. The client stopped the transfer there; `chunks` hold exactly the first `cap` bytes.
    package var responseCap: Int?

    package init(
        index: Int, startedAt: String, elapsed: Int64, status: Int?, headers: [HTTPHeader],
        chunks: [WireChunk], failure: TransportFailure?, response: DecodedResponse, backoff: Int64? = nil,
        responseCap: Int? = nil
    ) {
        self.index = index
        self.startedAt = startedAt
        self.elapsed = elapsed
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.failure = failure
        self.response = response
        self.backoff = backoff
        self.responseCap = responseCap
    }

    /// The default response-size cap, 16 MiB: far beyond any chat answer, small enough that one
    /// runaway answer cannot exhaust memory.
    package static let defaultResponseCap = 16 << 20

    /// The status of an answer that is an HTTP error (any status outside 2xx); nil for a 2xx
    /// answer or none at all. One definition for the verdict, the failure description and the
    /// decoder option below, which must agree on when the raw body counts.
    package var httpErrorStatus: Int? { Self.httpErrorStatus(status) }

    static func httpErrorStatus(_ status: Int?) -> Int? {
        status.flatMap { (200..<300).contains($0) ? nil : $0 }
    }

    /// A decoder option (`true`) for readers that only score: the raw `chunks` of an attempt that
    /// got no HTTP status or a 2xx one are checked to be there but left undecoded (`[]`). Verdicts
    /// read the raw body only of an HTTP error (a moderation message may be in it); everything
    /// else comes from `response`. The bytes are most of a record, so `rescore` and `verify` skip
    /// materialising them.
    package static let scoringOnly = CodingUserInfoKey(rawValue: "unsaid.attempt.scoringOnly")!

    private enum CodingKeys: String, CodingKey {
        case index, startedAt, elapsed, status, headers, chunks, failure, response, backoff, responseCap
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        startedAt = try container.decode(String.self, forKey: .startedAt)
        elapsed = try container.decode(Int64.self, forKey: .elapsed)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        headers = try container.decode([HTTPHeader].self, forKey: .headers)
        if decoder.userInfo[Self.scoringOnly] as? Bool == true, Self.httpErrorStatus(status) == nil {
            guard container.contains(.chunks) else {
                throw DecodingError.keyNotFound(
                    CodingKeys.chunks, .init(codingPath: container.codingPath, debugDescription: "no chunks"))
            }
            chunks = []
        } else {
            chunks = try container.decode([WireChunk].self, forKey: .chunks)
        }
        failure = try container.decodeIfPresent(TransportFailure.self, forKey: .failure)
        response = try container.decode(DecodedResponse.self, forKey: .response)
        backoff = try container.decodeIfPresent(Int64.self, forKey: .backoff)
        responseCap = try container.decodeIfPresent(Int.self, forKey: .responseCap)
    }
}

/// Everything Unsaid knows about one request of a run: what was sent, every attempt, the raw
/// bytes with arrival times, and the decoded answer. Verdicts are a pure function of this value
/// and a ruleset, so an archive can be re-scored offline at any time.
package struct Transcript: Codable, Sendable, Equatable {
    package var key: WorkKey
    package var request: RecordedRequest
    package var attempts: [Attempt]

    package init(key: WorkKey, request: RecordedRequest, attempts: [Attempt]) {
        self.key = key
        self.request = request
        self.attempts = attempts
    }

    /// The attempt whose answer counts: the last one.
    package var finalAttempt: Attempt? { attempts.last }
}
