import Foundation
import Synchronization

/// Group commit for an append-only file: many writers append whole records, and one `fsync`
/// covers every record written before it started.
///
/// Why: one `fsync` per record costs milliseconds each and serialises a run behind the disk. With
/// many requests in flight, the records that complete while one `fsync` runs are all covered by
/// the next, so the number of `fsync`s grows with time, not with records — and a record still
/// counts as done only once an `fsync` that started after its `write` has returned.
///
/// Records are identified by their 1-based sequence number. The writer calls `didWrite(through:)`
/// right after a record's bytes are in the file, then `waitUntilDurable(through:)`.
///
/// A fast disk finishes an `fsync` before the next record arrives, so "whatever was written while
/// the last one ran" is one record and every record pays its own `fsync` (1,876 for 2,000 records
/// of a loopback run, 7% of its CPU). With many requests in flight, a round may therefore wait a
/// little for company first (`Gathering`, after PostgreSQL's `commit_delay`).
package final class GroupCommit: Sendable {
    private typealias Waiter = (
        through: Int, continuation: CheckedContinuation<Void, any Error>, since: DispatchTime
    )
    private struct State {
        /// Highest record whose bytes are in the file (not necessarily on disk).
        var written: Int
        /// Highest record covered by a completed `fsync`.
        var synced: Int
        var syncing = false
        /// Once an `fsync` fails nothing after it can be promised durable; every later wait fails.
        var failure: (any Error)?
        var waiters: [Waiter] = []
        /// The sync queue is waiting for company (`arrivals` is signalled for each new waiter).
        var gathering = false
        /// No more records than those already on their way will come (`noMoreCompany()`).
        var lastCompany = false
    }
    private let state: Mutex<State>
    private let sync: @Sendable () throws -> Void
    private let queue = DispatchQueue(label: "unsaid.archive.fsync")
    private let pause: PauseBeforeSync?
    private let gathering: Gathering
    private let arrivals = DispatchSemaphore(value: 0)

    /// How long a round of `fsync` waits for more records to share it.
    package struct Gathering: Sendable, Equatable {
        /// Waiting records that start a round at once.
        package var enough: Int
        /// The longest a record waits for company before its round starts (the `fsync` comes on top).
        /// Dispatch's own interval: the sync queue waits on a semaphore, which takes dispatch time.
        package var window: DispatchTimeInterval

        /// Every round starts as soon as a record waits: right for one request at a time, where
        /// no company can come.
        package static let immediate = Gathering(enough: 1, window: .nanoseconds(0))

        /// For `concurrency` requests in flight: a round starts once half of them wait, or 2 ms
        /// after its first record began to wait. Half, so the other half keeps the CPU busy
        /// while these wait; 2 ms is nothing beside a model's answer, and at loopback speed
        /// (~2,000 records a second) gathers several records per `fsync`.
        package init(concurrency: Int) {
            let enough = max(1, concurrency / 2)
            self = enough == 1 ? .immediate : Gathering(enough: enough, window: .milliseconds(2))
        }

        package init(enough: Int, window: DispatchTimeInterval) {
            self.enough = max(1, enough)
            self.window = window
        }
    }

    /// - Parameters:
    ///   - durable: records already on disk (when continuing an archive).
    ///   - sync: the `fsync` itself; runs on a private queue, never on Swift's cooperative pool.
    ///   - gathering: how long a round waits for company (`immediate`: never).
    init(
        durable: Int, gathering: Gathering = .immediate, pause: PauseBeforeSync? = .fromEnvironment(),
        sync: @escaping @Sendable () throws -> Void
    ) {
        self.state = Mutex(State(written: durable, synced: durable))
        self.pause = pause
        self.gathering = gathering
        self.sync = sync
    }

    /// Record `sequence` (and everything before it) is in the file.
    func didWrite(through sequence: Int) {
        state.withLock { $0.written = max($0.written, sequence) }
    }

    /// Returns once an `fsync` that started after record `sequence` was written has completed.
    func waitUntilDurable(through sequence: Int) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let now = DispatchTime.now()
            let (resumeNow, error, startSync, wakeGatherer): (Bool, (any Error)?, Bool, Bool) = state.withLock {
                state in
                if let failure = state.failure { return (true, failure, false, false) }
                if state.synced >= sequence { return (true, nil, false, false) }
                state.waiters.append((sequence, continuation, now))
                // Only the arrival that makes the company enough can end a gathering early: its
                // window runs from the oldest waiter, which a newer one does not move. Waking the
                // gatherer at every arrival cost a context switch each for a look that found too
                // few (at loopback speed most rounds end by the window, ~3 such looks a round).
                if state.syncing {
                    return (false, nil, false, state.gathering && state.waiters.count >= gathering.enough)
                }
                state.syncing = true
                return (false, nil, true, false)
            }
            if resumeNow {
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
            if wakeGatherer { arrivals.signal() }
            if startSync { queue.async { self.syncUntilNoOneWaits() } }
        }
    }

    /// Runs on `queue`: one `fsync` per round, each covering everything written when it started.
    private func syncUntilNoOneWaits() {
        while true {
            gatherCompany()
            let target = state.withLock { $0.written }
            pause?.holdIfCovering(target)
            var error: (any Error)?
            do { try sync() } catch let thrown { error = thrown }
            let (ready, again): ([Waiter], Bool) = state.withLock { state in
                if let error {
                    state.failure = error
                    let all = state.waiters
                    state.waiters = []
                    state.syncing = false
                    return (all, false)
                }
                state.synced = max(state.synced, target)
                let covered = state.waiters.filter { $0.through <= target }
                state.waiters.removeAll { $0.through <= target }
                let again = !state.waiters.isEmpty
                if !again { state.syncing = false }
                return (covered, again)
            }
            for waiter in ready {
                if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
            }
            if !again { return }
        }
    }
}

extension GroupCommit {
    /// Says that the records now on their way are the last: a round then no longer waits for
    /// company, which at the end of a run is fewer than `gathering.enough` and never comes (each
    /// of the last rounds waited out the whole window, its records uncounted meanwhile).
    package func noMoreCompany() {
        let wake = state.withLock { state in
            state.lastCompany = true
            return state.gathering
        }
        if wake { arrivals.signal() }
    }

    /// Runs on `queue` before a round: waits until `gathering.enough` records wait or the oldest
    /// of them has waited `gathering.window`, whichever comes first — not at all once
    /// `noMoreCompany()` was called.
    private func gatherCompany() {
        guard gathering.enough > 1 else { return }
        while true {
            let (count, oldest) = state.withLock { state -> (Int, DispatchTime?) in
                let oldest = state.lastCompany ? nil : state.waiters.lazy.map(\.since).min()
                state.gathering = state.waiters.count < gathering.enough && oldest != nil
                return (state.waiters.count, oldest)
            }
            guard let oldest, count < gathering.enough else { break }
            let deadline = oldest + gathering.window
            guard DispatchTime.now() < deadline else { break }
            // Woken by the waiter that makes enough, or by the deadline; a stale signal only costs a look.
            _ = arrivals.wait(timeout: deadline)
        }
        state.withLock { $0.gathering = false }
    }
}

/// A test hook for the crash window of group commit: with `UNSAID_TEST_PAUSE_BEFORE_FSYNC=N:path`
/// the `fsync` that would first cover record N is held forever, after creating `path`, so a test
/// can `kill -9` the process while records are written but not yet synced (and not yet reported).
struct PauseBeforeSync: Sendable {
    static let environmentName = "UNSAID_TEST_PAUSE_BEFORE_FSYNC"

    var record: Int
    var marker: String

    static func fromEnvironment() -> PauseBeforeSync? {
        guard let value = ProcessInfo.processInfo.environment[environmentName],
            let colon = value.firstIndex(of: ":"), let record = Int(value[..<colon])
        else { return nil }
        return PauseBeforeSync(record: record, marker: String(value[value.index(after: colon)...]))
    }

    func holdIfCovering(_ target: Int) {
        guard target >= record else { return }
        // A marker that cannot be written leaves the test waiting for it and failing on its
        // own deadline, which says more than anything this process could print here.
        _ = FileManager.default.createFile(atPath: marker, contents: Data("\(target)\n".utf8))
        while true { Thread.sleep(forTimeInterval: 3600) }
    }
}
