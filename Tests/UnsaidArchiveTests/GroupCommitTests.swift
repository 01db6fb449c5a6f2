import Foundation
import Synchronization
import Testing
@testable import UnsaidSuite
@testable import UnsaidArchive
import UnsaidTestSupport

/// Group commit without a disk: the `fsync` is a function the test controls, so it can see which
/// writes each "sync" covered and hold a sync open while more records are written.
@Suite("Group commit")
struct GroupCommitTests {
    /// A fake `fsync` that records what was written when it started and can be held closed.
    final class FakeDisk: Sendable {
        private struct State {
            var written = 0
            var syncs: [Int] = []
            var open = true
        }
        private let state = Mutex(State())
        let released = DispatchSemaphore(value: 0)

        func write(_ sequence: Int) { state.withLock { $0.written = sequence } }
        var syncs: [Int] { state.withLock { $0.syncs } }
        func hold() { state.withLock { $0.open = false } }
        func release() {
            state.withLock { $0.open = true }
            released.signal()
        }

        /// What was on "disk" when this sync started is durable once it returns.
        func sync() {
            let (covered, open) = state.withLock { ($0.written, $0.open) }
            if !open { released.wait() }
            state.withLock { $0.syncs.append(covered) }
        }
    }

    @Test func aWaitReturnsOnlyAfterASyncThatStartedAfterItsWrite() async throws {
        let disk = FakeDisk()
        let commit = GroupCommit(durable: 0, pause: nil) { disk.sync() }
        disk.write(1)
        commit.didWrite(through: 1)
        try await commit.waitUntilDurable(through: 1)
        #expect(disk.syncs == [1])
        // Already durable: no new sync.
        try await commit.waitUntilDurable(through: 1)
        #expect(disk.syncs == [1])
    }

    @Test func recordsWrittenDuringOneSyncShareTheNext() async throws {
        let disk = FakeDisk()
        let commit = GroupCommit(durable: 0, pause: nil) { disk.sync() }
        disk.hold()
        disk.write(1)
        commit.didWrite(through: 1)
        let first = Task { try await commit.waitUntilDurable(through: 1) }
        // While the first sync is held, nine more records are written and wait.
        var later: [Task<Void, any Error>] = []
        for sequence in 2...10 {
            disk.write(sequence)
            commit.didWrite(through: sequence)
            later.append(Task { try await commit.waitUntilDurable(through: sequence) })
        }
        disk.release()
        try await first.value
        for task in later { try await task.value }
        let syncs = disk.syncs
        // Every record is covered, by far fewer syncs than records, and each sync covers at
        // least what the previous one did.
        #expect(syncs.last == 10)
        #expect(syncs.count < 10, "\(syncs)")
        #expect(syncs == syncs.sorted())
    }

    @Test func aFailedSyncFailsEveryWaiterAndEveryLaterOne() async throws {
        struct DiskFull: Error {}
        let commit = GroupCommit(durable: 0, pause: nil) { throw DiskFull() }
        commit.didWrite(through: 1)
        await #expect(throws: DiskFull.self) { try await commit.waitUntilDurable(through: 1) }
        commit.didWrite(through: 2)
        await #expect(throws: DiskFull.self) { try await commit.waitUntilDurable(through: 2) }
    }

    @Test func continuingAnArchiveCountsExistingRecordsAsDurable() async throws {
        let disk = FakeDisk()
        let commit = GroupCommit(durable: 5, pause: nil) { disk.sync() }
        try await commit.waitUntilDurable(through: 5)
        #expect(disk.syncs.isEmpty)
    }

    @Test func aRoundWaitsForEnoughRecordsBeforeItsSync() async throws {
        let disk = FakeDisk()
        // A window far longer than the test: only the third waiter can start the round.
        let gathering = GroupCommit.Gathering(enough: 3, window: .seconds(600))
        let commit = GroupCommit(durable: 0, gathering: gathering, pause: nil) { disk.sync() }
        var waits: [Task<Void, any Error>] = []
        for sequence in 1...3 {
            disk.write(sequence)
            commit.didWrite(through: sequence)
            waits.append(Task { try await commit.waitUntilDurable(through: sequence) })
            // Give the sync queue every chance to start a round too early.
            try await Task.sleep(for: .milliseconds(20))
        }
        for task in waits { try await task.value }
        #expect(disk.syncs == [3])
    }

    @Test func aLoneRecordIsSyncedOnceTheWindowPasses() async throws {
        let disk = FakeDisk()
        let gathering = GroupCommit.Gathering(enough: 8, window: .milliseconds(30))
        let commit = GroupCommit(durable: 0, gathering: gathering, pause: nil) { disk.sync() }
        disk.write(1)
        commit.didWrite(through: 1)
        try await commit.waitUntilDurable(through: 1)
        #expect(disk.syncs == [1])
    }

    /// The last records of a run are fewer than a round waits for: once told none but those will
    /// come, a round waiting for company starts at once, and later ones do not wait at all.
    @Test func aRoundStopsWaitingForCompanyThatWillNotCome() async throws {
        let disk = FakeDisk()
        // A window far longer than the test: only `noMoreCompany` can start these rounds. The
        // waits are polled, not awaited, so a round that keeps waiting fails the test instead
        // of holding it for the whole window.
        let gathering = GroupCommit.Gathering(enough: 3, window: .seconds(600))
        let commit = GroupCommit(durable: 0, gathering: gathering, pause: nil) { disk.sync() }
        let durable = Durable()
        disk.write(1)
        commit.didWrite(through: 1)
        Task { [commit, durable] in
            try await commit.waitUntilDurable(through: 1)
            durable.reached(1)
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(disk.syncs.isEmpty)

        commit.noMoreCompany()
        #expect(try await Polling.eventually { durable.through == 1 })
        #expect(disk.syncs == [1])
        disk.write(2)
        commit.didWrite(through: 2)
        Task { [commit, durable] in
            try await commit.waitUntilDurable(through: 2)
            durable.reached(2)
        }
        #expect(try await Polling.eventually { durable.through == 2 })
        #expect(disk.syncs == [1, 2])
    }

    /// The highest record a waiter has seen durable.
    final class Durable: Sendable {
        private let state = Mutex(0)
        var through: Int { state.withLock { $0 } }
        func reached(_ sequence: Int) { state.withLock { $0 = max($0, sequence) } }
    }

    @Test func aRunGathersForHalfItsConcurrencyAndOneRequestNeverWaits() {
        #expect(GroupCommit.Gathering(concurrency: 1) == .immediate)
        #expect(GroupCommit.Gathering(concurrency: 3) == .immediate)
        #expect(GroupCommit.Gathering(concurrency: 16) == GroupCommit.Gathering(enough: 8, window: .milliseconds(2)))
        #expect(GroupCommit.Gathering(concurrency: 0) == .immediate)
    }
}
