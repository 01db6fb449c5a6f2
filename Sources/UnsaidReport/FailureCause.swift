import Foundation
import UnsaidSupport
import UnsaidTranscript

/// Why a request ended in `error`, said in a few words a person at a terminal can act on:
/// `connection refused`, `HTTP 401: invalid api key`, `stall after 60 s`.
///
/// Derived from the transcript alone (the final attempt's failure, status, body and chunk
/// arrival times), so a report of an old archive says the same as the run did.
package enum FailureCause {
    package static func describe(_ transcript: Transcript) -> String {
        guard let attempt = transcript.finalAttempt else { return "no attempt was made" }
        if let status = attempt.httpErrorStatus {
            return http(status: status, attempt: attempt)
        }
        guard let failure = attempt.failure else {
            if let problem = attempt.response.protocolError { return "unreadable response: \(oneLine(problem))" }
            return "no usable answer"
        }
        let message = oneLine(failure.message)
        switch failure.kind {
        case .connect:
            // libcurl's CURLE_COULDNT_CONNECT (7) well inside the connect timeout is a refusal:
            // the host answered with a reset. A silent host times out instead (code 28).
            if failure.curlCode == 7 || message.lowercased().contains("refused") {
                return "connection refused" + (peer(in: message).map { " (\($0))" } ?? "")
            }
            return "cannot connect: \(message)"
        case .dns: return "host not found: \(message)"
        case .tls: return "TLS failure: \(message)"
        case .stall: return "stall after \(seconds(idle(attempt))) s"
        case .timeout: return "timeout after \(seconds(attempt.elapsed)) s"
        case .http: return message
        case .protocol: return "unreadable response: \(message)"
        case .network: return "connection broke: \(message)"
        case .cancelled: return "cancelled (interrupted)"
        }
    }

    /// A short label of an attempt that was retried, for the retry tally (`HTTP 429`, `connect`).
    package static func retryReason(_ attempt: Attempt) -> String {
        if let status = attempt.httpErrorStatus { return "HTTP \(status)" }
        if let failure = attempt.failure { return failure.kind.rawValue }
        return "other"
    }

    /// `127.0.0.1 port 9` out of libcurl's "Failed to connect to 127.0.0.1 port 9 after 0 ms: …".
    private static func peer(in message: String) -> String? {
        guard let start = message.range(of: "connect to ") else { return nil }
        let rest = message[start.upperBound...]
        let end = rest.range(of: " after ")?.lowerBound ?? rest.range(of: ":")?.lowerBound ?? rest.endIndex
        let peer = rest[..<end].trimmingCharacters(in: .whitespaces)
        return peer.isEmpty ? nil : peer
    }

    private static func http(status: Int, attempt: Attempt) -> String {
        if let message = attempt.response.errors.first?.message, !message.isEmpty {
            return "HTTP \(status): \(Excerpt.of(message, length: 100))"
        }
        let body = String(decoding: attempt.chunks.joinedBytes, as: UTF8.self)
        let excerpt = Excerpt.of(body, length: 100)
        return excerpt.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(excerpt)"
    }

    /// Microseconds without a byte at the end of the attempt: the stall that ended it.
    private static func idle(_ attempt: Attempt) -> Int64 {
        attempt.elapsed - (attempt.chunks.last?.t ?? 0)
    }

    private static func seconds(_ microseconds: Int64) -> String {
        let value = Double(microseconds) / 1_000_000
        return value >= 10 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    private static func oneLine(_ text: String) -> String { Excerpt.of(text, length: 160) }
}
