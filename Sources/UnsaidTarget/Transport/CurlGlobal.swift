import CCurl

/// libcurl's process-wide initialisation. `curl_global_init` is not thread-safe and must run
/// once before any other libcurl call; a Swift `static let` is initialised lazily exactly once
/// under `swift_once`, which gives both guarantees.
enum CurlGlobal {
    private static let result: CURLcode = ccurl_global_init_default()

    /// Whether libcurl initialised; forces the one-time initialisation on first use.
    static var isReady: Bool { result == CURLE_OK }
}
