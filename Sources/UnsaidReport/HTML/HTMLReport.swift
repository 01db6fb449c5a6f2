import Foundation
import UnsaidSuite
import UnsaidVerdict
import UnsaidArchive

/// One self-contained HTML file: no network, no external scripts, fonts or style sheets. Inline
/// SVG charts, a filterable table of every request with prompt, answer, verdict and highlighted
/// evidence, and the stream timeline of retractions. Everything that came from a model, a
/// provider or a suite is escaped; a Content-Security-Policy allows only the report's own inline
/// style and script (by hash).
package enum HTMLReport {
    package static func render(_ document: ReportDocument) throws -> String {
        try ReportWriter.collect { try render(document, to: $0) }
    }

    /// The page is written in parts: the sections before the requests, each request as its
    /// entry is read back, then the glossary and the end of the page.
    package static func render(_ document: ReportDocument, to writer: ReportWriter) throws {
        let runTitle = ReportFormatting.runTitle(document)
        try writer.write(
            HTMLPage.head(
                title: "Unsaid report: \(runTitle)", heading: "Unsaid report",
                subtitle: "\(esc(runTitle)) · <a href=\"#glossary\">what the rates and verdicts mean</a>",
                policy: HTMLAssets.contentSecurityPolicy, style: HTMLAssets.style))
        var out = runsSection(document)
        out += ratesSection(document)
        out += chartsSection(document)
        out += comparisonSections(document)
        out += languageSection(document)
        out += transformSection(document)
        out += try followUpSection(document)
        out += consistencySection(document)
        try writer.write(out)
        try probeSection(document, to: writer)
        try writer.write(glossarySection(document))
        let footer = """
            Rates count every request (probe × sample × mode) except those with verdict <code>error</code>; \
            intervals are Wilson 95%; McNemar tests are exact and two-sided on paired answered / not answered outcomes. \
            Generated offline from the run archives.
            """
        try writer.write(HTMLPage.tail(footer: footer, script: HTMLAssets.script))
    }

    // MARK: Sections

    static func runsSection(_ document: ReportDocument) -> String {
        var rows = ""
        for run in document.runs {
            let manifest = run.manifest
            let suites = manifest.suites.map { "\($0.id)@\($0.version)" }.joined(separator: ", ")
            // Long names (labels, run ids, URLs) may break anywhere; the start time is on two lines,
            // date and time, and the short words not at all, so the table fits 1280 px.
            rows +=
                "<tr><td class=\"brk\">\(esc(run.label))</td><td class=\"brk\"><code>\(esc(manifest.runID))</code></td>"
            rows +=
                "<td class=\"brk\">\(esc(manifest.target.name))</td><td class=\"brk\">\(esc(manifest.target.baseURL))</td>"
            rows += "<td class=\"brk\">\(esc(suites))</td><td class=\"brk\">\(esc(manifest.ruleset.version))</td>"
            rows += "<td>\(esc(manifest.startedAt).replacingOccurrences(of: "T", with: "T<br>"))</td>"
            rows +=
                "<td class=\"nw\">\(esc(manifest.status.rawValue))</td><td class=\"num\">\(run.requests.count)</td></tr>\n"
        }
        return
            "<section id=\"runs\"><h2>Runs</h2>\n<table class=\"runs\"><thead><tr><th>model</th><th>run</th><th>target</th><th>endpoint</th>"
            + "<th>suites</th><th>ruleset</th><th>started</th><th>status</th><th class=\"num\">requests</th></tr></thead><tbody>\n"
            + rows + "</tbody></table></section>\n"
    }

    static func ratesSection(_ document: ReportDocument) -> String {
        var out = "<section id=\"rates\"><h2>Rates</h2>\n<table><thead><tr><th>rate</th>"
        out += document.runs.map { "<th>\(esc($0.label))</th>" }.joined() + "</tr></thead><tbody>\n"
        for metric in RateMetric.allCases {
            out += "<tr><td><a href=\"#g-\(metric.rawValue)\"><code>\(metric.rawValue)</code></a></td>"
            out += document.metrics.map { "<td class=\"num\">\(esc($0.overall.rate(metric)?.formatted ?? "–"))</td>" }
                .joined()
            out += "</tr>\n"
        }
        out += "<tr><td>as expected / not / unscored</td>"
        out += document.metrics.map {
            "<td class=\"num\">\($0.overall.count(.pass)) / \($0.overall.count(.fail)) / \($0.overall.count(.unscored))</td>"
        }.joined()
        out += "</tr>\n</tbody></table>\n"
        for kind in SliceKind.allCases {
            let rows = document.sliceRows(kind)
            guard !rows.isEmpty else { continue }
            out +=
                "<details><summary>Rates by \(kind.column)</summary>\n<table><thead><tr><th>\(kind.column)</th><th>model</th>"
            out +=
                "<th class=\"num\">n</th>"
                + ReportFormatting.sliceRates.map { "<th class=\"num\">\($0.title)</th>" }.joined()
            out += "</tr></thead><tbody>\n"
            for row in rows {
                out +=
                    "<tr><td>\(esc(row.value))</td><td>\(esc(row.run.label))</td><td class=\"num\">\(row.slice.scored)</td>"
                out += ReportFormatting.sliceRates.map {
                    "<td class=\"num\">\(esc(ReportFormatting.rateCell(row.slice.rate($0))))</td>"
                }.joined()
                out += "</tr>\n"
            }
            out += "</tbody></table></details>\n"
        }
        return out + "</section>\n"
    }

    static func chartsSection(_ document: ReportDocument) -> String {
        var out = "<section id=\"charts\"><h2>Charts</h2>\n"
        let multi = document.runs.count > 1
        func stacks(_ kind: SliceKind) -> [SVGCharts.StackRow] {
            document.sliceRows(kind).map { SVGCharts.StackRow(group: $0.value, label: $0.run.label, slice: $0.slice) }
        }
        let overall = zip(document.runs, document.metrics).map {
            SVGCharts.StackRow(group: "all requests", label: $0.label, slice: $1.overall)
        }
        out += "<h3>Verdicts by category\(multi ? " and model" : "")</h3>\n"
        out += SVGCharts.verdictStacks(overall + stacks(.category), title: "Verdicts by category")
        let topics = stacks(.topic)
        if !topics.isEmpty {
            out += "<h3>Verdicts by topic\(multi ? " and model" : "")</h3>\n"
            out += SVGCharts.verdictStacks(topics, title: "Verdicts by topic")
        }
        var rateRows: [SVGCharts.IntervalRow] = []
        for metric in RateMetric.allCases {
            for (index, metrics) in document.metrics.enumerated() {
                guard let estimate = metrics.overall.rate(metric) else { continue }
                rateRows.append(
                    .init(
                        group: metric.rawValue, label: document.runs[index].label, colorIndex: index, estimate: estimate
                    ))
            }
        }
        out +=
            "<h3>Rates with Wilson 95% intervals</h3>\n"
            + SVGCharts.intervals(rateRows, title: "Rates with 95% intervals")
        for kind in [SliceKind.category, .language] {
            let title = "Answer rate by \(kind.column)"
            let rows = document.sliceRows(kind).compactMap { row in
                row.slice.rate(.answerRate).map {
                    SVGCharts.IntervalRow(
                        group: row.value, label: row.run.label, colorIndex: row.runIndex, estimate: $0)
                }
            }
            guard !rows.isEmpty else { continue }
            out += "<h3>\(title)</h3>\n" + SVGCharts.intervals(rows, title: title)
        }
        return out + "</section>\n"
    }

    static func comparisonSections(_ document: ReportDocument) -> String {
        guard !document.comparisons.isEmpty else { return "" }
        var out = "<section id=\"comparisons\"><h2>Comparisons</h2>\n"
        for comparison in document.comparisons {
            let left = document.runs[comparison.left].label
            let right = document.runs[comparison.right].label
            let pairing = comparison.pairing
            out += "<h3>\(esc(left)) vs \(esc(right))</h3>\n"
            out +=
                "<p class=\"note\">\(esc(ReportFormatting.pairingSummary(comparison, left: left, right: right)))</p>\n"
            out += mcnemarTable(
                comparison.tests, left: left, right: right,
                pHeader: "<a href=\"#g-mcnemar\">exact McNemar p</a>")
            if !pairing.changed.isEmpty {
                out += changedProbesList(
                    pairing.changed, intro: "<p>Probes whose content changed between the runs (refused to pair):</p>")
            }
            if comparison.flips.isEmpty {
                out += "<p class=\"note\">No paired request changed verdict.</p>\n"
                continue
            }
            out += "<table><thead><tr><th>request</th><th>language</th><th>\(esc(left))</th><th>\(esc(right))</th>"
            out += "<th>\(esc(left)) answer</th><th>\(esc(right)) answer</th></tr></thead><tbody>\n"
            for flip in comparison.flips {
                out += "<tr><td><code>\(key(flip.slot.displayName))</code></td><td>\(esc(flip.probe.language))</td>"
                out += "<td>\(badge(flip.left))</td><td>\(badge(flip.right))</td>"
                out += excerptCell(flip.leftExcerpt, language: flip.probe.language)
                out += excerptCell(flip.rightExcerpt, language: flip.probe.language) + "</tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</section>\n"
    }

    static func languageSection(_ document: ReportDocument) -> String {
        guard document.languageFlips.contains(where: { !$0.isEmpty }) else { return "" }
        var out = "<section id=\"languages\"><h2>Language differences within a model</h2>\n"
        out +=
            "<p class=\"note\">Probes that share a group (translations of one question) but got different verdicts.</p>\n"
        for (run, flips) in zip(document.runs, document.languageFlips) where !flips.isEmpty {
            out += "<h3>\(esc(run.label))</h3>\n<table><thead><tr><th>group</th><th>language</th><th>probe</th>"
            out += "<th>verdict</th><th class=\"num\">n</th><th>answer</th></tr></thead><tbody>\n"
            for flip in flips {
                for (index, member) in flip.members.enumerated() {
                    out += "<tr><td>\(index == 0 ? esc(flip.group) : "")</td><td>\(esc(member.language))</td>"
                    out +=
                        "<td><code>\(esc(member.suite))/\(esc(member.probe))</code></td><td>\(badge(member.verdict))</td>"
                    out +=
                        "<td class=\"num\">\(member.requests)</td>\(excerptCell(member.excerpt, language: member.language))</tr>\n"
                }
            }
            out += "</tbody></table>\n"
        }
        return out + "</section>\n"
    }

    static func consistencySection(_ document: ReportDocument) -> String {
        guard document.metrics.contains(where: { !$0.consistency.isEmpty }) else { return "" }
        var out = "<section id=\"consistency\"><h2>Consistency across samples</h2>\n"
        out += "<p class=\"note\">Share of a probe's samples that got its most frequent verdict.</p>\n"
        for (run, metrics) in zip(document.runs, document.metrics) where !metrics.consistency.isEmpty {
            out += "<h3>\(esc(run.label)): mean \(Percent.format(metrics.meanConsistency ?? 0))</h3>\n"
            out += "<table><thead><tr><th>probe</th><th>stream</th><th class=\"num\">samples</th><th>majority</th>"
            out += "<th class=\"num\">agreement</th><th>verdicts</th></tr></thead><tbody>\n"
            for item in metrics.consistency {
                let spread = VerdictLabel.allCases.compactMap { label in
                    item.verdicts[label.rawValue].map { "\(label.rawValue) \($0)" }
                }
                out +=
                    "<tr><td><code>\(esc(item.suite))/\(esc(item.probe))</code></td><td>\(WorkKey.streamSetting(item.streamed))</td>"
                out +=
                    "<td class=\"num\">\(item.samples)</td><td>\(badge(item.majority))</td><td class=\"num\">\(Percent.format(item.share))</td>"
                out += "<td>\(esc(spread.joined(separator: ", ")))</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</section>\n"
    }

    static func probeSection(_ document: ReportDocument, to writer: ReportWriter) throws {
        let total = document.runs.reduce(0) { $0 + $1.requests.count }
        var out = "<section id=\"probes\"><h2>Requests</h2>\n<div class=\"filters\">"
        out +=
            "<input id=\"f-text\" type=\"search\" placeholder=\"Filter by probe, topic, prompt or answer…\" aria-label=\"filter text\">"
        out += "<select id=\"f-verdict\" aria-label=\"verdict\"><option value=\"\">all verdicts</option>"
        out +=
            VerdictLabel.allCases.map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" }.joined()
            + "</select>"
        if document.runs.count > 1 {
            out += "<select id=\"f-run\" aria-label=\"model\"><option value=\"\">all models</option>"
            out += document.runs.enumerated().map { "<option value=\"\($0.offset)\">\(esc($0.element.label))</option>" }
                .joined()
            out += "</select>"
        }
        out += "<select id=\"f-outcome\" aria-label=\"outcome\"><option value=\"\">any outcome</option>"
        out += "<option value=\"fail\">not as expected</option><option value=\"pass\">as expected</option>"
        out += "<option value=\"unscored\">unscored</option></select>"
        out += "<span id=\"f-count\" class=\"note\">\(total) of \(total) requests</span></div>\n"
        out +=
            "<div class=\"probe-head grid\"><span>model</span><span>request</span><span>category</span><span>topic</span>"
        out += "<span>language</span><span>expect</span><span>verdict</span><span>outcome</span></div>\n"
        out += "<div id=\"probe-list\">\n"
        try writer.write(out)
        for (index, run) in document.runs.enumerated() {
            try run.forEachEntry { entry in try writer.write(probe(entry, run: run, runIndex: index)) }
        }
        try writer.write("</div></section>\n")
    }

    static func probe(_ entry: ReportEntry, run: ReportRun, runIndex: Int) -> String {
        let verdict = entry.verdict
        let search = [
            run.label, entry.key.displayName, entry.key.description, entry.probe.topic ?? "", entry.probe.language,
            entry.probe.category.rawValue, verdict.verdict.rawValue, entry.probe.prompt,
            String(entry.answer.prefix(400)),
        ].joined(separator: " ")
            .split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ").lowercased()
        var out = "<details class=\"probe\" data-run=\"\(runIndex)\" data-verdict=\"\(verdict.verdict.rawValue)\""
        out += " data-outcome=\"\(verdict.outcome.rawValue)\" data-search=\"\(esc(search))\">\n"
        out +=
            "<summary class=\"grid\"><span>\(esc(run.label))</span><span><code>\(key(entry.key.displayName))</code></span>"
        out += "<span>\(esc(entry.probe.category.rawValue))</span><span>\(esc(entry.probe.topic ?? "–"))</span>"
        out +=
            "<span>\(esc(entry.probe.language))</span><span>\(verdict.expect.rawValue)</span><span>\(badge(verdict.verdict))"
        if let review = entry.review { out += " <span title=\"reviewed label\">→</span> \(reviewBadge(review.label))" }
        out += "</span>"
        out += "<span class=\"o-\(verdict.outcome.rawValue)\">\(outcomeText(verdict.outcome))</span></summary>\n"
        out += "<div class=\"detail\">\n<dl>"
        out += "<dt>probe hash</dt><dd><code>\(esc(entry.key.probeHash))</code></dd>"
        if let group = entry.probe.group { out += "<dt>group</dt><dd>\(esc(group))</dd>" }
        if let turn = entry.probe.turn {
            out +=
                "<dt>conversation</dt><dd>turn \(turn.turn), after <code>\(key(RequestReference.displayName(of: turn.parent)))</code></dd>"
        }
        out +=
            "<dt>rules</dt><dd>\(verdict.rules.isEmpty ? "none" : verdict.rules.map { "<code>\(esc($0))</code>" }.joined(separator: " "))</dd>"
        if !verdict.flags.isEmpty {
            out +=
                "<dt>flags</dt><dd>\(verdict.flags.map { "<code>\(esc($0.wire))</code>" }.joined(separator: " "))</dd>"
        }
        if let attempt = entry.attempt {
            let status = attempt.status.map(String.init) ?? "none"
            let finish = attempt.response.finishReason ?? "none"
            out +=
                "<dt>attempt</dt><dd>\(attempt.index + 1) of \(entry.transcript.attempts.count); HTTP \(esc(status)); "
            out += "finish_reason \(esc(finish)); \(StreamTimeline.ms(attempt.elapsed)) ms"
            if let failure = attempt.failure { out += "; \(esc(failure.kind.rawValue)): \(esc(failure.message))" }
            out += "</dd>"
        }
        out += "<dt>ruleset</dt><dd>\(esc(verdict.ruleset))</dd>"
        if let review = entry.review {
            out += "<dt>reviewed</dt><dd>\(reviewBadge(review.label)) by \(esc(review.reviewer)) at \(esc(review.at))"
            if let note = review.note { out += ": \(esc(note))" }
            out += "</dd>"
        }
        out += "</dl>\n"
        // Prompts and answers are in the probe's language; the page around them is English.
        let lang = HTMLLanguage.attribute(entry.probe.language)
        for message in entry.probe.messages {
            out += "<div class=\"role\">\(esc(message.role))</div><pre\(lang)>\(esc(message.content))</pre>\n"
        }
        out +=
            "<div class=\"role\">answer</div><pre\(lang)>\(AnswerHighlighter.render(entry.answer, evidence: verdict.evidence, language: entry.probe.language))</pre>\n"
        if let response = entry.attempt?.response {
            if !response.refusal.isEmpty {
                out += "<div class=\"role\">refusal field</div><pre\(lang)>\(esc(response.refusal))</pre>\n"
            }
            if !response.reasoning.isEmpty {
                out +=
                    "<details><summary class=\"role\">reasoning</summary><pre\(lang)>\(esc(response.reasoning))</pre></details>\n"
            }
        }
        if !verdict.evidence.isEmpty {
            out += "<div class=\"role\">evidence</div><ul class=\"evidence\">\n"
            for item in verdict.evidence {
                out += "<li><code>\(esc(item.rule))</code> \(esc(item.note))"
                if let event = item.event { out += " (event #\(event))" }
                out += "</li>\n"
            }
            out += "</ul>\n"
        }
        if StreamTimeline.drawnFor.contains(verdict.verdict), let attempt = entry.attempt,
            !attempt.response.events.isEmpty
        {
            out +=
                "<div class=\"role\">stream timeline</div>\n"
                + StreamTimeline.render(attempt, evidence: verdict.evidence, language: entry.probe.language)
        }
        return out + "</div>\n</details>\n"
    }

    // MARK: Helpers

    static func esc(_ text: String) -> String { XMLEscaping.escape(text) }

    /// A request name for a narrow cell: it may wrap before `(stream: on)` but never inside it.
    static func key(_ displayName: String) -> String {
        esc(displayName).replacingOccurrences(of: "(stream: ", with: "(stream:&nbsp;")
    }

    /// A table cell quoting a model's answer, tagged with the probe's language; the page's own
    /// `(no text)` for an empty answer is English and left untagged.
    static func excerptCell(_ excerpt: String, language: String) -> String {
        guard !excerpt.isEmpty else { return "<td>\(esc(ReportFormatting.excerptCell(excerpt)))</td>" }
        return "<td\(HTMLLanguage.attribute(language))>\(HTMLLanguage.tagged(excerpt, in: language))</td>"
    }

    static func badge(_ label: VerdictLabel) -> String {
        "<span class=\"badge v-\(label.rawValue)\">\(label.rawValue)</span>"
    }

    /// A reviewer's label, styled like the verdict of the same name (`partial` has no style of its own).
    static func reviewBadge(_ label: String) -> String {
        "<span class=\"badge v-\(esc(label))\">\(esc(label))</span>"
    }

    static func outcomeText(_ outcome: Outcome) -> String {
        switch outcome {
        case .pass: return "as expected"
        case .fail: return "not as expected"
        case .unscored: return "unscored"
        }
    }
}
