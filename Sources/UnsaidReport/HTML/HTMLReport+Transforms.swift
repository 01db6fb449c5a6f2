import Foundation

extension HTMLReport {
    /// The transforms table: badges per verdict, keyword-sensitive cells outlined.
    static func transformSection(_ document: ReportDocument) -> String {
        let found = TransformComparison.byRun(document)
        guard !found.isEmpty else { return "" }
        let flag = TransformComparison.keywordSensitiveFlag
        var out = "<section id=\"transforms\"><h2>Transforms</h2>\n<p class=\"note\">The verdict of each plain prompt "
        out +=
            "beside the verdict of its rewrites (most frequent over samples and modes). <code>\(flag)</code>: a rewrite "
        out +=
            "turned <code>filtered</code> or <code>refused</code> into <code>answered</code>, so the block reacts to the "
        out += "wording rather than the topic.</p>\n"
        for (run, comparison) in found {
            out +=
                "<h3>\(esc(run.label)): \(comparison.sensitiveCount) of \(comparison.rows.count) probes <code>\(flag)</code></h3>\n"
            out += "<table><thead><tr><th>topic</th><th>language</th><th>probe</th><th>plain</th>"
            out +=
                comparison.transforms.map { "<th>\(esc($0))</th>" }.joined() + "<th>\(flag)</th></tr></thead><tbody>\n"
            for row in comparison.rows {
                out += "<tr><td>\(esc(row.topic ?? "–"))</td><td>\(esc(row.language))</td>"
                out +=
                    "<td><code>\(esc(row.suite))/\(esc(row.probe))</code></td><td>\(row.plain.map(badge) ?? "–")</td>"
                for name in comparison.transforms {
                    guard let verdict = row.transformed[name] else {
                        out += "<td>–</td>"
                        continue
                    }
                    let sensitive = row.keywordSensitive.contains(name)
                    // <mark> needs no style rule, so reports without transforms keep their exact bytes.
                    out +=
                        sensitive
                        ? "<td><mark title=\"\(flag)\">\(badge(verdict))</mark></td>" : "<td>\(badge(verdict))</td>"
                }
                out += "<td>\(esc(row.keywordSensitive.joined(separator: ", ")))</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</section>\n"
    }
}
