#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCurl

/// libcurl's process-wide initialisation. `curl_global_init` is not thread-safe and must run
/// once before any other libcurl call; a Swift `static let` is initialised lazily exactly once
/// under `swift_once`, which gives both guarantees.
enum CurlGlobal {
    private static let result: CURLcode = {
        // With CURLOPT_NOSIGNAL set (required with threads), libcurl no longer shields the process
        // from SIGPIPE, and a TLS write to a connection the server closed would kill it. A write
        // to a closed socket must be an error the transfer reports, not the end of the run.
        signal(SIGPIPE, SIG_IGN)
        return ccurl_global_init_default()
    }()

    /// Whether libcurl initialised; forces the one-time initialisation on first use.
    static var isReady: Bool { result == CURLE_OK }
}
