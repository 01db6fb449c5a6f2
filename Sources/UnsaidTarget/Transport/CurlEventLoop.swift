import CCurl
import Foundation
import Synchronization
import UnsaidSupport
import UnsaidTranscript

/// One thread driving one libcurl multi handle, shared by every request sent through it.
///
/// Callers never touch libcurl: `stream(_:)` configures an easy handle and drops it in a
/// lock-protected inbox, `curl_multi_wakeup` interrupts the loop's `curl_multi_poll`, and the loop
/// thread adds it, runs it with `curl_multi_perform`, and reports what arrives through an
/// `AsyncStream`. However many requests run, there is one thread (no thread per request) and
/// libcurl state is only ever used from it.
///
/// A loop lives until `shutdown()`; the shared instance lives for the whole process.
package final class CurlEventLoop: @unchecked Sendable {
    /// The process-wide loop `ChatClient` uses by default.
    package static let shared = CurlEventLoop(name: "unsaid.curl.shared")

    /// What callers ask of the loop thread (internal for the inbox's tests, which submit from
    /// threads of their own).
    enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
        case inspect(@Sendable (Int) -> Void)
    }

    private struct Inbox {
        var commands: [Command] = []
        var stopping = false
        /// Set by the loop thread just before it frees the multi handle; nothing may wake it after.
        var closed = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    /// Submitters that were let in by the inbox and have yet to return from `curl_multi_wakeup`,
    /// which they call after unlocking it. Counted under the lock, so once the loop has closed the
    /// inbox it only has to wait for this to reach zero before freeing the multi handle.
    private let wakersInFlight = Atomic<Int>(0)
    /// Transfers whose handles are in the multi handle. Loop thread only. Holding them here is
    /// what keeps the unretained pointers libcurl passes to the callbacks valid.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// Starts the loop's thread.
    package init(name: String = "unsaid.curl") {
        precondition(CurlGlobal.isReady, "curl_global_init failed")
        guard let multi = curl_multi_init() else {
            preconditionFailure("curl_multi_init failed (out of memory)")
        }
        self.multi = multi
        // Keep every connection a run has opened for the next request. libcurl's default cache
        // holds four per transfer in the multi handle *at that moment*: whenever most of a run's
        // requests were between transfers (being scored, written), finished connections were
        // closed and the next requests opened new ones — 178 connections for 2,000 requests at
        // concurrency 16 on loopback, each a TCP (and, against a provider, a TLS) handshake.
        // Idle connections never outnumber the requests once in flight together, which a run
        // bounds by its concurrency.
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, NumberLimits.maxConcurrency)
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Sends a request; the stream reports its head, body reads and end. Ending the iteration
    /// early (breaking out, or cancelling the consuming task) aborts the transfer: the loop
    /// removes the handle and frees it.
    package func stream(_ request: HTTPRequest) -> AsyncStream<HTTPEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: HTTPEvent.self, bufferingPolicy: .unbounded)
        guard let transfer = CurlTransfer(receiver: .stream(continuation)) else {
            continuation.yield(.end(Self.noHandle))
            continuation.finish()
            return stream
        }
        // Set before the transfer is launched (one that cannot start ends its stream `.finished`,
        // which the handler ignores). The loop is captured strongly (it outlives its transfers
        // anyway); the transfer weakly, because it owns the continuation that owns this handler.
        // Once the loop has dropped a transfer it has finished, and there is nothing left to cancel.
        continuation.onTermination = { [self, weak transfer] termination in
            // `.finished` is the loop itself ending the stream; only a consumer that left needs
            // the transfer torn down.
            guard case .cancelled = termination, let transfer else { return }
            _ = submit(.cancel(transfer))
        }
        launch(transfer, request)
        return stream
    }

    /// Sends a request and collects the whole answer. A cancelled task gets a `.cancelled` failure.
    ///
    /// The events are gathered on the loop thread and handed over once, at the end, rather than
    /// streamed: the caller would only collect them, and each streamed event is a wakeup of the
    /// waiting task on another thread.
    package func perform(_ request: HTTPRequest) async -> HTTPResponse {
        let start = MonotonicClock.nowMicros()
        let collector = ResponseCollector()
        guard let transfer = CurlTransfer(receiver: .collector(collector)) else {
            return HTTPResponse(
                status: nil, headers: [], chunks: [], failure: Self.noHandle,
                elapsed: MonotonicClock.nowMicros() - start, cappedAt: nil)
        }
        let collected = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CollectedResponse, Never>) in
                // Set before the loop can see the transfer: `submit` takes the loop's lock.
                collector.continuation = continuation
                guard launch(transfer, request) else { return }
                // A cancellation that came before the add found nothing to cancel; repeat it now
                // (a second one finds the transfer gone and does nothing).
                if Task.isCancelled { _ = submit(.cancel(transfer)) }
            }
        } onCancel: {
            _ = submit(.cancel(transfer))
        }
        return HTTPResponse(
            status: collected.status, headers: collected.headers, chunks: collected.chunks,
            failure: collected.failure, elapsed: MonotonicClock.nowMicros() - start,
            cappedAt: collected.cappedAt)
    }

    /// How many transfers the loop is running, counted on the loop thread after every command
    /// submitted before this call (so a cancellation that already happened is reflected).
    package func activeTransferCount() async -> Int {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            if !submit(.inspect({ continuation.resume(returning: $0) })) {
                continuation.resume(returning: 0)
            }
        }
    }

    /// Ends every transfer with a `.cancelled` failure, stops the thread and frees the multi
    /// handle. Later requests end at once with `.cancelled`.
    package func shutdown() {
        inbox.withLock { inbox in
            guard !inbox.closed, !inbox.stopping else { return }
            inbox.stopping = true
            curl_multi_wakeup(multi)
        }
    }

    // MARK: - Any thread

    static let noHandle = TransportFailure(kind: .protocol, message: "libcurl could not create a handle")
    static let shutDown = TransportFailure(kind: .cancelled, message: "the event loop has shut down")

    /// Configures `transfer` for `request` and hands it to the loop; `false` (the transfer ended
    /// with the reason) when it cannot start: a request libcurl refuses, or a loop shut down.
    @discardableResult
    private func launch(_ transfer: CurlTransfer, _ request: HTTPRequest) -> Bool {
        if let failure = transfer.configure(request) {
            transfer.end(failure)
            return false
        }
        guard submit(.add(transfer)) else {
            transfer.end(Self.shutDown)
            return false
        }
        return true
    }

    /// Queues a command and wakes the loop. `false` once the loop has shut down.
    ///
    /// The wakeup is sent after the lock is released: sent under it, the loop thread it woke came
    /// straight back for the lock and spun on it while the sender was still in the `send` (~1% of
    /// a 2,000-probe run's samples in `_lockSlow`). Only the command that finds the inbox empty
    /// wakes the loop: one queued behind it is taken with it, in the same pass.
    func submit(_ command: Command) -> Bool {
        // Nil: refused (the loop has shut down); otherwise whether this command must wake the loop.
        let wake: Bool? = inbox.withLock { inbox in
            guard !inbox.closed, !inbox.stopping else { return nil }
            let wake = inbox.commands.isEmpty
            inbox.commands.append(command)
            if wake { wakersInFlight.add(1, ordering: .relaxed) }
            return wake
        }
        guard let wake else { return false }
        if wake {
            // The multi handle is alive: the loop frees it only once no waker is in flight.
            curl_multi_wakeup(multi)
            wakersInFlight.subtract(1, ordering: .releasing)
        }
        return true
    }

    // MARK: - Loop thread

    private func run() {
        var running: Int32 = 0
        while true {
            let (commands, stopping) = inbox.withLock { inbox in
                let commands = inbox.commands
                inbox.commands = []
                return (commands, inbox.stopping)
            }
            for command in commands { handle(command) }
            if stopping { break }
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            cutStalledTransfers()
            // Returns when a socket is ready, libcurl's own timers are due (it shortens the wait
            // itself), or `curl_multi_wakeup` is called; a wakeup sent before the call still counts.
            // While transfers run, wake at least every 100 ms so a stall is cut on time.
            var ready: Int32 = 0
            _ = curl_multi_poll(multi, nil, 0, active.isEmpty ? 10_000 : 100, &ready)
        }
        let leftovers = inbox.withLock { inbox in
            inbox.closed = true
            let commands = inbox.commands
            inbox.commands = []
            return commands
        }
        let shutDown = Self.shutDown
        for command in leftovers {
            switch command {
            case .add(let transfer): transfer.end(shutDown)
            case .cancel: break
            case .inspect(let reply): reply(active.count)
            }
        }
        for (easy, transfer) in active {
            curl_multi_remove_handle(multi, easy)
            transfer.end(shutDown)
        }
        active = [:]
        // No submitter gets in once the inbox is closed; one let in before may still be waking us.
        while wakersInFlight.load(ordering: .acquiring) != 0 { sched_yield() }
        curl_multi_cleanup(multi)
    }

    private func handle(_ command: Command) {
        switch command {
        case .add(let transfer):
            let code = curl_multi_add_handle(multi, transfer.easy)
            if code == CURLM_OK {
                active[transfer.easy] = transfer
            } else {
                let reason = String(cString: curl_multi_strerror(code))
                transfer.end(TransportFailure(kind: .protocol, message: "curl_multi_add_handle: \(reason)"))
            }
        case .cancel(let transfer):
            // Already finished transfers are no longer in `active`; there is nothing to undo.
            guard active.removeValue(forKey: transfer.easy) != nil else { return }
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.end(TransportFailure(kind: .cancelled, message: "the request was cancelled"))
        case .inspect(let reply):
            reply(active.count)
        }
    }

    /// Cuts every transfer that has gone without a byte for longer than its stall window.
    private func cutStalledTransfers() {
        let now = MonotonicClock.nowMicros()
        for (easy, transfer) in active where transfer.isStalled(now: now) {
            active.removeValue(forKey: easy)
            curl_multi_remove_handle(multi, easy)
            transfer.cutStalled(now: now)
        }
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            var handle: UnsafeMutableRawPointer?
            var code = CURLE_OK
            guard ccurl_multi_message_done(message, &handle, &code) == 1, let handle else { continue }
            var context: UnsafeMutableRawPointer?
            _ = ccurl_getinfo_pointer(handle, CURLINFO_PRIVATE, &context)
            // The message is invalid once the handle is removed; everything needed was copied.
            guard let context, let transfer = active.removeValue(forKey: handle),
                Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue() === transfer
            else {
                curl_multi_remove_handle(multi, handle)
                continue
            }
            curl_multi_remove_handle(multi, handle)
            transfer.complete(code: code)
        }
    }
}
