import Foundation

extension MarkdownReport {
    /// Plain prompt beside each transform, per topic and language; empty without transforms.
    static func transformSection(_ document: ReportDocument) -> String {
        let found = document.runs.compactMap { run in TransformComparison.find(in: run).map { (run, $0) } }
        guard !found.isEmpty else { return "" }
        var out = "## Transforms\n\n"
        out += "The verdict of each plain prompt beside the verdict of its rewrites (most frequent over samples and modes). "
        out += "`\(TransformComparison.keywordSensitiveFlag)`: a rewrite turned `filtered` or `refused` into `answered`, "
        out += "so the block reacts to the wording rather than the topic.\n\n"
        for (run, comparison) in found {
            out += "### \(run.label): \(comparison.sensitiveCount) of \(comparison.rows.count) probes \(TransformComparison.keywordSensitiveFlag)\n\n"
            let rows = comparison.rows.map { row -> [String] in
                [row.topic ?? "–", row.language, "\(row.suite)/\(row.probe)", row.plain?.rawValue ?? "–"]
                    + comparison.transforms.map { name in
                        guard let verdict = row.transformed[name] else { return "–" }
                        return row.keywordSensitive.contains(name) ? "**\(verdict.rawValue)**" : verdict.rawValue
                    }
                    + [row.keywordSensitive.joined(separator: ", ")]
            }
            out += MarkdownTable(header: ["topic", "language", "probe", "plain"] + comparison.transforms
                                 + [TransformComparison.keywordSensitiveFlag], rows: rows).render() + "\n"
        }
        return out
    }
}
