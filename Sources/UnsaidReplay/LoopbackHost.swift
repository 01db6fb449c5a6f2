import NIOCore

/// A host the server may listen on: an IPv4 address in 127.0.0.0/8, the IPv6 loopback ::1, or
/// "localhost" (pinned to 127.0.0.1 so it never depends on name resolution).
struct LoopbackHost: Equatable {
    /// The numeric address to bind.
    let address: String

    init(_ host: String) throws {
        if host.lowercased() == "localhost" {
            address = "127.0.0.1"
            return
        }
        // Only numeric addresses are accepted: parsing never resolves names.
        guard let parsed = try? SocketAddress(ipAddress: host, port: 0), Self.isLoopback(parsed) else {
            throw LoopbackServerError.nonLoopbackHost(host)
        }
        address = host
    }

    /// The authority part of a URL: IPv6 addresses go in brackets.
    var urlHost: String {
        address.contains(":") ? "[\(address)]" : address
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4):
            // sin_addr is in network byte order, so the first octet is the lowest byte in memory.
            let firstOctet = withUnsafeBytes(of: v4.address.sin_addr) { $0.first }
            return firstOctet == 127
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            return bytes == Array(repeating: 0, count: 15) + [1]
        default:
            return false
        }
    }
}
