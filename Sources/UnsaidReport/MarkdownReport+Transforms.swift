import Foundation

extension MarkdownReport {
    /// Plain prompt beside each transform, per topic and language; empty without transforms.
    static func transformSection(_ document: ReportDocument) -> String {
        let found = TransformComparison.byRun(document)
        guard !found.isEmpty else { return "" }
        let flag = TransformComparison.keywordSensitiveFlag
        var out = "## Transforms\n\nThe verdict of each plain prompt beside the verdict of its rewrites (most frequent "
        out +=
            "over samples and modes). `\(flag)`: a rewrite turned `filtered` or `refused` into `answered`, so the block "
        out += "reacts to the wording rather than the topic.\n\n"
        for (run, comparison) in found {
            out += "### \(run.label): \(comparison.sensitiveCount) of \(comparison.rows.count) probes \(flag)\n\n"
            let rows = comparison.rows.map { row -> [String] in
                [row.topic ?? "–", row.language, "\(row.suite)/\(row.probe)", row.plain?.rawValue ?? "–"]
                    + comparison.transforms.map { name in
                        guard let verdict = row.transformed[name] else { return "–" }
                        return row.keywordSensitive.contains(name) ? "**\(verdict.rawValue)**" : verdict.rawValue
                    }
                    + [row.keywordSensitive.joined(separator: ", ")]
            }
            out +=
                MarkdownTable(
                    header: ["topic", "language", "probe", "plain"] + comparison.transforms + [flag],
                    rows: rows
                ).render() + "\n"
        }
        return out
    }
}
