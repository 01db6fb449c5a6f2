import Foundation
import UnsaidSuite
import UnsaidSupport

extension MarkdownReport {
    /// Each conversation that went past its first answer: what was said, turn by turn, with verdicts.
    static func followUpSection(_ document: ReportDocument) throws -> String {
        let found = FollowUpThread.byRun(document)
        guard !found.isEmpty else { return "" }
        var out = "## Follow-up conversations\n\nTurns sent after an answer because of its verdict (`follow_up` in the "
        out += "suite); each turn is its own request. Follow-up turns are not counted in the rates above.\n\n"
        for (run, threads) in found {
            out += "### \(run.label)\n\n"
            for thread in threads {
                let verdicts = thread.verdicts.map(\.rawValue)
                out += "#### `\(thread.displayName)`: \(verdicts.joined(separator: " → "))\n\n"
                for (index, (said, entry)) in try thread.exchanges(in: run).enumerated() {
                    out += "\(index + 1). user: \(Excerpt.of(said))\n"
                    out += "   assistant (\(entry.verdict.verdict.rawValue)): \(Excerpt.of(entry.answer))\n"
                }
                out += "\n"
            }
        }
        return out
    }
}
