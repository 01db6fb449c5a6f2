import Foundation
import Synchronization
import Testing
import UnsaidArchive
import UnsaidSuite
import UnsaidTarget
import UnsaidTestSupport
import UnsaidTranscript
import UnsaidVerdict
@testable import UnsaidRun

/// Answers every request at once and counts them.
private final class CountingSender: ChatSender {
    private let count = Mutex(0)
    var sent: Int { count.withLock { $0 } }

    func send(_ item: WorkItem) async -> Transcript {
        count.withLock { $0 += 1 }
        return SampleTranscript.answered("Article 35 of the Constitution names it.", key: item.key)
    }
}

/// Holds the archive's `fsync`s back until opened, as a slow disk would.
private final class DiskGate: Sendable {
    private let opened = Mutex(false)
    private let waiting = DispatchSemaphore(value: 0)
    private let syncs = Mutex(0)
    var syncCount: Int { syncs.withLock { $0 } }

    func sync(_ fsync: () throws -> Void) throws {
        if !opened.withLock({ $0 }) {
            waiting.wait()
            waiting.signal()
        }
        try fsync()
        syncs.withLock { $0 += 1 }
    }

    func open() {
        opened.withLock { $0 = true }
        waiting.signal()
    }
}

/// The engine frees a request's slot once its record is written, and counts the request only
/// once the record is on disk.
@Suite struct RunEngineTests {
    static func items(_ count: Int) throws -> [WorkItem] {
        try (0..<count).map { index in
            let probe = Probe(id: "p\(index)", messages: [ChatMessage(role: "user", content: "question \(index)")])
            let key = WorkKey(suite: "s", probe: probe.id, probeHash: try probe.contentHash, sample: 0, streamed: false)
            return WorkItem(key: key, probe: probe, parameters: GenerationParameters())
        }
    }

    @Test func aSlowDiskHoldsBackCountingNotSending() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-engine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ruleset = try Ruleset.bundled()
        let gate = DiskGate()
        let archive = try ArchiveWriter(
            creating: ArchiveLayout(directory: directory),
            manifest: SampleArchive.manifest(runID: "engine", planned: 10, ruleset: ruleset), ruleset: ruleset.snapshot,
            syncing: { try gate.sync($1) })
        let sender = CountingSender()
        let archived = Mutex<[Int]>([])
        let counted = Mutex(0)
        let engine = RunEngine(
            sender: sender, verdicts: VerdictEngine(ruleset: ruleset), archive: archive, concurrency: 2,
            onArchived: { request in archived.withLock { $0.append(request.seq) } })
        let run = Task {
            try await engine.run(try Self.items(10)) { _ in counted.withLock { $0 += 1 } }
        }

        // Nothing reaches the disk, yet twice the concurrency is sent: two requests in flight
        // while two wait for the disk, then no more (memory stays bounded).
        #expect(try await Polling.eventually { sender.sent == 4 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(sender.sent == 4)
        #expect(counted.withLock { $0 } == 0)
        #expect(archived.withLock { $0 }.isEmpty)

        gate.open()
        #expect(try await run.value == 10)
        #expect(sender.sent == 10)
        #expect(counted.withLock { $0 } == 10)
        #expect(archived.withLock { $0 }.sorted() == Array(1...10))
        // Every count came after an fsync, and records shared them.
        #expect(gate.syncCount >= 1 && gate.syncCount <= 10)
    }

    /// Once every request is on its way, the shared `fsync` stops waiting for company: with a
    /// round that would wait ten minutes for eight records, a run of three (all sent at once)
    /// still finishes — its records are counted as soon as they are on disk. (Polled, so a run
    /// left waiting fails the test rather than holding it for the whole window.)
    @Test func theLastRecordsOfARunDoNotWaitForCompany() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-engine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ruleset = try Ruleset.bundled()
        let archive = try ArchiveWriter(
            creating: ArchiveLayout(directory: directory),
            manifest: SampleArchive.manifest(runID: "engine", planned: 3, ruleset: ruleset), ruleset: ruleset.snapshot,
            gathering: GroupCommit.Gathering(enough: 8, window: .seconds(600)))
        let engine = RunEngine(
            sender: CountingSender(), verdicts: VerdictEngine(ruleset: ruleset), archive: archive, concurrency: 16)
        let counted = Mutex(0)
        let run = Task { try await engine.run(try Self.items(3)) { _ in counted.withLock { $0 += 1 } } }
        #expect(try await Polling.eventually { counted.withLock { $0 } == 3 })
        if counted.withLock({ $0 }) == 3 { #expect(try await run.value == 3) }
    }
}
