import Foundation
import Testing
@testable import UnsaidSuite

/// Renders the golden HTML report in headless Chromium through `scripts/check-html.sh`: no
/// console errors, the script runs under the page's Content-Security-Policy, the body is not
/// empty, and the filter really hides requests. Skipped when no Chromium is on PATH, unless
/// `UNSAID_REQUIRE_BROWSER=1` (CI), where a missing browser is a failure.
@Suite("HTML report in a real browser", .enabled(if: BrowserCheck.browser != nil || BrowserCheck.required))
struct ReportHTMLBrowserTests {
    @Test func goldenReportRendersWithoutConsoleErrors() throws {
        try #require(BrowserCheck.browser != nil, "UNSAID_REQUIRE_BROWSER=1 but no chromium on PATH")
        let result = try BrowserCheck.run(BrowserCheck.golden)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("renders"))
    }

    @Test func filterFromTheLinkHidesOtherRequests() throws {
        try #require(BrowserCheck.browser != nil, "UNSAID_REQUIRE_BROWSER=1 but no chromium on PATH")
        let dom = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-dom-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: dom) }
        let result = try BrowserCheck.run(
            BrowserCheck.golden,
            environment: [
                "CHECK_HTML_FRAGMENT": "verdict=retracted",
                "CHECK_HTML_DOM": dom.path,
            ])
        #expect(result.status == 0, "\(result.output)")
        let html = try String(contentsOf: dom, encoding: .utf8)
        let probes = html.components(separatedBy: "<details class=\"probe\"").dropFirst()
        let visible = probes.filter { !$0.prefix(while: { $0 != ">" }).contains("hidden") }
        // beta-13b retracted tiananmen-en and xinjiang-en; nothing else is shown.
        #expect(probes.count == 20)
        #expect(visible.count == 2)
        #expect(html.contains(">2 of 20 requests<"))
    }

    /// At 1280 px the page does not scroll sideways, even with model labels far longer than the
    /// fixtures' (run ids added, as when two runs of one model are compared). The page is the
    /// golden report with the labels lengthened, its CSP taken out and a probe script added
    /// that writes the laid-out widths into the DOM.
    @Test func pageFitsAt1280WithLongLabels() throws {
        try #require(BrowserCheck.browser != nil, "UNSAID_REQUIRE_BROWSER=1 but no chromium on PATH")
        let longLabel = "vendor/alpha-7b-instruct-2026-11-preview-extended (20261201-204501-alpha-7b-instruct-ab12)"
        var html = try String(contentsOf: BrowserCheck.golden, encoding: .utf8)
        html = html.replacingOccurrences(of: "alpha-7b", with: longLabel)
        let lines = html.components(separatedBy: "\n").filter { !$0.contains("Content-Security-Policy") }
        html = lines.joined(separator: "\n").replacingOccurrences(
            of: "</body>",
            with: """
                <script>var d = document.documentElement, w = 0;
                document.querySelectorAll('main *').forEach(function (e) { w = Math.max(w, e.getBoundingClientRect().right); });
                d.setAttribute('data-scroll-width', d.scrollWidth); d.setAttribute('data-client-width', d.clientWidth);
                d.setAttribute('data-widest', Math.ceil(w));</script></body>
                """)
        let page = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-wide-\(UUID().uuidString).html")
        let dom = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-wide-dom-\(UUID().uuidString).html")
        defer {
            try? FileManager.default.removeItem(at: page)
            try? FileManager.default.removeItem(at: dom)
        }
        try Data(html.utf8).write(to: page)
        let result = try BrowserCheck.run(page, environment: ["CHECK_HTML_DOM": dom.path, "CHECK_HTML_WIDTH": "1280"])
        #expect(result.status == 0, "\(result.output)")
        let rendered = try String(contentsOf: dom, encoding: .utf8)
        func attribute(_ name: String) -> Int? {
            guard let start = rendered.range(of: "\(name)=\"") else { return nil }
            return Int(rendered[start.upperBound...].prefix { $0 != "\"" })
        }
        let scroll = try #require(attribute("data-scroll-width")), client = try #require(attribute("data-client-width"))
        let widest = try #require(attribute("data-widest"))
        #expect((1200...1280).contains(client), "laid out at \(client) px, not 1280")
        #expect(scroll <= client, "the page scrolls sideways: \(scroll) px wide in a \(client) px window")
        #expect(widest <= client, "an element reaches \(widest) px")
    }

    @Test func checkFailsOnAScriptError() throws {
        try #require(BrowserCheck.browser != nil, "UNSAID_REQUIRE_BROWSER=1 but no chromium on PATH")
        let page = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-broken-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: page) }
        try Data(
            "<!DOCTYPE html><html><body><p>Some text that is long enough.</p><script>undefinedFunction();</script></body></html>"
                .utf8
        )
        .write(to: page)
        let result = try BrowserCheck.run(page)
        #expect(result.status == 1)
        #expect(result.output.contains("Uncaught"))
    }
}

enum BrowserCheck {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = repository.appendingPathComponent("scripts/check-html.sh")
    static let golden = repository.appendingPathComponent("Tests/UnsaidReportTests/Golden/report.html")
    static let required = ProcessInfo.processInfo.environment["UNSAID_REQUIRE_BROWSER"] == "1"

    static let browser: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    static func run(_ page: URL, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, page.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Output goes to a file, not a pipe: another child started by the test process at the
        // same moment (the llama.cpp server) could inherit a pipe's write end, and reading to
        // end-of-file would then wait for that child instead of this one.
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-check-html-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let handle = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        let output = (try? Data(contentsOf: outputURL)) ?? Data()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
