#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain BSD sockets on 127.0.0.1 for transport tests that need a port with a known behaviour.
enum LoopbackSocket {
    /// A port where nothing listens, kept reserved: the socket stays bound (but never listens)
    /// until the caller closes it, so no server started by a parallel test can take the port
    /// and turn "dead" into "alive". Connecting gets ECONNREFUSED.
    static func deadPort() -> (fd: Int32, port: Int)? {
        bindEphemeral()
    }

    /// A socket that listens but never accepts or answers: the kernel completes the handshake,
    /// the client sends its request, and silence follows. Close the descriptor when done.
    static func silentListener() -> (fd: Int32, port: Int)? {
        guard let (fd, port) = bindEphemeral() else { return nil }
        guard listen(fd, 16) == 0 else {
            close(fd)
            return nil
        }
        return (fd, port)
    }

    private static func bindEphemeral() -> (Int32, Int)? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        var actual = sockaddr_in()
        var actualLength = length
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        guard bound == 0, named == 0 else {
            close(fd)
            return nil
        }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }
}
