import Foundation
import UnsaidSuite
import UnsaidSupport

// Every archive reader decodes a transcript per record. Read through `Codable`'s keyed
// containers, each field of these small objects was a search through the object's keys behind
// several generic boxes (~100,000 instructions a streamed record for the transcript, its request,
// key and attempt, without the response); here each field present is looked at once (see
// `IndexedFieldDecodable`), reading exactly what the synthesized or written `init(from:)` reads.
// `IndexedRecordDecodingTests` compares the two.

extension Transcript: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var key: WorkKey?
        var request: RecordedRequest?
        var attempts: [Attempt]?
        while let field = try fields.next() {
            if field.is("attempts") {
                attempts = try field.decodeIfNotNull([Attempt].self)
            } else if field.is("key") {
                key = try field.decodeIfNotNull(WorkKey.self)
            } else if field.is("request") {
                request = try field.decodeIfNotNull(RecordedRequest.self)
            }
        }
        guard let key, let request, let attempts else { throw fields.missing() }
        self.init(key: key, request: request, attempts: attempts)
    }
}

extension RecordedRequest: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var method: String?
        var url: String?
        var headers: [HTTPHeader]?
        var body: String?
        var streamed: Bool?
        while let field = try fields.next() {
            if field.is("body") {
                body = try field.stringIfNotNull()
            } else if field.is("headers") {
                headers = try field.decodeIfNotNull([HTTPHeader].self)
            } else if field.is("method") {
                method = try field.stringIfNotNull()
            } else if field.is("streamed") {
                streamed = try field.boolIfNotNull()
            } else if field.is("url") {
                url = try field.stringIfNotNull()
            }
        }
        guard let method, let url, let headers, let body, let streamed else { throw fields.missing() }
        self.init(method: method, url: url, headers: headers, body: body, streamed: streamed)
    }
}

extension Attempt: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var index: Int?
        var startedAt: String?
        var elapsed: Int64?
        var status: Int?
        var headers: [HTTPHeader]?
        // Read after the loop: whether they are decoded depends on the status, which comes after
        // them in canonical key order.
        var chunksField: IndexedField?
        var failure: TransportFailure?
        var response: DecodedResponse?
        var backoff: Int64?
        var responseCap: Int?
        while let field = try fields.next() {
            if field.is("backoff") {
                backoff = try field.int64IfNotNull()
            } else if field.is("chunks") {
                chunksField = field
            } else if field.is("elapsed") {
                elapsed = try field.int64()
            } else if field.is("failure") {
                failure = try field.decodeIfNotNull(TransportFailure.self)
            } else if field.is("headers") {
                headers = try field.decodeIfNotNull([HTTPHeader].self)
            } else if field.is("index") {
                index = try field.int()
            } else if field.is("response") {
                response = try field.decodeIfNotNull(DecodedResponse.self)
            } else if field.is("responseCap") {
                responseCap = try field.intIfNotNull()
            } else if field.is("startedAt") {
                startedAt = try field.stringIfNotNull()
            } else if field.is("status") {
                status = try field.intIfNotNull()
            }
        }
        guard let index, let startedAt, let elapsed, let headers, let response, let chunksField else {
            throw fields.missing()
        }
        let chunks: [WireChunk]
        if fields.userInfo[Self.scoringOnly] as? Bool == true, Self.httpErrorStatus(status) == nil {
            // As `init(from:)`: the key must be there (`contains`, whatever its value), the chunks
            // are left unread.
            chunks = []
        } else {
            guard let read = try chunksField.decodeIfNotNull([WireChunk].self) else { throw fields.missing() }
            chunks = read
        }
        self.init(
            index: index, startedAt: startedAt, elapsed: elapsed, status: status, headers: headers, chunks: chunks,
            failure: failure, response: response, backoff: backoff, responseCap: responseCap)
    }
}
