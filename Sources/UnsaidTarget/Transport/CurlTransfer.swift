import CCurl
import UnsaidTranscript

/// One libcurl easy handle and everything that must live exactly as long as it: the header list,
/// the error buffer and the receiver its events go to (a stream the caller reads, or a collector).
///
/// Thread confinement instead of locks: the creating thread configures the handle, then hands it
/// to the event loop through the loop's lock-protected queue (which orders the two), and from
/// then on only the loop thread touches it — libcurl calls the write and header callbacks from
/// `curl_multi_perform` on that thread.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int
    /// `nil` once the transfer has ended: nothing is delivered after `.end`.
    private var receiver: TransferReceiver?
    private var headParser = ResponseHeadParser()
    private var headSent = false
    private var bytesReceived = false
    /// Monotonic microseconds when the transfer was created; every `t` is relative to it.
    let start: Int64
    private(set) var lastByteAt: Int64
    /// Microseconds without a byte after which the transfer counts as stalled. Once the answer
    /// has started, the loop checks it against its own clock on a short poll: libcurl's
    /// CURLOPT_LOW_SPEED_TIME (whole seconds, averaged) fired 6–7 s late. Before the first byte
    /// the low-speed limit still applies, with its slack, because the wait for the first byte
    /// is the model thinking (and a loaded loopback server scheduling) rather than a broken stream.
    private(set) var stallWindow: Int64?
    private var totalTimeout: Int64?
    /// Body bytes passed on so far, and the most that may be (`HTTPRequest.maxResponseBytes`).
    private var bodyBytes = 0
    private var responseCap: Int?
    /// The write callback stopped the transfer at the cap; libcurl then reports a write error,
    /// which here is not a failure but the cap doing its job.
    private var capped = false

    /// Returns `nil` when libcurl cannot even allocate a handle.
    init?(receiver: TransferReceiver) {
        guard CurlGlobal.isReady, let easy = curl_easy_init() else { return nil }
        self.easy = easy
        self.receiver = receiver
        errorBufferSize = Int(ccurl_error_size())
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
        start = MonotonicClock.nowMicros()
        lastByteAt = start
    }

    deinit {
        // By the time the last reference goes, the loop has removed the handle from its multi
        // handle (or it was never added), so nothing else can be using it.
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Applies the request's options. Returns a failure when libcurl rejects one of them.
    func configure(_ request: HTTPRequest) -> TransportFailure? {
        let me = Unmanaged.passUnretained(self).toOpaque()
        var codes: [CURLcode] = []
        codes.append(ccurl_setopt_string(easy, CURLOPT_URL, request.url))
        // Signals and threads do not mix; libcurl must never use SIGALRM for DNS timeouts.
        codes.append(ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        codes.append(ccurl_setopt_pointer(easy, CURLOPT_PRIVATE, me))
        codes.append(ccurl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        codes.append(ccurl_setopt_write_callback(easy, curlWriteCallback))
        codes.append(ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, me))
        codes.append(ccurl_setopt_header_callback(easy, curlHeaderCallback))
        codes.append(ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, me))
        // A proxy's "200 Connection established" block is not the server's answer.
        codes.append(ccurl_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))

        if let connect = request.connectTimeout {
            codes.append(ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, connect.roundedUpMilliseconds))))
        }
        if let total = request.totalTimeout {
            totalTimeout = total.microseconds
            codes.append(ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(max(1, total.roundedUpMilliseconds))))
        }
        if let stall = request.stallTimeout {
            stallWindow = max(1_000, stall.roundedUpMilliseconds * 1_000)
            let seconds = max(1, (stall.roundedUpMilliseconds + 999) / 1000)
            codes.append(ccurl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1))
            codes.append(ccurl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, Int(seconds)))
        }

        responseCap = request.maxResponseBytes.map { max(0, $0) }
        codes.append(contentsOf: configureMethod(request))

        var list: UnsafeMutablePointer<curl_slist>?
        var sawExpect = false
        for header in request.headers {
            let name = header.name.withoutLineBreaks
            let value = header.value.withoutLineBreaks
            if name.lowercased() == "expect" { sawExpect = true }
            // "Name;" is libcurl's spelling of a header with an empty value.
            list = curl_slist_append(list, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if request.body != nil, !sawExpect {
            // No "Expect: 100-continue" round trip: chat servers answer bodies directly, and
            // some stall a second waiting for a 100 that never comes.
            list = curl_slist_append(list, "Expect:")
        }
        headerList = list
        if let list { codes.append(ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, list)) }

        if let bad = codes.first(where: { $0 != CURLE_OK }) {
            return failure(code: bad, context: nil)
        }
        return nil
    }

    private func configureMethod(_ request: HTTPRequest) -> [CURLcode] {
        var codes: [CURLcode] = []
        let method = request.method.uppercased()
        switch method {
        case "GET" where request.body == nil:
            codes.append(ccurl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case "POST":
            codes.append(ccurl_setopt_long(easy, CURLOPT_POST, 1))
        default:
            codes.append(ccurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method))
        }
        if method == "POST" || request.body != nil {
            // Always give a POST an explicit body; without one libcurl would read it from stdin.
            let body = request.body ?? []
            codes.append(ccurl_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies, so the Swift array need not outlive this call.
            var bytes = body
            if bytes.isEmpty { bytes = [0] }
            codes.append(
                bytes.withUnsafeMutableBytes { ccurl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
        }
        return codes
    }

    // MARK: - Loop thread only

    func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        let now = MonotonicClock.nowMicros()
        lastByteAt = now
        bytesReceived = true
        if let head = headParser.feed(line: String(decoding: bytes, as: UTF8.self)) {
            headSent = true
            receiver?.deliver(.head(status: head.status, headers: head.headers))
        }
    }

    /// Passes a body read on; `false` tells libcurl to stop the transfer (the cap was reached).
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let now = MonotonicClock.nowMicros()
        lastByteAt = now
        bytesReceived = true
        sendPartialHeadIfNeeded()
        if let cap = responseCap, bodyBytes + bytes.count > cap {
            // Keep exactly the first `cap` bytes, then stop reading: a runaway answer must not
            // grow without bound in memory or in the archive.
            let kept = cap - bodyBytes
            if kept > 0 { receiver?.deliverBody(UnsafeRawBufferPointer(rebasing: bytes.prefix(kept)), t: now - start) }
            bodyBytes = cap
            capped = true
            return false
        }
        bodyBytes += bytes.count
        receiver?.deliverBody(bytes, t: now - start)
        return true
    }

    /// libcurl reported the transfer done; the handle is already out of the multi handle.
    func complete(code: CURLcode) {
        var failure: TransportFailure?
        if capped, let cap = responseCap {
            receiver?.deliver(.capped(limit: cap))
        } else if code == CURLE_OK {
            sendPartialHeadIfNeeded()
        } else {
            let now = MonotonicClock.nowMicros()
            let context = CurlFailureClassifier.Context(
                connected: wasConnected, idle: now - lastByteAt, stallWindow: stallWindow,
                elapsed: now - start, totalTimeout: totalTimeout)
            failure = self.failure(code: code, context: context)
        }
        end(failure)
    }

    /// Whether no byte has come for longer than the stall window (loop thread only).
    func isStalled(now: Int64) -> Bool {
        guard let stallWindow, bytesReceived else { return false }
        return now - lastByteAt >= stallWindow
    }

    /// Ends a transfer the loop cut as stalled; it is already out of the multi handle.
    func cutStalled(now: Int64) {
        sendPartialHeadIfNeeded()
        end(stallFailure(now: now))
    }

    /// The failure for a transfer the loop cut as stalled.
    private func stallFailure(now: Int64) -> TransportFailure {
        let idle = Double(now - lastByteAt) / 1_000_000
        let window = Double(stallWindow ?? 0) / 1_000_000
        // Code 28 (operation timed out), as libcurl reports its own stall cut.
        return TransportFailure(
            kind: .stall, message: String(format: "no byte for %.1f s (stall timeout %.1f s)", idle, window),
            curlCode: CurlFailureClassifier.timedOut)
    }

    /// Ends the stream without libcurl's verdict: the consumer went away or the loop shut down.
    func end(_ failure: TransportFailure?) {
        receiver?.deliver(.end(failure))
        receiver?.finish()
        // Dropping a stream's continuation also drops the stream's termination handler.
        receiver = nil
    }

    private var wasConnected: Bool {
        if bytesReceived { return true }
        var connect = 0.0
        var pretransfer = 0.0
        _ = ccurl_getinfo_double(easy, CURLINFO_CONNECT_TIME, &connect)
        _ = ccurl_getinfo_double(easy, CURLINFO_PRETRANSFER_TIME, &pretransfer)
        return connect > 0 || pretransfer > 0
    }

    private func sendPartialHeadIfNeeded() {
        guard !headSent else { return }
        headSent = true
        if let head = headParser.partialHead {
            receiver?.deliver(.head(status: head.status, headers: head.headers))
        } else {
            var status = 0
            _ = ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            receiver?.deliver(.head(status: status, headers: []))
        }
    }

    private func failure(code: CURLcode, context: CurlFailureClassifier.Context?) -> TransportFailure {
        let number = Int(code.rawValue)
        let detail = String(cString: errorBuffer)
        let message = CurlFailureClassifier.message(strerror: String(cString: curl_easy_strerror(code)), detail: detail)
        let kind = context.map { CurlFailureClassifier.kind(code: number, context: $0) } ?? .protocol
        return TransportFailure(kind: kind, message: message, curlCode: number)
    }
}

extension String {
    fileprivate var withoutLineBreaks: String {
        String(unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
    }
}

// libcurl calls these from `curl_multi_perform` on the loop thread. `userdata` is the transfer,
// passed unretained: the loop's table of active transfers keeps it alive while the handle is in
// the multi handle, which is the only time libcurl can call back.

private let curlWriteCallback: ccurl_data_callback = { data, size, count, userdata in
    let length = size * count
    guard let data, let userdata else { return length }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    // Any value other than `length` makes libcurl abort the transfer with CURLE_WRITE_ERROR.
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private let curlHeaderCallback: ccurl_data_callback = { data, size, count, userdata in
    let length = size * count
    guard let data, let userdata else { return length }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
