import Foundation

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
            return FollowUpThread(suite: first.key.suite, root: first.probe.id, sample: first.key.sample,
                                  streamed: first.key.streamed, turns: turns)
        }
    }
}
