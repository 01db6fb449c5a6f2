/// Reason phrases for failure messages. HTTP/2 has no reason phrase on the wire, so messages use
/// the standard one rather than whatever a server put on an HTTP/1.1 status line.
enum HTTPStatusText {
    static func phrase(for status: Int) -> String? {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 451: "Unavailable For Legal Reasons"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: nil
        }
    }

    /// "HTTP 429 Too Many Requests", or "HTTP 599" for a status without a standard phrase.
    static func message(for status: Int) -> String {
        phrase(for: status).map { "HTTP \(status) \($0)" } ?? "HTTP \(status)"
    }
}
