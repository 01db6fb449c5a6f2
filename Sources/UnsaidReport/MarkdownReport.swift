import Foundation
import UnsaidSuite

/// The Markdown report: runs, verdict summary, rates with Wilson 95% intervals, paired
/// comparisons with exact McNemar tests and flips, language differences and consistency.
/// `unsaid compare` prints the same text.
package enum MarkdownReport {
    package static func render(_ document: ReportDocument) throws -> String {
        var out = "# Unsaid report: \(ReportFormatting.runTitle(document))\n\n"
        out += runsSection(document)
        out += summarySection(document)
        out += try reviewSection(document)
        out += ratesSection(document)
        out += comparisonSections(document)
        out += languageSection(document)
        out += transformSection(document)
        out += try followUpSection(document)
        out += consistencySection(document)
        out += """
            ---
            Rates count every request (probe × sample × mode) except those with verdict `error`. \
            Intervals are Wilson 95%. McNemar tests compare answered vs not answered on paired \
            requests (same suite, probe, content hash, sample and mode) and are exact two-sided.

            """
        return out
    }

    static func runsSection(_ document: ReportDocument) -> String {
        let rows = document.runs.map { run -> [String] in
            let manifest = run.manifest
            return [
                run.label, manifest.runID, manifest.target.name, manifest.target.model,
                manifest.suites.map { "\($0.id)@\($0.version)" }.joined(separator: ", "),
                manifest.ruleset.version, manifest.startedAt, manifest.status.rawValue, String(run.requests.count),
            ]
        }
        let table = MarkdownTable(
            header: ["label", "run", "target", "model", "suites", "ruleset", "started", "status", "requests"],
            rows: rows, rightAligned: [8])
        return "## Runs\n\n" + table.render() + "\n"
    }

    static func summarySection(_ document: ReportDocument) -> String {
        var rows: [[String]] = VerdictLabel.allCases.map { label in
            [label.rawValue]
                + document.metrics.map { ReportFormatting.countCell($0.overall.count(label), of: $0.overall.requests) }
        }
        rows.append(["total"] + document.metrics.map { String($0.overall.requests) })
        rows.append(["as expected"] + document.metrics.map { String($0.overall.count(.pass)) })
        rows.append(["not as expected"] + document.metrics.map { String($0.overall.count(.fail)) })
        rows.append(["unscored"] + document.metrics.map { String($0.overall.count(.unscored)) })
        let table = MarkdownTable(
            header: ["verdict"] + document.runs.map(\.label), rows: rows,
            rightAligned: Set(1...document.runs.count))
        return "## Summary\n\n" + table.render() + "\n"
    }

    /// Reviewed labels beside the machine verdicts; absent when nobody has reviewed anything.
    static func reviewSection(_ document: ReportDocument) throws -> String {
        let rows = document.runs.flatMap { run in
            run.reviewed.compactMap { index -> [String]? in
                guard let review = run.reviews[index] else { return nil }
                let request = run.requests[index]
                return [
                    run.label, "`\(request.key.displayName)`", request.verdict.rawValue, review.label,
                    review.overrides ? "yes" : "no", review.reviewer, review.at, review.note ?? "",
                ]
            }
        }
        guard !rows.isEmpty else { return "" }
        let table = MarkdownTable(
            header: ["model", "request", "machine", "reviewed", "override", "reviewer", "at", "note"], rows: rows)
        return
            "## Reviewed labels\n\nLabels people gave in `unsaid review` (labels.jsonl); the figures above use the machine verdicts.\n\n"
            + table.render() + "\n"
    }

    static func ratesSection(_ document: ReportDocument) -> String {
        var out = "## Rates\n\n### Overall\n\n"
        let overallRows = RateMetric.allCases.map { metric in
            [metric.rawValue] + document.metrics.map { $0.overall.rate(metric)?.formatted ?? "–" }
        }
        out += MarkdownTable(header: ["rate"] + document.runs.map(\.label), rows: overallRows).render() + "\n"
        for kind in SliceKind.allCases {
            let rows = document.sliceRows(kind).map { row in
                [row.value, row.run.label, String(row.slice.scored)]
                    + ReportFormatting.sliceRates.map { ReportFormatting.rateCell(row.slice.rate($0)) }
            }
            guard !rows.isEmpty else { continue }
            let table = MarkdownTable(
                header: [kind.column, "model", "n"] + ReportFormatting.sliceRates.map(\.title),
                rows: rows, rightAligned: [2])
            out += "### By \(kind.column)\n\n" + table.render() + "\n"
        }
        return out
    }

    static func comparisonSections(_ document: ReportDocument) -> String {
        var out = ""
        for comparison in document.comparisons {
            let left = document.runs[comparison.left].label
            let right = document.runs[comparison.right].label
            out += "## \(left) vs \(right)\n\n"
            let pairing = comparison.pairing
            out += ReportFormatting.pairingSummary(comparison, left: left, right: right) + "\n\n"
            out += mcnemarTable(comparison.tests, left: left, right: right)
            if !pairing.changed.isEmpty {
                out += changedProbesList(
                    pairing.changed, intro: "Probes whose content changed between the runs (refused to pair):")
            }
            if comparison.flips.isEmpty {
                out += "No paired request changed verdict.\n\n"
            } else {
                out += "Requests whose verdict flips (\(comparison.flips.count)):\n\n"
                let rows = comparison.flips.map { flip in
                    [
                        flip.slot.displayName, flip.probe.language, flip.left.rawValue, flip.right.rawValue,
                        ReportFormatting.excerptCell(flip.leftExcerpt), ReportFormatting.excerptCell(flip.rightExcerpt),
                    ]
                }
                out +=
                    MarkdownTable(
                        header: ["request", "language", left, right, "\(left) answer", "\(right) answer"],
                        rows: rows
                    ).render() + "\n"
            }
        }
        return out
    }

    /// The exact McNemar tests of a comparison of two runs (the report's comparisons and the trend's
    /// steps), one row per scope, under a line saying what they test.
    static func mcnemarTable(_ tests: [McNemarResult], left: String, right: String) -> String {
        let rows = tests.map { test in
            [
                test.scope, String(test.pairs), String(test.bothAnswered), String(test.onlyLeftAnswered),
                String(test.onlyRightAnswered), String(test.neitherAnswered), ReportFormatting.pValue(test.pValue),
            ]
        }
        return "Exact McNemar test on answered vs not answered:\n\n"
            + MarkdownTable(
                header: ["scope", "pairs", "both answered", "only \(left)", "only \(right)", "neither", "p"],
                rows: rows, rightAligned: Set(1...6)
            ).render() + "\n"
    }

    /// Probes whose content changed between two runs (never paired), as a list under `intro`.
    static func changedProbesList(_ changed: [ProbePairing.ChangedProbe], intro: String) -> String {
        intro + "\n\n"
            + changed.map { "- `\($0.suite)/\($0.probe)`: \($0.leftHash.prefix(12)) → \($0.rightHash.prefix(12))\n" }
            .joined()
            + "\n"
    }

    static func languageSection(_ document: ReportDocument) -> String {
        guard document.languageFlips.contains(where: { !$0.isEmpty }) else { return "" }
        var out = "## Language differences within a model\n\n"
        out += "Probes that share a group (translations of one question) but got different verdicts.\n\n"
        for (run, flips) in zip(document.runs, document.languageFlips) where !flips.isEmpty {
            out += "### \(run.label)\n\n"
            var rows: [[String]] = []
            for flip in flips {
                for (index, member) in flip.members.enumerated() {
                    rows.append([
                        index == 0 ? flip.group : "", member.language, "\(member.suite)/\(member.probe)",
                        member.verdict.rawValue, String(member.requests), ReportFormatting.excerptCell(member.excerpt),
                    ])
                }
            }
            out +=
                MarkdownTable(
                    header: ["group", "language", "probe", "verdict", "n", "answer"], rows: rows,
                    rightAligned: [4]
                ).render() + "\n"
        }
        return out
    }

    static func consistencySection(_ document: ReportDocument) -> String {
        guard document.metrics.contains(where: { !$0.consistency.isEmpty }) else { return "" }
        var out = "## Consistency across samples\n\n"
        out += "Share of a probe's samples that got its most frequent verdict (runs with repeat > 1).\n\n"
        for (run, metrics) in zip(document.runs, document.metrics) where !metrics.consistency.isEmpty {
            out += "### \(run.label): mean \(Percent.format(metrics.meanConsistency ?? 0))\n\n"
            let rows = metrics.consistency.map { item in
                let spread = VerdictLabel.allCases.compactMap { label in
                    item.verdicts[label.rawValue].map { "\(label.rawValue) \($0)" }
                }.joined(separator: ", ")
                return [
                    "\(item.suite)/\(item.probe)", WorkKey.streamSetting(item.streamed), String(item.samples),
                    item.majority.rawValue, Percent.format(item.share), spread,
                ]
            }
            out +=
                MarkdownTable(
                    header: ["probe", "stream", "samples", "majority", "agreement", "verdicts"], rows: rows,
                    rightAligned: [2, 4]
                ).render() + "\n"
        }
        return out
    }
}
