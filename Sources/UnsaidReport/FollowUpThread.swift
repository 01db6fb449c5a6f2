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
    /// Turn 1 first.
    package var turns: [ReportEntry]

    /// The request as reports name it (`suite/probe#0 (stream: on)`), after its first turn.
    package var displayName: String {
        WorkKey.displayName(suite: suite, probe: root, sample: sample, streamed: streamed)
    }

    /// Each turn: what the person said (the turn's last user message) and the entry it got.
    package var exchanges: [(said: String, entry: ReportEntry)] {
        turns.map { entry in (entry.probe.messages.last(where: { $0.role == "user" })?.content ?? "", entry) }
    }

    /// The runs of a document that have such conversations, each with them, in report order.
    package static func byRun(_ document: ReportDocument) -> [(run: ReportRun, threads: [FollowUpThread])] {
        document.runs.map { (run: $0, threads: find(in: $0)) }.filter { !$0.threads.isEmpty }
    }

    /// Conversations of the run that went past their first turn, in report order.
    package static func find(in run: ReportRun) -> [FollowUpThread] {
        var byParent: [String: ReportEntry] = [:]
        for entry in run.entries where entry.probe.turn != nil {
            if let parent = entry.probe.turn?.parent { byParent[parent] = entry }
        }
        guard !byParent.isEmpty else { return [] }
        return run.entries.compactMap { first -> FollowUpThread? in
            guard first.probe.turn == nil, byParent[first.key.description] != nil else { return nil }
            var turns = [first]
            while let last = turns.last, let next = byParent[last.key.description], turns.count < 100 {
                turns.append(next)
            }
            return FollowUpThread(
                suite: first.key.suite, root: first.probe.id, sample: first.key.sample,
                streamed: first.key.streamed, turns: turns)
        }
    }
}
