import UnsaidTranscript

/// One complete request as the loopback server read it off the wire, handed to the script handler.
package struct ReceivedRequest: Sendable, Equatable {
    package var method: String
    package var uri: String
    /// In the order the client sent them, repeats kept.
    package var headers: [HTTPHeader]
    package var body: [UInt8]

    package init(method: String, uri: String, headers: [HTTPHeader], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }
}
