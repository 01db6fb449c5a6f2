import Foundation

/// The frame every Unsaid HTML page shares (the report and the trend): one self-contained file,
/// its style inline and allowed by hash in the Content-Security-Policy, no network.
enum HTMLPage {
    /// - Parameters:
    ///   - heading: the page's `<h1>`; `subtitle` the line under it, already HTML.
    ///   - policy: the Content-Security-Policy, which must allow `style` (and `script`, if any).
    ///   - footer: already HTML.
    static func render(
        title: String, heading: String, subtitle: String, policy: String, style: String,
        main: String, footer: String, script: String? = nil
    ) -> String {
        head(title: title, heading: heading, subtitle: subtitle, policy: policy, style: style) + main
            + tail(footer: footer, script: script)
    }

    /// The page up to its `<main>`'s content, for a page written in parts (`render`'s start).
    static func head(title: String, heading: String, subtitle: String, policy: String, style: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="\(policy)">
        <link rel="icon" href="data:,">
        <title>\(XMLEscaping.escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        <header><h1>\(heading)</h1><p>\(subtitle)</p></header>
        <main>

        """
    }

    /// The page after its `<main>`'s content (`render`'s end).
    static func tail(footer: String, script: String?) -> String {
        """
        </main>
        <footer>\(footer)</footer>

        """ + (script.map { "<script>\($0)</script>\n" } ?? "") + """
            </body>
            </html>

            """
    }
}

extension HTMLReport {
    /// The exact McNemar tests of a comparison of two runs (the report's comparisons and the trend's
    /// steps): one row per scope, `pHeader` (HTML) heading the p column.
    static func mcnemarTable(_ tests: [McNemarResult], left: String, right: String, pHeader: String) -> String {
        var out = "<table><thead><tr><th>scope</th><th class=\"num\">pairs</th><th class=\"num\">both answered</th>"
        out +=
            "<th class=\"num\">only \(esc(left))</th><th class=\"num\">only \(esc(right))</th><th class=\"num\">neither</th>"
        out += "<th class=\"num\">\(pHeader)</th></tr></thead><tbody>\n"
        for test in tests {
            let counts = [
                test.pairs, test.bothAnswered, test.onlyLeftAnswered, test.onlyRightAnswered, test.neitherAnswered,
            ]
            out += "<tr><td>\(esc(test.scope))</td>" + counts.map { "<td class=\"num\">\($0)</td>" }.joined()
            out += "<td class=\"num\">\(ReportFormatting.pValue(test.pValue))</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// Probes whose content changed between two runs (never paired), under `intro` (HTML).
    static func changedProbesList(_ changed: [ProbePairing.ChangedProbe], intro: String) -> String {
        var out = intro + "<ul>\n"
        for probe in changed {
            out += "<li><code>\(esc(probe.suite))/\(esc(probe.probe))</code>: "
            out += "\(esc(String(probe.leftHash.prefix(12)))) → \(esc(String(probe.rightHash.prefix(12))))</li>\n"
        }
        return out + "</ul>\n"
    }
}
