import Foundation

/// `unsaid trend --format html`: one self-contained page (no network, no script) with the
/// answer rate per category and topic as small multiples, and the tables of the Markdown output.
package enum TrendHTML {
    /// Panels sit side by side; the report's own style sheet has no rule for that.
    static let extraStyle = ".multiples{display:flex;flex-wrap:wrap;gap:8px 18px}"

    package static func render(_ trend: Trend) -> String {
        let style = HTMLAssets.style + extraStyle
        let policy =
            "default-src 'none'; style-src \(HTMLAssets.cspHash(style)); img-src data:; base-uri 'none'; form-action 'none'"
        var out = runsSection(trend)
        out += chartSection(trend)
        out += rateTables(trend)
        for step in trend.steps { out += stepSection(step, trend: trend) }
        let footer = """
            Answer rate: answered among scored requests, Wilson 95% intervals. McNemar tests are exact and \
            two-sided on requests paired between consecutive runs (same probe, content hash, sample and mode). \
            Generated offline from the run archives.
            """
        return HTMLPage.render(
            title: "Unsaid trend: \(trend.title)", heading: "Unsaid trend", subtitle: esc(trend.title),
            policy: policy, style: style, main: out, footer: footer)
    }

    static func runsSection(_ trend: Trend) -> String {
        var out = "<section id=\"runs\"><h2>Runs</h2>\n<table><thead><tr><th>date</th><th>run</th><th>started</th>"
        out += "<th>ruleset</th><th>status</th><th class=\"num\">requests</th></tr></thead><tbody>\n"
        for (index, run) in trend.runs.enumerated() {
            let manifest = run.manifest
            out +=
                "<tr><td>\(esc(trend.labels[index]))</td><td><code>\(esc(manifest.runID))</code></td><td>\(esc(manifest.startedAt))</td>"
            out +=
                "<td>\(esc(manifest.ruleset.version))</td><td>\(esc(manifest.status.rawValue))</td><td class=\"num\">\(run.requests.count)</td></tr>\n"
        }
        return out + "</tbody></table></section>\n"
    }

    static func chartSection(_ trend: Trend) -> String {
        var out = "<section id=\"charts\"><h2>Answer rate over time</h2>\n"
        let groups: [(String, [Trend.Series], Int)] = [
            ("Overall and by category", [trend.overall] + trend.categories, 0), ("By topic", trend.topics, 1),
        ]
        for (heading, series, color) in groups where !series.isEmpty {
            out += "<h3>\(heading)</h3>\n<div class=\"multiples\">\n"
            for line in series {
                out +=
                    SVGCharts.trendPanel(
                        title: line.scope.value, labels: trend.labels, estimates: line.estimates, colorIndex: color)
                    + "\n"
            }
            out += "</div>\n"
        }
        return out + "</section>\n"
    }

    static func rateTables(_ trend: Trend) -> String {
        var out = "<section id=\"rates\"><h2>Answer rate</h2>\n"
        let sections: [(String, [Trend.Series])] = [
            ("category", [trend.overall] + trend.categories), ("topic", trend.topics),
        ]
        for (kind, series) in sections where !series.isEmpty {
            out +=
                "<table><thead><tr><th>\(kind)</th>" + trend.labels.map { "<th class=\"num\">\(esc($0))</th>" }.joined()
                + "</tr></thead><tbody>\n"
            for line in series {
                out += "<tr><td>\(esc(line.scope.value))</td>"
                out += line.estimates.map { "<td class=\"num\">\(esc($0?.formatted ?? "–"))</td>" }.joined() + "</tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</section>\n"
    }

    static func stepSection(_ step: Trend.Step, trend: Trend) -> String {
        let before = trend.labels[step.from], after = trend.labels[step.to]
        let pairing = step.comparison.pairing
        var out = "<section><h2>\(esc(before)) → \(esc(after))</h2>\n"
        out +=
            "<p>\(pairing.pairs.count) paired requests; \(pairing.changed.count) probes changed content (not compared).</p>\n"
        out += HTMLReport.mcnemarTable(step.tests, left: before, right: after, pHeader: "p")
        if !step.comparison.flips.isEmpty {
            out +=
                "<h3>Requests whose verdict changed</h3>\n<table><thead><tr><th>request</th><th>topic</th><th>language</th>"
            out += "<th>\(esc(before))</th><th>\(esc(after))</th><th>\(esc(after)) answer</th></tr></thead><tbody>\n"
            for flip in step.comparison.flips {
                out += "<tr><td><code>\(esc(flip.slot.displayName))</code></td><td>\(esc(flip.probe.topic ?? "–"))</td>"
                out +=
                    "<td>\(esc(flip.probe.language))</td><td>\(HTMLReport.badge(flip.left))</td><td>\(HTMLReport.badge(flip.right))</td>"
                out += "<td>\(esc(ReportFormatting.excerptCell(flip.rightExcerpt)))</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        if !pairing.changed.isEmpty {
            out += HTMLReport.changedProbesList(
                pairing.changed, intro: "<h3>Probes whose content changed (listed apart, never compared)</h3>\n")
        }
        return out + "</section>\n"
    }

    static func esc(_ text: String) -> String { XMLEscaping.escape(text) }
}
