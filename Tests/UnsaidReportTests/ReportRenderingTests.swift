import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidVerdict
@testable import UnsaidReport

/// The pieces of the renderers that must be exactly right whatever a model sends.
@Suite("Report rendering details")
struct ReportRenderingTests {
    @Test func escapingCoversMarkupQuotesAndControlBytes() {
        #expect(
            XMLEscaping.escape("<script>alert(\"x\")</script> & 'y'")
                == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        #expect(XMLEscaping.escape("a\u{0}b\u{1B}c\nd") == "a\u{FFFD}b\u{FFFD}c\nd")
    }

    @Test func withdrawnTextIsStruckAndReplacementMarked() {
        let content = "Substance here. 你好，我暂时无法回答这个问题。"
        let start = "Substance here. ".utf8.count
        let evidence = [
            Evidence(
                rule: "retraction.canned-after-content", note: "x",
                withdrawn: TextSpan(start: 0, end: start, text: ""),
                replacement: TextSpan(start: start, end: content.utf8.count, text: ""))
        ]
        #expect(
            AnswerHighlighter.render(content, evidence: evidence, language: "zh-Hans")
                == "<del title=\"withdrawn\">Substance here. </del><mark title=\"replacement\">你好，我暂时无法回答这个问题。</mark>")
        // In an English probe's answer the Chinese replacement carries its own language.
        #expect(
            AnswerHighlighter.render(content, evidence: evidence, language: "en")
                == "<del title=\"withdrawn\">Substance here. </del><mark title=\"replacement\"><span lang=\"zh\">你好，我暂时无法回答这个问题。</span></mark>"
        )
    }

    @Test func overlappingSpansNestAndTextIsEscaped() {
        let content = "a <b> c"
        let evidence = [
            Evidence(
                rule: "r", note: "", span: TextSpan(start: 2, end: 5, text: "<b>"),
                withdrawn: TextSpan(start: 0, end: 7, text: content))
        ]
        #expect(
            AnswerHighlighter.render(content, evidence: evidence)
                == "<del title=\"withdrawn\">a </del><del title=\"withdrawn\"><mark class=\"match\" title=\"matched\">&lt;b&gt;</mark></del><del title=\"withdrawn\"> c</del>"
        )
    }

    @Test func offsetsInsideACharacterOrPastTheEndAreClamped() {
        // "天" is three UTF-8 bytes; an offset of 1 falls inside it and moves back to 0.
        let evidence = [Evidence(rule: "r", note: "", span: TextSpan(start: 1, end: 99, text: ""))]
        #expect(
            AnswerHighlighter.render("天x", evidence: evidence, language: "zh-Hans")
                == "<mark class=\"match\" title=\"matched\">天x</mark>")
        let inverted = [Evidence(rule: "r", note: "", span: TextSpan(start: 5, end: 2, text: ""))]
        #expect(AnswerHighlighter.render("abcdef", evidence: inverted) == "abcdef")
    }

    @Test func csvQuotesPerRFC4180() {
        #expect(CSVReport.quote("plain") == "plain")
        #expect(CSVReport.quote("a,b") == "\"a,b\"")
        #expect(CSVReport.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVReport.quote("two\nlines") == "\"two\nlines\"")
        #expect(CSVReport.quote("crlf\r\nend") == "\"crlf\r\nend\"")
        #expect(CSVReport.line(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
    }

    @Test func markdownCellsStayOnOneLineWithEscapedPipes() {
        let table = MarkdownTable(header: ["a", "n"], rows: [["x | y\nz", "12"]], rightAligned: [1])
        #expect(
            table.render() == """
                | a        |   n |
                | -------- | --: |
                | x \\| y z |  12 |

                """)
    }

    @Test func pValuesAndRatesFormat() {
        #expect(ReportFormatting.pValue(0.0625) == "0.0625")
        #expect(ReportFormatting.pValue(1) == "1.0000")
        #expect(ReportFormatting.pValue(2.18e-05) == "2.2e-05")
        #expect(RateEstimate(count: 8, total: 10)?.formatted == "80.0% [49.0–94.3] 8/10")
        #expect(RateEstimate(count: 0, total: 0) == nil)
    }

    @Test func cspAllowsExactlyTheInlineStyleAndScript() {
        let policy = HTMLAssets.contentSecurityPolicy
        #expect(policy.hasPrefix("default-src 'none'; style-src 'sha256-"))
        #expect(!policy.contains("unsafe-inline"))
        // SHA-256 of "abc", base64: the hash format browsers compare against.
        #expect(HTMLAssets.cspHash("abc") == "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='")
    }
}
