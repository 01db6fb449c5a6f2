import Foundation
import UnsaidSuite

/// A probe's conversation in one run: its first request and the follow-up turns that were sent
/// after it, with each turn's verdict.
package struct FollowUpThread: Sendable, Equatable {
    package var suite: String
    /// The id of the probe as written.
    package var root: String
    package var sample: Int
    package var streamed: Bool
    /// Positions of the turns in the run's `requests`, turn 1 first.
    package var turns: [Int]
    /// Each turn's verdict, turn 1 first.
    package var verdicts: [VerdictLabel]

    /// The request as reports name it (`suite/probe#0 (stream: on)`), after its first turn.
    package var displayName: String {
        WorkKey.displayName(suite: suite, probe: root, sample: sample, streamed: streamed)
    }

    /// Each turn: what the person said (the turn's last user message) and the entry it got,
    /// read back from `run`'s archive.
    package func exchanges(in run: ReportRun) throws -> [(said: String, entry: ReportEntry)] {
        var exchanges: [(said: String, entry: ReportEntry)] = []
        try run.entries(at: turns) { _, entry in
            exchanges.append((entry.probe.messages.last(where: { $0.role == "user" })?.content ?? "", entry))
        }
        return exchanges
    }

    /// The runs of a document that have such conversations, each with them, in report order.
    package static func byRun(_ document: ReportDocument) -> [(run: ReportRun, threads: [FollowUpThread])] {
        document.runs.map { (run: $0, threads: find(in: $0)) }.filter { !$0.threads.isEmpty }
    }

    /// Conversations of the run that went past their first turn, in report order.
    package static func find(in run: ReportRun) -> [FollowUpThread] {
        let requests = run.requests
        var byParent: [String: Int] = [:]
        for (index, request) in requests.enumerated() {
            if let parent = request.parent { byParent[parent] = index }
        }
        guard !byParent.isEmpty else { return [] }
        return requests.indices.compactMap { firstIndex -> FollowUpThread? in
            let first = requests[firstIndex]
            guard !first.isFollowUp, byParent[first.keyDescription] != nil else { return nil }
            var turns = [firstIndex]
            while let last = turns.last, let next = byParent[requests[last].keyDescription], turns.count < 100 {
                turns.append(next)
            }
            return FollowUpThread(
                suite: first.suite, root: first.probeID, sample: first.sample,
                streamed: first.streamed, turns: turns, verdicts: turns.map { requests[$0].verdict })
        }
    }
}
