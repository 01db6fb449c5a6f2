import Foundation
import Synchronization
import Testing
@testable import UnsaidTarget

/// The loop's inbox: a command wakes the loop only when it finds the inbox empty, and wakes it
/// after the lock is released. A command that neither wakes the loop nor is taken with one that
/// did would sit until the idle loop's own timeout (10 s); a loop freed while a submitter is still
/// waking it would crash.
///
/// Commands are submitted and waited for from threads of the test's own, never from Swift's
/// cooperative pool: other tests in the process can hold that pool for seconds, which would look
/// like a lost wakeup.
@Suite struct CurlEventLoopInboxTests {
    /// Runs `body` on `threads` threads of their own, started together, and returns once all
    /// have finished.
    static func onOwnThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) async {
        let left = Mutex(threads)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for index in 0..<threads {
                Thread {
                    body(index)
                    if left.withLock({ left in
                        left -= 1
                        return left == 0
                    }) {
                        continuation.resume()
                    }
                }.start()
            }
        }
    }

    enum Answer: Equatable {
        case count(Int)
        /// The loop had shut down and did not take the command.
        case refused
        /// No answer within the time allowed.
        case none
    }

    /// Submits an inspection and waits at most 5 s for its answer (a lost wakeup waits 10 s).
    static func inspect(_ loop: CurlEventLoop) -> Answer {
        let answered = DispatchSemaphore(value: 0)
        let count = Mutex<Int?>(nil)
        guard
            loop.submit(
                .inspect({ active in
                    count.withLock { $0 = active }
                    answered.signal()
                }))
        else { return .refused }
        guard answered.wait(timeout: .now() + 5) == .success else { return .none }
        return count.withLock { $0 }.map(Answer.count) ?? .none
    }

    /// Commands one at a time, then from eight threads at once, on an idle loop: every one is
    /// answered, none waits for the idle poll's timeout.
    @Test func commandsAreAllTakenWithoutWaitingForTheIdleTimeout() async {
        let loop = CurlEventLoop(name: "test.inbox")
        defer { loop.shutdown() }
        let answers = Mutex<[Answer]>([])
        await Self.onOwnThreads(1) { _ in
            for _ in 0..<50 { answers.withLock { $0.append(Self.inspect(loop)) } }
        }
        await Self.onOwnThreads(8) { _ in
            for _ in 0..<100 { answers.withLock { $0.append(Self.inspect(loop)) } }
        }
        let all = answers.withLock { $0 }
        #expect(all.count == 850)
        #expect(all.allSatisfy { $0 == .count(0) }, "\(all.filter { $0 != .count(0) }.count) not answered in time")
    }

    /// Commands racing a shutdown: each is answered by the loop or refused, never left waiting,
    /// and the loop frees its handle only after the last submitter has woken it.
    @Test func commandsRacingShutdownAreAllAnswered() async {
        for round in 0..<20 {
            let loop = CurlEventLoop(name: "test.inbox-shutdown")
            let answers = Mutex<[Answer]>([])
            await Self.onOwnThreads(5) { index in
                if index == 0 {
                    Thread.sleep(forTimeInterval: 0.001)
                    loop.shutdown()
                    return
                }
                for _ in 0..<20 { answers.withLock { $0.append(Self.inspect(loop)) } }
            }
            let all = answers.withLock { $0 }
            #expect(all.count == 80)
            #expect(!all.contains(.none), "round \(round): a command was never answered")
            #expect(await loop.activeTransferCount() == 0)
        }
    }
}
