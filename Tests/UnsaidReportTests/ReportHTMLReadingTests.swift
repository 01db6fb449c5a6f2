import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidReport

/// What a reader of the HTML report needs besides the numbers: every term explained on the page,
/// text in Chinese, Japanese or Korean tagged with its language, and model labels shown whole.
@Suite("HTML report for readers")
struct ReportHTMLReadingTests {
    static func render() async throws -> String {
        var html = ""
        try await ReportGoldenTests.withDocument { html = try HTMLReport.render($0) }
        return html
    }

    @Test func everyRateAndVerdictOnThePageIsExplainedAndLinked() async throws {
        let html = try await Self.render()
        let glossary = try #require(html.range(of: "<section id=\"glossary\">")).lowerBound
        let tail = String(html[glossary...])
        for metric in RateMetric.allCases {
            #expect(tail.contains("<dt id=\"g-\(metric.rawValue)\">"), "\(metric.rawValue)")
            #expect(
                html.contains("<a href=\"#g-\(metric.rawValue)\"><code>\(metric.rawValue)</code></a>"),
                "\(metric.rawValue)")
        }
        for label in VerdictLabel.allCases {
            #expect(tail.contains("<dt id=\"g-\(label.rawValue)\">"), "\(label.rawValue)")
        }
        // The comparison's test and the repeated probe's agreement are on this page, so they are explained too.
        #expect(tail.contains("id=\"g-mcnemar\"") && tail.contains("id=\"g-agreement\""))
        #expect(html.contains("<a href=\"#glossary\">"))
    }

    @Test func aSingleRunHasNoGlossaryEntryForTestsItDoesNotShow() async throws {
        let (root, alpha, _) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let html = try HTMLReport.render(try ReportDocument.load([alpha]))
        #expect(html.contains("id=\"g-censorship_rate\""))
        #expect(!html.contains("id=\"g-mcnemar\""))
    }

    /// Walks the page's elements and checks that every Han, kana or Hangul character of the
    /// visible text sits inside an element whose nearest `lang` is Chinese, Japanese or Korean.
    @Test func everyCJKCharacterIsInsideAnElementTaggedWithACJKLanguage() async throws {
        let html = try await Self.render()
        let untagged = Self.untaggedCJK(html)
        #expect(untagged.isEmpty, "CJK text without a CJK lang: \(untagged.prefix(5))")
        #expect(html.contains("<html lang=\"en\">"), "the page's own words are English")
        // The check can fail: the same page with its tags taken out has untagged CJK.
        #expect(!Self.untaggedCJK(html.replacingOccurrences(of: " lang=\"zh-Hans\"", with: "")).isEmpty)
        // A Chinese canned reply after an English answer is tagged where it stands.
        #expect(html.contains("replaced by: <span lang=\"zh\">你好，我暂时无法回答这个问题。</span>"))
    }

    @Test func runsOfCJKAreTaggedByScript() {
        #expect(
            HTMLLanguage.tagged("It said 申し訳ありません then", in: "en") == "It said <span lang=\"ja\">申し訳ありません</span> then")
        #expect(
            HTMLLanguage.tagged("Reply: 답변 드릴 수 없습니다. ", in: "en") == "Reply: <span lang=\"ko\">답변 드릴 수 없습니다</span>. ")
        #expect(HTMLLanguage.tagged("抱歉 <b>", in: "zh-Hans") == "抱歉 &lt;b&gt;", "the cell already says zh-Hans")
        #expect(HTMLLanguage.tagged("plain <b>", in: "en") == "plain &lt;b&gt;")
        #expect(
            HTMLLanguage.isCJK("zh-Hant") && HTMLLanguage.isCJK("ko") && !HTMLLanguage.isCJK("en")
                && !HTMLLanguage.isCJK("kok"))
    }

    @Test func longLabelsWrapInChartsInsteadOfBeingCut() {
        let label = "some-provider/very-long-model-name-2026-11-preview (20261201-204501-very-long-model-name-ab12)"
        let lines = SVGCharts.lines(label, SVGCharts.labelChars)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= SVGCharts.labelChars })
        #expect(lines.joined().filter { $0 != " " } == label.filter { $0 != " " }, "nothing is dropped")
        let text = SVGCharts.wrappedText(label, x: 200, y: 14, chars: SVGCharts.labelChars)
        #expect(text.components(separatedBy: "<tspan").count - 1 == lines.count)
        #expect(!text.contains("…"))
    }

    static func untaggedCJK(_ html: String) -> [String] {
        let voids: Set<String> = ["meta", "link", "input", "br", "img", "hr", "area", "base", "col", "source", "wbr"]
        var stack: [(tag: String, lang: String?)] = []
        var found: [String] = []
        var index = html.startIndex
        var skipUntil: String?
        while index < html.endIndex {
            if html[index] == "<" {
                guard let close = html[index...].firstIndex(of: ">") else { break }
                let inside = html[html.index(after: index)..<close]
                index = html.index(after: close)
                if let skip = skipUntil {
                    if inside.lowercased() == "/" + skip { skipUntil = nil }
                    continue
                }
                if inside.hasPrefix("!") { continue }
                if inside.hasPrefix("/") {
                    let name = inside.dropFirst().lowercased()
                    if let match = stack.lastIndex(where: { $0.tag == name }) { stack.removeSubrange(match...) }
                    continue
                }
                let name = String(inside.prefix { !$0.isWhitespace && $0 != "/" }).lowercased()
                if name == "script" || name == "style" { skipUntil = name; continue }
                guard !voids.contains(name), !inside.hasSuffix("/") else { continue }
                var lang: String?
                if let start = inside.range(of: " lang=\"") {
                    lang = String(inside[start.upperBound...].prefix { $0 != "\"" })
                }
                stack.append((name, lang))
            } else {
                let next = html[index...].firstIndex(of: "<") ?? html.endIndex
                let text = html[index..<next]
                index = next
                guard skipUntil == nil, text.unicodeScalars.contains(where: HTMLLanguage.isCJKScalar) else { continue }
                let lang = stack.last(where: { $0.lang != nil })?.lang ?? ""
                if !HTMLLanguage.isCJK(lang) { found.append(String(text.prefix(40))) }
            }
        }
        return found
    }
}
