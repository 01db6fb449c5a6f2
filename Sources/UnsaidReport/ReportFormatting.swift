import Foundation

/// Number and label formatting shared by the text renderers (Markdown, HTML, JUnit).
package enum ReportFormatting {
    /// `0.0391`, `1.0000`, or `3.2e-05` for very small values.
    static func pValue(_ p: Double) -> String {
        p >= 0.001 ? String(format: "%.4f", p) : String(format: "%.1e", p)
    }

    /// `80.0% [49.0–94.3]`, or `–` when there is no data.
    static func rateCell(_ estimate: RateEstimate?) -> String {
        guard let estimate else { return "–" }
        return "\(Percent.format(estimate.rate)) [\(Percent.bare(estimate.lower))–\(Percent.bare(estimate.upper))]"
    }

    /// `5 (50.0%)`.
    static func countCell(_ count: Int, of total: Int) -> String {
        let share = total == 0 ? 0 : Double(count) / Double(total)
        return "\(count) (\(Percent.format(share)))"
    }

    /// The rates shown per slice: the general ones. The category-specific rates only restate
    /// them inside a category, so they appear in the overall table alone.
    static let sliceRates: [RateMetric] = [.answerRate, .refusalRate, .deflectionRate, .retractionRate]

    /// `(no text)` for an empty answer, so an empty cell is not mistaken for a rendering gap.
    static func excerptCell(_ excerpt: String) -> String { excerpt.isEmpty ? "(no text)" : excerpt }

    /// `9 paired requests (8 without errors); 1 probe changed (not compared); …`
    package static func pairingSummary(_ comparison: RunComparison, left: String, right: String) -> String {
        let pairing = comparison.pairing
        let usable = comparison.tests.first?.pairs ?? 0
        return "\(plural(pairing.pairs.count, "paired request")) (\(usable) without errors); "
            + "\(plural(pairing.changed.count, "probe")) changed (not compared); "
            + "\(plural(pairing.onlyLeft.count, "request")) only in \(left); \(pairing.onlyRight.count) only in \(right)."
    }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    static func runTitle(_ document: ReportDocument) -> String {
        document.runs.map(\.label).joined(separator: " vs ")
    }
}
