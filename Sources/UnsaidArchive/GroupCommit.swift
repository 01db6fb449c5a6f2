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
package final class GroupCommit: Sendable {
    private typealias Waiter = (through: Int, continuation: CheckedContinuation<Void, any Error>)
    private struct State {
        /// Highest record whose bytes are in the file (not necessarily on disk).
        var written: Int
        /// Highest record covered by a completed `fsync`.
        var synced: Int
        var syncing = false
        /// Once an `fsync` fails nothing after it can be promised durable; every later wait fails.
        var failure: (any Error)?
        var waiters: [Waiter] = []
    }
    private let state: Mutex<State>
    private let sync: @Sendable () throws -> Void
    private let queue = DispatchQueue(label: "unsaid.archive.fsync")
    private let pause: PauseBeforeSync?

    /// - Parameters:
    ///   - durable: records already on disk (when continuing an archive).
    ///   - sync: the `fsync` itself; runs on a private queue, never on Swift's cooperative pool.
    init(durable: Int, pause: PauseBeforeSync? = .fromEnvironment(), sync: @escaping @Sendable () throws -> Void) {
        self.state = Mutex(State(written: durable, synced: durable))
        self.pause = pause
        self.sync = sync
    }

    /// Record `sequence` (and everything before it) is in the file.
    func didWrite(through sequence: Int) {
        state.withLock { $0.written = max($0.written, sequence) }
    }

    /// Returns once an `fsync` that started after record `sequence` was written has completed.
    func waitUntilDurable(through sequence: Int) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let (resumeNow, error, startSync): (Bool, (any Error)?, Bool) = state.withLock { state in
                if let failure = state.failure { return (true, failure, false) }
                if state.synced >= sequence { return (true, nil, false) }
                state.waiters.append((sequence, continuation))
                if state.syncing { return (false, nil, false) }
                state.syncing = true
                return (false, nil, true)
            }
            if resumeNow {
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
            if startSync { queue.async { self.syncUntilNoOneWaits() } }
        }
    }

    /// Runs on `queue`: one `fsync` per round, each covering everything written when it started.
    private func syncUntilNoOneWaits() {
        while true {
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
