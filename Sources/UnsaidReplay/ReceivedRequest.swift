import UnsaidCore

/// One complete request as the loopback server read it off the wire, handed to the script handler.
public struct ReceivedRequest: Sendable, Equatable {
    public var method: String
    public var uri: String
    /// In the order the client sent them, repeats kept.
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [HTTPHeader], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }
}
