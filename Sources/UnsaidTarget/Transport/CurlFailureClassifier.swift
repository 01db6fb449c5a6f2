import Foundation
import UnsaidTranscript

/// Maps a libcurl result code to the failure an auditor can act on. Pure, so the mapping is
/// tested without provoking each error on a real socket.
package enum CurlFailureClassifier {
    /// What the transfer knew when libcurl gave up; only `CURLE_OPERATION_TIMEDOUT` needs it.
    struct Context: Sendable {
        /// Whether a connection was ever established.
        var connected: Bool
        /// Microseconds since the last byte (header or body) arrived, or since the transfer
        /// started when none did.
        var idle: Int64
        /// The stall window the transfer ran with, in microseconds.
        var stallWindow: Int64?
        /// Microseconds since the transfer started.
        var elapsed: Int64
        /// The total timeout the transfer ran with, in microseconds.
        var totalTimeout: Int64?

        init(connected: Bool, idle: Int64, stallWindow: Int64?, elapsed: Int64 = 0, totalTimeout: Int64? = nil) {
            self.connected = connected
            self.idle = idle
            self.stallWindow = stallWindow
            self.elapsed = elapsed
            self.totalTimeout = totalTimeout
        }
    }

    static let dnsCodes: Set<Int> = [5, 6]
    static let connectCodes: Set<Int> = [7]
    static let tlsCodes: Set<Int> = [35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91]
    /// Connection closed or reset mid-exchange: partial file, empty reply, recv/send errors,
    /// weird server reply, HTTP/2 framing errors.
    static let networkCodes: Set<Int> = [8, 16, 18, 52, 55, 56, 92]
    static let timedOut = 28

    static func kind(code: Int, context: Context) -> FailureKind {
        if dnsCodes.contains(code) { return .dns }
        if connectCodes.contains(code) { return .connect }
        if tlsCodes.contains(code) { return .tls }
        if networkCodes.contains(code) { return .network }
        if code == timedOut {
            return timeoutKind(context)
        }
        // Malformed URL, unsupported protocol, callback aborts and the like: configuration or
        // protocol problems another attempt would not fix.
        return .protocol
    }

    /// `CURLE_OPERATION_TIMEDOUT` covers three limits; which one tripped decides what it means.
    private static func timeoutKind(_ context: Context) -> FailureKind {
        // A connect timeout says nothing about the model and belongs with the other connect
        // failures (and is retried like them).
        guard context.connected else { return .connect }
        // libcurl checks the low-speed limit about once a second, so allow a little slack below
        // the window before deciding that the silence is what tripped it.
        let slack: (Int64) -> Int64 = { min($0 / 10, 500_000) }
        if let window = context.stallWindow, context.idle >= window - slack(window) {
            return .stall
        }
        if let total = context.totalTimeout, context.elapsed >= total - slack(total) {
            return .timeout
        }
        // Neither the silence nor the total limit explains it: the low-speed check fired on a
        // trickle (libcurl averages the rate over a few seconds, so bytes dribbling in slower
        // than 1 B/s also count as stalled).
        return context.stallWindow == nil ? .timeout : .stall
    }

    /// Joins libcurl's generic text for the code with the detail from the error buffer.
    static func message(strerror: String, detail: String) -> String {
        let detail = detail.trimmingCharacters(in: .whitespacesAndNewlines)
        if detail.isEmpty || detail == strerror { return strerror }
        return "\(strerror): \(detail)"
    }
}
