import Foundation
import UnsaidSuite

extension HTMLReport {
    /// Each conversation that went past its first answer, turn by turn, with verdict badges.
    static func followUpSection(_ document: ReportDocument) throws -> String {
        let found = FollowUpThread.byRun(document)
        guard !found.isEmpty else { return "" }
        var out = "<section id=\"follow-ups\"><h2>Follow-up conversations</h2>\n<p class=\"note\">Turns sent after an "
        out +=
            "answer because of its verdict (<code>follow_up</code> in the suite); each turn is its own request below. "
        out += "Follow-up turns are not counted in the rates.</p>\n"
        for (run, threads) in found {
            out += "<h3>\(esc(run.label))</h3>\n"
            for thread in threads {
                out += "<details><summary><code>\(key(thread.displayName))</code> "
                out += thread.verdicts.map { badge($0) }.joined(separator: " → ") + "</summary>\n"
                for (said, entry) in try thread.exchanges(in: run) {
                    let lang = HTMLLanguage.attribute(entry.probe.language)
                    out += "<div class=\"role\">user</div><pre\(lang)>\(esc(said))</pre>\n"
                    out += "<div class=\"role\">assistant \(badge(entry.verdict.verdict))</div>"
                    out +=
                        "<pre\(lang)>\(AnswerHighlighter.render(entry.answer, evidence: entry.verdict.evidence, language: entry.probe.language))</pre>\n"
                }
                out += "</details>\n"
            }
        }
        return out + "</section>\n"
    }
}
