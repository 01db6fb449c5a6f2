/// Why a loopback server could not be started.
package enum LoopbackServerError: Error, Equatable, CustomStringConvertible {
    /// The server only ever listens on the loopback interface; anything else is refused.
    case nonLoopbackHost(String)
    case invalidPort(Int)
    /// The socket was bound but reports no port (should not happen with TCP).
    case noBoundPort

    package var description: String {
        switch self {
        case .nonLoopbackHost(let host):
            return "refusing to listen on '\(host)': the replay server binds only to 127.0.0.0/8, ::1 or localhost"
        case .invalidPort(let port):
            return "invalid port \(port): expected 0 (any free port) through 65535"
        case .noBoundPort:
            return "the listening socket reported no port"
        }
    }
}
