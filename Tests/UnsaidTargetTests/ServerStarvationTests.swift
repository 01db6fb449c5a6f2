import Foundation
import Synchronization
import Testing
import UnsaidSuite
import UnsaidTranscript
import UnsaidReplay
@testable import UnsaidTarget

/// The loopback server must answer even when every thread of Swift's cooperative pool is busy.
///
/// In a full `make test` the CPU-heavy tests (100 MB bodies decoded and scrubbed in one go) can
/// hold every cooperative thread for many seconds. While the server's request handlers ran as
/// ordinary tasks on that pool, a request arriving in such a window got no answer, the client cut
/// it as a stall, and the fault-matrix tests failed at random (CI, 2026-12-01: the third attempt
/// of every three-attempt case ended `.stall`). Handlers now run on the server's own thread.
///
/// This test recreates the window on purpose: every cooperative thread (its own included) spins
/// until the server's handler has been called, or ten seconds have passed. Nothing is timed: the
/// test fails if the handler could only run once the spinning had given up.
@Suite struct ServerStarvationTests {
    /// Set from the server's handler, read by the spinning threads.
    final class Flag: Sendable {
        private let raised = Mutex(false)
        func raise() { raised.withLock { $0 = true } }
        var isRaised: Bool { raised.withLock { $0 } }
    }

    /// Spins (no sleeping: a blocked thread could be replaced, a busy one is not) until `flag` is
    /// raised or `deadline` has passed; true if the flag was raised before the deadline.
    static func spin(until flag: Flag, deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline {
            if flag.isRaised { return true }
        }
        return false
    }

    /// Spins until `flag` or `stop` is raised. The helpers stop only when the test's own window
    /// has closed, so no thread comes free for the handler while the test still counts.
    static func spin(until flag: Flag, or stop: Flag) {
        while !flag.isRaised && !stop.isRaised {}
    }

    @Test func theServerAnswersWhileEveryCooperativeThreadIsBusy() async throws {
        let handled = Flag()
        let server = try await LoopbackServer.start { _ in
            handled.raise()
            return .json(200, #"{"ok":true}"#)
        }
        let loop = CurlEventLoop(name: "unsaid.curl.starvation-test")
        // The pool is as wide as the machine has cores; this task holds one of its threads.
        let others = max(0, ProcessInfo.processInfo.activeProcessorCount - 1)
        let started = DispatchSemaphore(value: 0)
        let windowClosed = Flag()
        for _ in 0..<others {
            Task.detached {
                started.signal()
                Self.spin(until: handled, or: windowClosed)
            }
        }
        // In a full test run the other threads may first finish someone else's work; the window
        // opens only once every one of them spins.
        for _ in 0..<others { started.wait() }
        // Submitting does not need the pool: the transfer starts on the loop's own thread.
        let events = loop.stream(
            HTTPRequest(
                url: server.baseURL + "/chat/completions", body: Array("{}".utf8),
                connectTimeout: .seconds(10), totalTimeout: .seconds(60)))
        let answeredWhileBusy = Self.spin(until: handled, deadline: ContinuousClock.now + .seconds(10))
        windowClosed.raise()

        var status: Int?
        var body: [UInt8] = []
        var failure: TransportFailure?
        for await event in events {
            switch event {
            case .head(let code, _): status = code
            case .body(let bytes, _): body += bytes
            case .capped: break
            case .end(let reason): failure = reason
            }
        }
        loop.shutdown()
        try await server.shutdown()
        #expect(answeredWhileBusy)
        #expect(failure == nil)
        #expect(status == 200)
        #expect(String(decoding: body, as: UTF8.self) == #"{"ok":true}"#)
    }
}
