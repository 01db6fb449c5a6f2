import Foundation
import UnsaidSuite

/// The end-of-run table: how many requests got each verdict, and how outcomes compare with
/// what the probes expected.
package struct VerdictSummary: Sendable, Equatable {
    package var counts: [VerdictLabel: Int]
    package var outcomes: [Outcome: Int]
    package var total: Int

    package init(_ verdicts: [Verdict]) {
        counts = [:]
        outcomes = [:]
        total = 0
        for verdict in verdicts { add(verdict) }
    }

    /// Counts one more verdict (for readers that stream an archive instead of holding it).
    package mutating func add(_ verdict: Verdict) {
        counts[verdict.verdict, default: 0] += 1
        outcomes[verdict.outcome, default: 0] += 1
        total += 1
    }

    /// A plain-text table, stable for golden tests: every verdict label appears, in taxonomy order.
    package func renderTable() -> String {
        let width = VerdictLabel.allCases.map(\.rawValue.count).max() ?? 10
        var lines = ["verdict".padding(toLength: width, withPad: " ", startingAt: 0) + "  count  share"]
        for label in VerdictLabel.allCases {
            let count = counts[label] ?? 0
            let share = total == 0 ? 0 : Double(count) * 100 / Double(total)
            let name = label.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append(name + "  " + pad(String(count), 5) + "  " + pad(String(format: "%.1f%%", share), 6))
        }
        lines.append("total".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad(String(total), 5))
        let pass = outcomes[.pass] ?? 0
        let fail = outcomes[.fail] ?? 0
        let unscored = outcomes[.unscored] ?? 0
        lines.append("")
        lines.append("against expectations: \(pass) as expected, \(fail) not as expected, \(unscored) unscored")
        return lines.joined(separator: "\n") + "\n"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// Whether any request ended in a transport or HTTP error (CLI exit code 1).
    package var hasErrors: Bool { (counts[.error] ?? 0) > 0 }
}
