import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidReport

/// Every report format, rendered from the fixed fixture archives, compared byte-for-byte with
/// reviewed files in `Golden/`. After an intended change, regenerate with
/// `UNSAID_UPDATE_GOLDEN=1 swift test --filter ReportGoldenTests`, then review the diff.
@Suite("Report golden files")
struct ReportGoldenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")

    static func check(_ rendered: String, against name: String) throws {
        let url = goldenDirectory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UNSAID_UPDATE_GOLDEN"] == "1" {
            try Data(rendered.utf8).write(to: url)
            return
        }
        let expected = try #require(FileManager.default.contents(atPath: url.path), "missing golden file \(url.path)")
        let expectedText = String(decoding: expected, as: UTF8.self)
        guard Data(rendered.utf8) != expected else { return }
        let renderedLines = rendered.components(separatedBy: "\n")
        let expectedLines = expectedText.components(separatedBy: "\n")
        let line =
            zip(renderedLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(renderedLines.count, expectedLines.count)
        let got = line < renderedLines.count ? renderedLines[line] : "<end of output>"
        let want = line < expectedLines.count ? expectedLines[line] : "<end of file>"
        Issue.record("\(name) differs at line \(line + 1):\n  got:  \(got)\n  want: \(want)")
    }

    static func withDocument(_ body: (ReportDocument) throws -> Void) async throws {
        let (root, alpha, beta) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        try body(try ReportDocument.load([alpha, beta]))
    }

    @Test func markdownComparison() async throws {
        try await Self.withDocument { try Self.check(MarkdownReport.render($0), against: "compare.md") }
    }

    @Test func markdownSingleRun() async throws {
        let (root, alpha, _) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.check(MarkdownReport.render(try ReportDocument.load([alpha])), against: "single.md")
    }

    @Test func html() async throws {
        try await Self.withDocument { try Self.check(HTMLReport.render($0), against: "report.html") }
    }

    @Test func csv() async throws {
        try await Self.withDocument { try Self.check(CSVReport.render($0), against: "report.csv") }
    }

    @Test func junit() async throws {
        try await Self.withDocument { try Self.check(JUnitReport.render($0), against: "report.junit.xml") }
    }

    @Test func json() async throws {
        try await Self.withDocument { try Self.check(try JSONReport.render($0), against: "report.json") }
    }

    @Test func formatsRenderThroughOneEntryPoint() async throws {
        try await Self.withDocument { document in
            let markdown = try ReportFormat.md.render(document)
            let junit = try ReportFormat.junit.render(document)
            #expect(try markdown == MarkdownReport.render(document))
            #expect(try junit == JUnitReport.render(document))
            #expect(ReportFormat.allCases.map(\.rawValue) == ["md", "html", "csv", "junit", "json"])
        }
    }

    @Test func htmlEscapesEverythingFromTheModel() async throws {
        try await Self.withDocument { document in
            let html = try HTMLReport.render(document)
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
            // Only the report's own script element.
            #expect(html.components(separatedBy: "<script").count == 2)
            #expect(!html.contains("http://") || !html.contains("src=\"http"))
            #expect(!html.contains("<link rel=\"stylesheet\""))
        }
    }

    @Test func junitIsWellFormedXML() async throws {
        try await Self.withDocument { document in
            let data = Data(try JUnitReport.render(document).utf8)
            let parser = XMLParser(data: data)
            #expect(parser.parse(), "\(String(describing: parser.parserError))")
        }
    }

    @Test func jsonParsesAndCarriesTheSchema() async throws {
        try await Self.withDocument { document in
            let text = try JSONReport.render(document)
            let value = try #require(JSONValue.parse(Data(text.utf8)))
            #expect(value["schema"]?.stringValue == "unsaid.report/1")
            #expect(value["runs"]?.arrayValue?.count == 2)
            #expect(
                value["comparisons"]?.arrayValue?.first?["mcnemar"]?.arrayValue?.first?["pValue"] == .double(0.0625))
        }
    }

    /// A script finds what went wrong from the rows alone: one per request, errors with their
    /// cause and retries, failures with their evidence.
    @Test func jsonHasOneRowPerRequestWithWhatWentWrong() async throws {
        try await Self.withDocument { document in
            let value = try #require(JSONValue.parse(Data(try JSONReport.render(document).utf8)))
            let runs = try #require(value["runs"]?.arrayValue)
            for (run, source) in zip(runs, document.runs) {
                let rows = try #require(run["requests"]?.arrayValue)
                let entries = try source.allEntries()
                #expect(rows.count == entries.count)
                #expect(rows.compactMap { $0["request"]?.stringValue } == entries.map(\.key.description))
                for (row, entry) in zip(rows, entries) {
                    #expect(row["verdict"]?.stringValue == entry.verdict.verdict.rawValue)
                    #expect(row["stream"]?.stringValue == (entry.key.streamed ? "on" : "off"))
                    #expect((row["failure"] != nil) == (entry.verdict.verdict == .error), "\(entry.key)")
                    #expect(row["attempts"] == .int(Int64(entry.transcript.attempts.count)))
                }
            }
            // beta-13b's capital-fr timed out after a 429 that was retried.
            let beta = try #require(runs.last?["requests"]?.arrayValue)
            let failed = try #require(beta.first { $0["verdict"]?.stringValue == "error" })
            #expect(failed["failure"]?.stringValue == "timeout after 30 s")
            #expect(failed["retries"]?.arrayValue?.compactMap(\.stringValue) == ["HTTP 429"])
            #expect(failed["status"] == nil)
        }
    }
}
