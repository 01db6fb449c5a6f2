import Foundation
import Testing
@testable import UnsaidTarget

/// The loop's inbox: a command wakes the loop only when it finds the inbox empty, and wakes it
/// after the lock is released. A command that neither wakes the loop nor is taken with one that
/// did would sit until the idle loop's own timeout (10 s); a loop freed while a submitter is still
/// waking it would crash.
@Suite struct CurlEventLoopInboxTests {
    /// Runs `body`, or gives up after `seconds`: whether it finished in time.
    static func finishes(within seconds: Double, _ body: @escaping @Sendable () async -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await body()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Commands one at a time, then many at once, in bursts, on an idle loop: every one is
    /// answered, none waits for the idle poll's timeout.
    @Test func commandsAreAllTakenWithoutWaitingForTheIdleTimeout() async {
        let loop = CurlEventLoop(name: "test.inbox")
        defer { loop.shutdown() }
        let answered = await Self.finishes(within: 5) {
            // A lost wakeup would leave each of these waiting 10 s: stop once the deadline passed.
            for _ in 0..<50 where !Task.isCancelled { #expect(await loop.activeTransferCount() == 0) }
            for _ in 0..<20 where !Task.isCancelled {
                let counts = await withTaskGroup(of: Int.self) { group in
                    for _ in 0..<50 { group.addTask { await loop.activeTransferCount() } }
                    return await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(counts == Array(repeating: 0, count: 50))
            }
        }
        #expect(answered, "a command waited for the idle loop's timeout: its wakeup was lost")
    }

    /// Commands racing a shutdown: each is answered (by the loop, or refused with 0) and the loop
    /// frees its handle only after the last submitter has woken it.
    @Test func commandsRacingShutdownAreAllAnswered() async {
        for round in 0..<20 {
            let loop = CurlEventLoop(name: "test.inbox-shutdown")
            let answered = await Self.finishes(within: 5) {
                await withTaskGroup(of: Int.self) { group in
                    for index in 0..<40 {
                        if index == 20 {
                            group.addTask {
                                loop.shutdown(); return 0
                            }
                        }
                        group.addTask { await loop.activeTransferCount() }
                    }
                    for await count in group { #expect(count == 0) }
                }
            }
            #expect(answered, "round \(round): a command was never answered")
            #expect(await loop.activeTransferCount() == 0)
        }
    }
}
