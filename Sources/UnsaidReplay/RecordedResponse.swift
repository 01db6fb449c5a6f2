import Foundation
import UnsaidSupport
import UnsaidTranscript

/// Turns a recorded attempt into the `ScriptedResponse` that replays it: the recorded status,
/// headers and body chunks byte for byte, each chunk after its recorded gap scaled by the speed,
/// with faults applied on top. Pure, so every fault's effect on the bytes can be tested without
/// a socket.
package enum RecordedResponse {
    /// Headers that describe the original connection or framing, not the answer; the replay
    /// sets its own framing.
    private static let hopByHop: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding",
        "proxy-connection", "upgrade", "trailer", "te",
    ]

    /// The event a runaway stream repeats for `huge-body`.
    static let runawayEvent = Array(
        ("data: {\"id\":\"unsaid-fault\",\"object\":\"chat.completion.chunk\",\"choices\":"
            + "[{\"index\":0,\"delta\":{\"content\":\"all work and no play \"},\"finish_reason\":null}]}\n\n").utf8)

    private static let whitespaceUnit = [UInt8](repeating: 0x20, count: 65_536)

    /// The header naming the recording that answered, so a person reading `curl -i` knows.
    static let recordingHeader = "X-Unsaid-Recording"

    static func make(
        _ attempt: Attempt, streamed: Bool, name: String, speed: ReplaySpeed,
        faults: [ReplayFault]
    ) -> ScriptedResponse {
        if let status = faults.lazy.compactMap(statusFault).first {
            return apply(
                transportFault(in: faults, body: []), to: errorResponse(status: status.0, retryAfter: status.1))
        }
        var previous: Int64 = 0
        let parts: [ScriptedPart] = attempt.chunks.map { chunk in
            defer { previous = chunk.t }
            return .bytes([UInt8](chunk.bytes), delay: speed.scaled(micros: chunk.t - previous))
        }
        var headers = attempt.headers.filter { !hopByHop.contains($0.name.lowercased()) }
        headers.removeAll { $0.name.caseInsensitiveCompare(recordingHeader) == .orderedSame }
        let contentType = headers.first(named: "Content-Type")
        let recordedBytes = parts.flatMap { part -> [UInt8] in
            if case .bytes(let bytes, _) = part { return bytes }
            return []
        }
        let isEventStream =
            contentType.map { $0.lowercased().contains("event-stream") }
            ?? (streamed && !startsLikeJSON(recordedBytes))
        if contentType == nil {
            headers.append(
                HTTPHeader(name: "Content-Type", value: isEventStream ? "text/event-stream" : "application/json"))
        }
        headers.append(HTTPHeader(name: recordingHeader, value: asciiHeaderValue(name)))

        var body = BodyParts(parts)
        for fault in faults {
            edit(&body, with: fault.kind, isEventStream: isEventStream)
        }
        // A recording with a length keeps one (the bytes may have changed); a chunked one stays chunked.
        if attempt.headers.first(named: "Content-Length") != nil {
            let length = body.parts.reduce(0) { $0 + $1.byteCount }
            headers.append(HTTPHeader(name: "Content-Length", value: String(length)))
        }
        let response = ScriptedResponse(status: attempt.status ?? 200, headers: headers, parts: body.parts)
        return apply(transportFault(in: faults, body: body.bytes), to: response)
    }

    /// A fault implied by how the recorded attempt ended, when no fault was asked for: a stream the
    /// connection cut is cut again, one that stalled stalls again (until the client gives up).
    static func impliedFaults(for attempt: Attempt) -> [ReplayFault] {
        switch attempt.failure?.kind {
        case .network?, .cancelled?:
            return [ReplayFault(.cut)]
        case .stall?, .timeout?:
            return [ReplayFault(.stall(seconds: 3_600, afterBytes: Int.max))]
        default:
            return []
        }
    }

    /// An OpenAI-style error answer for an injected status.
    static func errorResponse(status: Int, retryAfter: String?) -> ScriptedResponse {
        let type: String
        switch status {
        case 429: type = "rate_limit_error"
        case 500...: type = "server_error"
        default: type = "invalid_request_error"
        }
        let error: JSONValue = .object([
            "error": .object([
                "message": .string("injected by \(ReplayFault.headerName): HTTP \(status)"),
                "type": .string(type),
                "code": .int(Int64(status)),
            ])
        ])
        var response = ScriptedResponse.json(status, error.compactDescription)
        if let retryAfter {
            response.headers.append(HTTPHeader(name: "Retry-After", value: retryAfter))
        }
        return response
    }

    // MARK: - Faults

    private static func statusFault(_ fault: ReplayFault) -> (Int, String?)? {
        if case .status(let code, let retryAfter) = fault.kind { return (code, retryAfter) }
        return nil
    }

    private static func edit(_ body: inout BodyParts, with kind: ReplayFault.Kind, isEventStream: Bool) {
        let bytes = body.bytes
        switch kind {
        case .noDone:
            for marker in ["data: [DONE]", "data:[DONE]"] {
                guard let start = bytes.firstOffset(of: Array(marker.utf8)) else { continue }
                body.remove(start..<(bytes.endOfEvent(from: start) ?? bytes.count))
                return
            }
        case .malformedChunk:
            if isEventStream {
                let event = Array(
                    "data: {\"id\":\"unsaid-fault\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\n\n".utf8)
                body.insert(event, at: bytes.endOfEvent(from: 0) ?? bytes.count)
            } else if let last = bytes.lastIndex(where: { !isJSONWhitespace($0) }) {
                body.remove(last..<(last + 1))
            }
        case .invalidUTF8:
            let offset = bytes.firstOffset(of: Array("\"content\":\"".utf8)).map { $0 + 11 } ?? 0
            body.insert([0xC3, 0x28], at: offset)
        case .hugeBody(let size):
            if isEventStream {
                let unit = runawayEvent
                // Whole events only, so the recorded events after it still parse.
                let total = max(1, size / unit.count) * unit.count
                body.insert(.repeated(unit, totalBytes: total), at: bytes.endOfEvent(from: 0) ?? bytes.count)
            } else {
                // Whitespace before the closing brace keeps the document valid JSON. A unit as
                // long as a write keeps the server from copying byte by byte.
                let offset = bytes.lastIndex(of: UInt8(ascii: "}")) ?? bytes.count
                body.insert(.repeated(whitespaceUnit, totalBytes: size), at: offset)
            }
        case .closeAfter, .cut, .reset, .stall, .drip, .noFinalNewline, .status:
            break
        }
    }

    /// The connection-level fault, if one was asked for. `body` locates "after the first event".
    private static func transportFault(in faults: [ReplayFault], body: [UInt8]) -> Fault? {
        for fault in faults {
            switch fault.kind {
            case .closeAfter(let bytes): return .closeAfter(bytes: bytes)
            case .cut: return .closeAfter(bytes: Int.max)
            case .reset(let afterBytes?): return .reset(afterBytes: afterBytes)
            case .reset(nil): return .resetImmediately
            case .stall(let seconds, let afterBytes):
                return .stall(afterBytes: afterBytes ?? body.endOfEvent(from: 0) ?? body.count / 2, seconds: seconds)
            case .drip(let intervalMs): return .drip(intervalMs: intervalMs)
            case .noFinalNewline: return .noFinalNewline
            default: continue
            }
        }
        return nil
    }

    private static func apply(_ fault: Fault?, to response: ScriptedResponse) -> ScriptedResponse {
        fault.map { response.with(fault: $0) } ?? response
    }

    private static func startsLikeJSON(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first(where: { !isJSONWhitespace($0) }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func asciiHeaderValue(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? Character($0) : "?" })
    }
}
