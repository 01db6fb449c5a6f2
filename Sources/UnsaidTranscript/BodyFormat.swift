import Foundation

/// How a body was read. A streamed request can still get a plain JSON body back (a server that
/// ignores `stream: true`, or an HTTP error body), and the difference matters when comparing answers.
package enum BodyFormat: String, Codable, Sendable, Equatable {
    /// `text/event-stream` events.
    case sse
    /// One JSON document.
    case json
}
