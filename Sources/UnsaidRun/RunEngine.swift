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
    @discardableResult
    package func run<Items: RandomAccessCollection & Sendable>(
        _ items: Items, alreadyDone: Int = 0,
        progress: @escaping @Sendable (RunProgress) -> Void = { _ in }
    ) async throws -> Int where Items.Element == WorkItem {
        let total = items.count + alreadyDone
        var completed = alreadyDone
        try await withThrowingTaskGroup(of: Verdict.self) { group in
            var next = items.startIndex
            func launch() {
                guard next < items.endIndex else { return }
                // Built here, one at a time: a plan need not hold its items.
                let item = items[next]
                items.formIndex(after: &next)
                group.addTask {
                    try await rateLimiter?.acquire()
                    let transcript = await sender.send(item)
                    try Task.checkCancellation()
                    // Returns once the record is on disk (group commit): only then does it count.
                    let verdict = try await scoreAndArchive(transcript, item: item)
                    try await converse(after: item, transcript: transcript, verdict: verdict)
                    return verdict
                }
            }
            for _ in 0..<min(concurrency, items.count) { launch() }
            while let verdict = try await group.next() {
                completed += 1
                progress(RunProgress(completed: completed, total: total, key: verdict.key, verdict: verdict.verdict))
                launch()
            }
        }
        return completed - alreadyDone
    }

    /// Asks the judge (if any), scores, and archives one transcript with its judge exchange.
    func scoreAndArchive(_ transcript: Transcript, item: WorkItem) async throws -> Verdict {
        let judgement = await askJudge(about: transcript, probe: item.probe)
        try Task.checkCancellation()
        let verdict = verdicts.judge(
            transcript, probe: item.probe,
            judgeContext: judge == nil ? nil : JudgeContext(transcript: judgement))
        let appended = try await archive.append(
            probe: item.probe, transcript: transcript, verdict: verdict, judgement: judgement)
        onArchived(ArchivedRequest(seq: appended.seq, probe: item.probe, transcript: transcript, verdict: verdict))
        return verdict
    }

    /// The judge's exchange about a complete transcript, when there is a judge and it has a say
    /// on the verdict (a text verdict no wire signal decided). A dead judge is a transcript too.
    private func askJudge(about transcript: Transcript, probe: Probe) async -> Transcript? {
        guard let judge, VerdictEngine.judgeApplies(to: verdicts.judge(transcript, probe: probe)),
            let item = JudgeRequest.item(judging: transcript, probe: probe, rules: verdicts.ruleset.judge)
        else { return nil }
        return await judge.send(item)
    }
}

extension RunEngine {
    /// Sends a probe's `follow_up` turns one after another while each answer's verdict calls for
    /// the next; every turn is archived as its own transcript, linked to the one it follows.
    func converse(after item: WorkItem, transcript: Transcript, verdict: Verdict) async throws {
        var current = (item: item, transcript: transcript, verdict: verdict)
        while let next = try FollowUpConversation.next(
            after: current.item, transcript: current.transcript, verdict: current.verdict)
        {
            try await rateLimiter?.acquire()
            let answer = await sender.send(next)
            try Task.checkCancellation()
            let judged = try await scoreAndArchive(answer, item: next)
            current = (next, answer, judged)
        }
    }
}
