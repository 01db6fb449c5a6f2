import Foundation

/// `unsaid trend` as Markdown: runs, answer rates per date, and what changed between runs.
package enum TrendMarkdown {
    package static func render(_ trend: Trend) -> String {
        var out = "# Unsaid trend: \(trend.title)\n\n"
        let runRows = trend.runs.enumerated().map { index, run in
            [
                trend.labels[index], run.manifest.runID, run.manifest.startedAt, run.manifest.ruleset.version,
                run.manifest.status.rawValue, String(run.requests.count),
            ]
        }
        out +=
            "## Runs\n\n"
            + MarkdownTable(
                header: ["date", "run", "started", "ruleset", "status", "requests"],
                rows: runRows, rightAligned: [5]
            ).render() + "\n"
        out += "## Answer rate\n\n"
        out += "Answered among scored requests (errors left out), Wilson 95% interval, per run.\n\n"
        let sections: [(String, [Trend.Series])] = [
            ("overall", [trend.overall]), ("category", trend.categories), ("topic", trend.topics),
        ]
        for (kind, series) in sections where !series.isEmpty {
            let rows = series.map { line in
                [line.scope.value] + line.estimates.map { $0?.formatted ?? "–" }
            }
            out += MarkdownTable(header: [kind] + trend.labels, rows: rows).render() + "\n"
        }
        for step in trend.steps {
            out += stepSection(step, trend: trend)
        }
        out += """
            ---
            McNemar tests compare answered vs not answered on requests paired between consecutive runs \
            (same suite, probe, content hash, sample and mode), exact and two-sided; pairs with an `error` \
            on either side are left out.

            """
        return out
    }

    static func stepSection(_ step: Trend.Step, trend: Trend) -> String {
        let before = trend.labels[step.from], after = trend.labels[step.to]
        let pairing = step.comparison.pairing
        var out = "## \(before) → \(after)\n\n"
        out +=
            "\(pairing.pairs.count) paired requests; \(pairing.changed.count) probes changed content (not compared); "
        out += "\(pairing.onlyLeft.count) requests only on \(before), \(pairing.onlyRight.count) only on \(after).\n\n"
        out += MarkdownReport.mcnemarTable(step.tests, left: before, right: after)
        if step.comparison.flips.isEmpty {
            out += "No paired request changed verdict.\n\n"
        } else {
            out += "Requests whose verdict changed (\(step.comparison.flips.count)):\n\n"
            let flipRows = step.comparison.flips.map { flip in
                [
                    flip.slot.displayName, flip.probe.topic ?? "–", flip.probe.language, flip.left.rawValue,
                    flip.right.rawValue,
                    ReportFormatting.excerptCell(flip.rightExcerpt),
                ]
            }
            out +=
                MarkdownTable(
                    header: ["request", "topic", "language", before, after, "\(after) answer"],
                    rows: flipRows
                ).render() + "\n"
        }
        if !pairing.changed.isEmpty {
            out += MarkdownReport.changedProbesList(
                pairing.changed, intro: "Probes whose content changed (listed apart, never compared):")
        }
        return out
    }
}
