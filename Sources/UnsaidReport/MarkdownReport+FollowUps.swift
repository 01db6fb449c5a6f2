import Foundation
import UnsaidSuite
import UnsaidSupport

extension MarkdownReport {
    /// Each conversation that went past its first answer: what was said, turn by turn, with verdicts.
    static func followUpSection(_ document: ReportDocument) -> String {
        let found = document.runs.map { ($0, FollowUpThread.find(in: $0)) }.filter { !$0.1.isEmpty }
        guard !found.isEmpty else { return "" }
        var out = "## Follow-up conversations\n\n"
        out += "Turns sent after an answer because of its verdict (`follow_up` in the suite); each turn is its own request. "
        out += "Follow-up turns are not counted in the rates above.\n\n"
        for (run, threads) in found {
            out += "### \(run.label)\n\n"
            for thread in threads {
                let name = WorkKey.displayName(suite: thread.suite, probe: thread.root, sample: thread.sample, streamed: thread.streamed)
                out += "#### `\(name)`: "
                out += thread.turns.map(\.verdict.verdict.rawValue).joined(separator: " → ") + "\n\n"
                for (index, entry) in thread.turns.enumerated() {
                    let said = entry.probe.messages.last(where: { $0.role == "user" })?.content ?? ""
                    out += "\(index + 1). user: \(Excerpt.of(said))\n"
                    out += "   assistant (\(entry.verdict.verdict.rawValue)): \(Excerpt.of(entry.answer))\n"
                }
                out += "\n"
            }
        }
        return out
    }
}
