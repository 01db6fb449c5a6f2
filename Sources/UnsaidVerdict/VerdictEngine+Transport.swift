import Foundation
import UnsaidTranscript

extension DecodedResponse {
    /// Whether the body held an event that was not JSON or bytes that were not UTF-8: evidence
    /// that what was scored is not quite what the server meant to send.
    var hasMalformedChunk: Bool {
        events.contains { $0.malformed != nil } || (protocolError?.contains("invalid UTF-8") ?? false)
    }
}
