import Foundation
import UnsaidSupport

/// Turns the raw bytes of one attempt into a `DecodedResponse`. Pure: the same chunks always
/// decode to the same value, which is what makes offline re-scoring possible.
///
/// Decoding never gives up early: what could be read is kept (it is the evidence), and what could
/// not is described in `protocolError`.
package enum ChatResponseDecoder {
    package static func decode(chunks: [WireChunk], streamed: Bool) -> DecodedResponse {
        decodeLocatingEvents(chunks: chunks, streamed: streamed).response
    }

    /// Decodes, and also says where in the joined chunk bytes each event of a stream lay
    /// (`eventRanges[event.index]`; nil for a JSON document or an unreadable body). Redaction
    /// uses it to rewrite the events a secret was spread over.
    package static func decodeLocatingEvents(
        chunks: [WireChunk], streamed: Bool
    )
        -> (response: DecodedResponse, eventRanges: [Range<Int>?])
    {
        // A streamed answer is read chunk by chunk: the joined body (a copy of every byte, ~38 KB
        // an answer) is made only for what needs it whole, which a well-formed stream never does.
        var joinedBody: [UInt8]?
        func body() -> [UInt8] {
            if let joinedBody { return joinedBody }
            let body = joined(chunks)
            joinedBody = body
            return body
        }
        var problems = ProblemLog()
        // Checked on the whole body because a multi-byte character may straddle two chunks. A
        // body of chunks that were each kept as text is valid already: UTF-8 joined to UTF-8
        // stays valid, so only a body with a base64 chunk is scanned.
        if !chunks.allSatisfy({ $0.text != nil }), let offset = UTF8Validation.firstInvalidOffset(in: body()) {
            problems.note("invalid UTF-8 at byte \(offset)")
        }

        var response: DecodedResponse
        var ranges: [Range<Int>?] = []
        let first = firstSignificantByte(of: chunks)
        if first == nil {
            response = DecodedResponse()
            problems.note("empty body")
        } else if streamed && !isJSONDocumentStart(first) {
            (response, ranges) = decodeStream(chunks, body: body, problems: &problems)
        } else {
            // Not streamed, or a server that ignored `stream: true` / answered with an error body.
            response = decodeDocument(body(), t: chunks.last?.t ?? 0, problems: &problems)
        }
        response.protocolError = problems.message
        ranges += Array(repeating: nil, count: max(0, response.events.count - ranges.count))
        return (response, ranges)
    }

    /// The whole body in one array (one copy of each chunk, where going through `Data` made
    /// three).
    private static func joined(_ chunks: [WireChunk]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(byteCount(of: chunks))
        for chunk in chunks {
            chunk.withBytes { body.append(contentsOf: $0) }
        }
        return body
    }

    private static func byteCount(of chunks: [WireChunk]) -> Int {
        chunks.reduce(0) { $0 + $1.byteCount }
    }

    // MARK: - Streamed

    private static func decodeStream(
        _ chunks: [WireChunk], body: () -> [UInt8],
        problems: inout ProblemLog
    ) -> (DecodedResponse, [Range<Int>?]) {
        var parser = SSEParser()
        var assembler = ResponseAssembler(format: .sse)
        // The text decoded from a body is never longer than the body. Appended event by event to
        // a string that grew by doubling, a 16 MiB answer was held one and a half times over;
        // room that large is mapped on demand, so what is never written is never resident.
        let bodyCount = byteCount(of: chunks)
        assembler.response.content.reserveCapacity(bodyCount)
        // One range per chat event; some SSE events (pings, vendor events) make no chat event.
        var ranges: [Range<Int>?] = []
        var template: ChatChunkReader.ChunkTemplate?
        for (chunkIndex, chunk) in chunks.enumerated() {
            // Only the time goes into the handler: a captured chunk was copied, optional strings
            // and all, for every event.
            let t = chunk.t
            chunk.withBytes { bytes in
                parser.feed(bytes, chunkIndex: chunkIndex) { event in
                    let before = assembler.response.events.count
                    take(event, t: t, into: &assembler, template: &template, problems: &problems)
                    if assembler.response.events.count > before {
                        ranges.append(event.range)
                        if before == 0 {
                            let room = expectedEventCount(bodyCount: bodyCount, first: event.range)
                            assembler.response.events.reserveCapacity(room)
                            ranges.reserveCapacity(room)
                        }
                    }
                }
            }
        }
        let leftover = parser.finish()
        let isEventStream = parser.sawEventStreamLine || startsLikeEventStream(body())

        if assembler.response.events.isEmpty && !isEventStream {
            problems.note("body is neither SSE nor JSON")
            assembler.add(
                ChatEvent(
                    index: 0, t: chunks.last?.t ?? 0,
                    malformed: String(decoding: body(), as: UTF8.self)))
            assembler.response.bodyFormat = nil
        } else if leftover {
            assembler.response.unterminatedEvent = true
        }
        return (assembler.response, ranges)
    }

    /// Room for a stream's events, guessed from its first: the events grew an array of ~190-byte
    /// values by doubling (eight copies for 200 events, 1.3% of a streamed run). Streams send
    /// events of much the same size, and the first (a role chunk, usually) is a little longer
    /// than the text chunks after it, so half as many again as its size suggests covers nearly
    /// every stream at once; a stream that needs more grows by doubling as before. Capped so a
    /// tiny first event of a huge body cannot ask for megabytes up front.
    static func expectedEventCount(bodyCount: Int, first: Range<Int>) -> Int {
        let rest = max(0, bodyCount - first.upperBound) / max(1, first.count)
        return min(1 + rest + rest / 2 + 1, 1 << 14)
    }

    private static func take(
        _ event: SSEDispatchedEvent, t: Int64, into assembler: inout ResponseAssembler,
        template: inout ChatChunkReader.ChunkTemplate?, problems: inout ProblemLog
    ) {
        let index = assembler.nextIndex
        switch event.type {
        case "message":
            // Nearly every event is a JSON object whose first and last bytes are ASCII and not
            // whitespace (so trimming would leave it as it is): read from its bytes, without a
            // `String` of its data. That reads what the text would: decoding repairs ill-formed
            // UTF-8 within runs of non-ASCII bytes, and the reader's decisions are made on ASCII.
            // Nothing but these six bytes equals "[DONE]": no other text is canonically
            // equivalent to it.
            let bytes = event.data
            let plain =
                if let first = bytes.first, let last = bytes.last {
                    first < 0x80 && last < 0x80 && !isASCIIWhitespace(first) && !isASCIIWhitespace(last)
                } else {
                    false
                }
            if plain {
                if bytes.elementsEqual(doneBytes) {
                    assembler.add(ChatEvent(index: index, t: t, done: true))
                    assembler.response.sawDone = true
                    return
                }
                // Most chunks of a stream are the one before with new text: the event is made
                // here from the template and that text (see `ChunkTemplate`).
                if let known = template, let content = known.content(of: bytes) {
                    assembler.add(known.event(index: index, t: t, content: content), usage: known.usage)
                    return
                }
                // The template (if any) does not fit: read in full, without asking it again.
                if let reading = ChatChunkReader.readCommonChunkInFull(bytes, index: index, t: t, template: &template) {
                    assembler.add(reading)
                    return
                }
            }
            take(
                message: String(decoding: bytes, as: UTF8.self), readCommon: !plain, t: t, into: &assembler,
                problems: &problems)
        case "error":
            let data = String(decoding: event.data, as: UTF8.self)
            // Anthropic-style `event: error`; its data may wrap the error (`{"type":"error","error":{…}}`).
            let error: ProviderError
            if let value = JSONParser.parse(data) {
                let inner = value["error"].flatMap { $0.isNull ? nil : $0 } ?? value
                error =
                    ChatChunkReader.providerError(inner, eventIndex: index)
                    ?? ProviderError(code: nil, message: nil, type: nil, eventIndex: index, raw: value)
            } else {
                error = ProviderError(
                    code: nil, message: data, type: nil, eventIndex: index,
                    raw: .string(data))
            }
            assembler.add(ChatEvent(index: index, t: t, error: error))
        default:
            // Other named events (pings, vendor extensions) are not part of the chat answer.
            break
        }
    }

    private static let doneBytes: [UInt8] = Array("[DONE]".utf8)

    /// A `message` event read from its text: one the byte path above declined (`readCommon`
    /// false: the common shape was tried on these very bytes and did not fit), or one whose data
    /// opens or ends with whitespace or a non-ASCII byte.
    private static func take(
        message data: String, readCommon: Bool, t: Int64, into assembler: inout ResponseAssembler,
        problems: inout ProblemLog
    ) {
        let index = assembler.nextIndex
        let trimmed = trimmedData(data)
        if trimmed == "[DONE]" {
            assembler.add(ChatEvent(index: index, t: t, done: true))
            assembler.response.sawDone = true
        } else if trimmed.isEmpty {
            // A keep-alive with an empty data line: nothing said, nothing wrong.
            assembler.add(ChatEvent(index: index, t: t))
        } else if readCommon, let reading = ChatChunkReader.readCommonChunk(data, index: index, t: t) {
            assembler.add(reading)
        } else if let object = JSONParser.parse(data)?.objectValue {
            let reading = ChatChunkReader.read(object, index: index, t: t, streamed: true, errorEventIndex: index)
            assembler.add(reading)
        } else {
            problems.noteMalformedEvent("event \(index) is not a JSON object")
            assembler.add(ChatEvent(index: index, t: t, malformed: data))
        }
    }

    /// The event's data without surrounding whitespace. Nearly every event is a JSON object
    /// whose first and last bytes are ASCII and not whitespace: it is returned as it is, because
    /// Foundation's trimming (through NSString on Linux) cost a fifth of a streamed run's time.
    /// Anything else is trimmed exactly as before.
    static func trimmedData(_ data: String) -> String {
        let bytes = data.utf8
        if let first = bytes.first, let last = bytes.last,
            first < 0x80, last < 0x80, !isASCIIWhitespace(first), !isASCIIWhitespace(last)
        {
            return data
        }
        return data.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Tab, LF, VT, FF, CR and space: the ASCII members of `.whitespacesAndNewlines`.
    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    // MARK: - One JSON document

    private static func decodeDocument(_ body: [UInt8], t: Int64, problems: inout ProblemLog) -> DecodedResponse {
        var assembler = ResponseAssembler(format: .json)
        // Lossy on purpose: an invalid byte inside a string should not hide the rest of the answer.
        let text = String(
            decoding: body.starts(with: utf8BOM) ? body.dropFirst(utf8BOM.count) : body[...],
            as: UTF8.self)
        let value = JSONParser.parse(text)
        guard let object = value?.objectValue else {
            // Kept whole as the one event: a proxy's HTML page or plain-text error is evidence too.
            problems.note(value == nil ? "body is not JSON" : "body is not a JSON object")
            assembler.add(ChatEvent(index: 0, t: t, malformed: text))
            assembler.response.bodyFormat = nil
            return assembler.response
        }
        let reading = ChatChunkReader.read(object, index: 0, t: t, streamed: false, errorEventIndex: nil)
        assembler.add(reading)
        return assembler.response
    }

    // MARK: - Sniffing

    private static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The first byte after an optional BOM and JSON/SSE whitespace, nil for an empty body.
    static func firstSignificantIndex(of body: [UInt8]) -> Int? {
        var index = body.starts(with: utf8BOM) ? utf8BOM.count : 0
        while index < body.count {
            switch body[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return nil
    }

    /// What `firstSignificantIndex(of:)` finds in the joined chunks, read from the chunks as
    /// they are (no copy of the body).
    static func firstSignificantByte(of chunks: [WireChunk]) -> UInt8? {
        // The BOM is skipped only when the whole body starts with it, which may span chunks.
        var matched = 0
        var mismatched = false
        for chunk in chunks where matched < utf8BOM.count && !mismatched {
            chunk.withBytes { bytes in
                for byte in bytes.prefix(utf8BOM.count - matched) {
                    guard byte == utf8BOM[matched] else {
                        mismatched = true
                        return
                    }
                    matched += 1
                }
            }
        }
        var skip = matched == utf8BOM.count ? matched : 0
        for chunk in chunks {
            let found: UInt8? = chunk.withBytes { bytes in
                let start = min(skip, bytes.count)
                skip -= start
                for byte in bytes[start...] {
                    switch byte {
                    case 0x20, 0x09, 0x0A, 0x0D: continue
                    default: return byte
                    }
                }
                return nil
            }
            if let found { return found }
        }
        return nil
    }

    /// A body opening with `{` or `[` is a JSON document: no SSE line can usefully start that way.
    private static func isJSONDocumentStart(_ first: UInt8?) -> Bool {
        first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// Whether the body opens with a comment or a known field, for a stream cut before its first
    /// line ended (the parser has then seen no complete line).
    private static func startsLikeEventStream(_ body: [UInt8]) -> Bool {
        guard let start = firstSignificantIndex(of: body) else { return false }
        let head = body[start...]
        return [":", "data", "event", "id", "retry"].contains { field in
            let name = Array(field.utf8)
            return head.starts(with: name) || (head.count < name.count && name.starts(with: head))
        }
    }
}

/// Builds a `DecodedResponse` event by event, keeping the assembled text in step with the events.
private struct ResponseAssembler {
    var response: DecodedResponse

    init(format: BodyFormat) {
        response = DecodedResponse(bodyFormat: format)
    }

    var nextIndex: Int { response.events.count }

    /// Takes the event (moved into the list, not copied). Each field is tested for nil before
    /// it is bound: binding copies an optional through its type's value witnesses even when it
    /// is nil, and most fields of most events are.
    mutating func add(_ event: consuming ChatEvent, usage: consuming JSONValue? = nil) {
        if event.content != nil, let content = event.content { response.content += content }
        if event.reasoning != nil, let reasoning = event.reasoning { response.reasoning += reasoning }
        if event.refusal != nil, let refusal = event.refusal { response.refusal += refusal }
        if event.finishReason != nil, let reason = event.finishReason { response.finishReason = reason }
        // A pattern, not `!= nil`: comparing an optional error with nil copied it first.
        if case .some(let error) = event.error { response.errors.append(error) }
        if usage != nil, let usage { response.usage = usage }
        response.events.append(event)
    }

    mutating func add(_ reading: consuming ChatChunkReader.Reading) {
        add(reading.event, usage: reading.usage)
    }
}

/// The problems found in a body, at most one of each kind, in the order found.
private struct ProblemLog {
    private var notes: [String] = []
    private var sawMalformedEvent = false

    mutating func note(_ problem: String) {
        notes.append(problem)
    }

    /// Only the first malformed event is described; the rest are visible in the events.
    mutating func noteMalformedEvent(_ problem: String) {
        guard !sawMalformedEvent else { return }
        sawMalformedEvent = true
        notes.append(problem)
    }

    var message: String? {
        notes.isEmpty ? nil : notes.joined(separator: "; ")
    }
}
