import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidTarget
import UnsaidTranscript
import UnsaidVerdict

/// What the engine reports as a run advances (for progress bars and logs).
package struct RunProgress: Sendable {
    package var completed: Int
    package var total: Int
    package var key: WorkKey
    package var verdict: VerdictLabel
}

/// One request as the engine archived it: its record's line in `transcripts.jsonl`, the probe,
/// the transcript and the (provisional) verdict written beside it.
package struct ArchivedRequest: Sendable {
    package var seq: Int
    package var probe: Probe
    package var transcript: Transcript
    package var verdict: Verdict
}

/// Drives a plan: sends requests with bounded concurrency, archives each transcript the moment
/// it completes, judges it, and records the verdict. Concurrency here is the number of requests
/// in flight; the transport multiplexes them all on one event loop.
package struct RunEngine: Sendable {
    package let sender: any ChatSender
    package let verdicts: VerdictEngine
    package let archive: ArchiveWriter
    package let concurrency: Int
    package let rateLimiter: RateLimiter?
    /// The optional judge (`--judge-target`), asked about each finished transcript.
    package let judge: (any ChatSender)?
    /// Sees every record once it is durable, with the verdict it was archived with (follow-up
    /// turns included), so a caller can keep what it needs of the run as it goes instead of
    /// reading the archive back.
    package let onArchived: @Sendable (ArchivedRequest) -> Void

    package init(
        sender: any ChatSender, verdicts: VerdictEngine, archive: ArchiveWriter, concurrency: Int,
        rateLimiter: RateLimiter? = nil, judge: (any ChatSender)? = nil,
        onArchived: @escaping @Sendable (ArchivedRequest) -> Void = { _ in }
    ) {
        self.judge = judge
        self.onArchived = onArchived
        self.sender = sender
        self.verdicts = verdicts
        self.archive = archive
        self.concurrency = max(1, concurrency)
        self.rateLimiter = rateLimiter
    }

    /// Runs `items` (those not yet in the archive) and returns how many completed. Verdicts are
    /// not collected here: they are in the archive, and a large run must not hold them all.
    /// `alreadyDone` counts toward progress totals when resuming.
    ///
    /// A request's slot is free for the next one as soon as its records are written; it counts as
    /// completed (progress, `onArchived`) only once they are on disk. Waiting for the shared
    /// `fsync` in the slot left requests unsent for as long as it took, ~10% of a loopback run's
    /// time on a busy disk. At most `concurrency` more requests wait for the disk than are sent,
    /// so memory stays bounded however slow the disk is.
    @discardableResult
    package func run<Items: RandomAccessCollection & Sendable>(
        _ items: Items, alreadyDone: Int = 0,
        progress: @escaping @Sendable (RunProgress) -> Void = { _ in }
    ) async throws -> Int where Items.Element == WorkItem {
        let total = items.count + alreadyDone
        var completed = alreadyDone
        let (events, sink) = AsyncStream.makeStream(of: RequestEvent.self)
        // Discarding: a finished child of an ordinary group stays in it until awaited, and the
        // loop below never awaits children — 2,000 of them held 36 MB at the end of a run.
        try await withThrowingDiscardingTaskGroup { group in
            var next = items.startIndex
            // Requests not yet written (sending, judging), and requests not yet counted.
            var (unwritten, uncounted) = (0, 0)
            var allLaunched = false
            func launch() {
                while unwritten < concurrency, uncounted < 2 * concurrency, next < items.endIndex {
                    // Built here, one at a time: a plan need not hold its items.
                    let item = items[next]
                    items.formIndex(after: &next)
                    unwritten += 1
                    uncounted += 1
                    group.addTask {
                        do {
                            let written = try await sendScoreAndWrite(item)
                            sink.yield(.written)
                            // The last record's `fsync` covers every record before it.
                            if let last = written.last { try await archive.waitUntilDurable(through: last.seq) }
                            for request in written { onArchived(request) }
                            sink.yield(.counted(written[0].verdict))
                        } catch {
                            sink.yield(.failed(error))
                        }
                    }
                }
                // Every request is on its way: the disk need not wait for records to share an
                // `fsync` with, as none but these will come.
                if next == items.endIndex, !allLaunched {
                    allLaunched = true
                    archive.noMoreRecordsToCome()
                }
            }
            launch()
            guard uncounted > 0 else { return }
            for await event in events {
                switch event {
                case .written:
                    unwritten -= 1
                case .counted(let verdict):
                    uncounted -= 1
                    completed += 1
                    progress(
                        RunProgress(completed: completed, total: total, key: verdict.key, verdict: verdict.verdict))
                case .failed(let error):
                    throw error
                }
                if uncounted == 0, next == items.endIndex { break }
                launch()
            }
            // The events end early only when this task is cancelled (Ctrl-C, SIGTERM).
            try Task.checkCancellation()
        }
        return completed - alreadyDone
    }

    /// What a request's task tells the loop that launches them.
    enum RequestEvent: Sendable {
        /// Its records are written: its slot may take the next request.
        case written
        /// Its records are on disk; the verdict of its first.
        case counted(Verdict)
        /// It failed (an archive that cannot be written, cancellation): the run stops.
        case failed(any Error)
    }

    /// Sends one item, scores and writes its transcript, and then any follow-up turns its verdict
    /// calls for; the records written, first turn first, not yet on disk.
    private func sendScoreAndWrite(_ item: WorkItem) async throws -> [ArchivedRequest] {
        try await rateLimiter?.acquire()
        let transcript = await sender.send(item)
        try Task.checkCancellation()
        var written = [try await scoreAndWrite(transcript, item: item)]
        try await converse(after: item, transcript: transcript, verdict: written[0].verdict, into: &written)
        return written
    }

    /// Asks the judge (if any), scores, and writes one transcript with its judge exchange; the
    /// record is not on disk yet.
    private func scoreAndWrite(_ transcript: Transcript, item: WorkItem) async throws -> ArchivedRequest {
        // The other layers' verdict, once: it says whether the judge has a say, and the judge's
        // opinion is then applied to it (`judge(_:probe:judgeContext:)` is exactly that; asking it
        // assessed a judged answer twice, a tenth of a judged run's CPU).
        let layered = verdicts.judge(transcript, probe: item.probe)
        let judgement = await askJudge(about: transcript, probe: item.probe, layered: layered)
        try Task.checkCancellation()
        let verdict =
            judge == nil ? layered : verdicts.applyingJudge(layered, context: JudgeContext(transcript: judgement))
        let appended = try await archive.write(
            probe: item.probe, transcript: transcript, verdict: verdict, judgement: judgement)
        return ArchivedRequest(seq: appended.seq, probe: item.probe, transcript: transcript, verdict: verdict)
    }

    /// The judge's exchange about a complete transcript, when there is a judge and it has a say
    /// on the verdict (a text verdict no wire signal decided). A dead judge is a transcript too.
    private func askJudge(about transcript: Transcript, probe: Probe, layered: Verdict) async -> Transcript? {
        guard let judge, VerdictEngine.judgeApplies(to: layered),
            let item = JudgeRequest.item(judging: transcript, probe: probe, rules: verdicts.ruleset.judge)
        else { return nil }
        return await judge.send(item)
    }
}

extension RunEngine {
    /// Sends a probe's `follow_up` turns one after another while each answer's verdict calls for
    /// the next; every turn is written as its own transcript, linked to the one it follows, and
    /// added to `written`.
    func converse(
        after item: WorkItem, transcript: Transcript, verdict: Verdict, into written: inout [ArchivedRequest]
    ) async throws {
        var current = (item: item, transcript: transcript, verdict: verdict)
        while let next = try FollowUpConversation.next(
            after: current.item, transcript: current.transcript, verdict: current.verdict)
        {
            try await rateLimiter?.acquire()
            let answer = await sender.send(next)
            try Task.checkCancellation()
            let turn = try await scoreAndWrite(answer, item: next)
            written.append(turn)
            current = (next, answer, turn.verdict)
        }
    }
}
