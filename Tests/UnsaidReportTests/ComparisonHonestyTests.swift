import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidReport

/// A comparison that pairs nothing says so and why; flips of retracted answers show the
/// withdrawn text and its replacement rather than the final text alone.
@Suite("Comparison honesty")
struct ComparisonHonestyTests {
    /// `run` with every request's key changed by `change`.
    private func rekeyed(_ run: ReportRun, _ change: (inout WorkKey) -> Void) -> ReportRun {
        let entries = (try? run.allEntries()) ?? []
        return ReportRun(
            manifest: run.manifest,
            entries: entries.map { entry in
                var entry = entry
                change(&entry.transcript.key)
                entry.verdict.key = entry.transcript.key
                return entry
            }, unscored: run.unscored)
    }

    private func reason(_ left: ReportRun, _ right: ReportRun) -> String? {
        let document = try! ReportDocument(runs: [left, right])
        let comparison = try! #require(document.comparisons.first)
        return RunComparison.whyNothingPairs(comparison, leftRun: document.runs[0], rightRun: document.runs[1])
    }

    @Test func nothingPairsIsExplainedInOneLine() async throws {
        let (root, alphaURL, betaURL) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let alpha = try ReportRun.load(alphaURL)
        let beta = try ReportRun.load(betaURL)
        #expect(reason(alpha, beta) == nil, "the fixture runs pair")

        let otherSuite = rekeyed(beta) { $0.suite = "other" }
        #expect(
            reason(alpha, otherSuite)
                == "nothing to compare: alpha-7b and beta-13b share no request: they ran different suites (demo vs other)"
        )

        let allStreamed = rekeyed(alpha) { $0.streamed = true }
        let noneStreamed = rekeyed(beta) { $0.streamed = false }
        #expect(
            reason(allStreamed, noneStreamed)
                == "nothing to compare: alpha-7b and beta-13b share no request: alpha-7b ran with stream: on and beta-13b with stream: off; compare runs of one mode, or run with --stream both"
        )

        let allChanged = rekeyed(beta) { $0.probeHash = "changed-" + $0.probeHash }
        let text = try #require(reason(alpha, allChanged))
        #expect(
            text.hasPrefix(
                "nothing to compare: alpha-7b and beta-13b share no request: every shared probe changed between the runs"
            ))
        #expect(!text.contains("\n"))
    }

    @Test func retractedFlipsShowWithdrawnAndReplacingText() async throws {
        let (root, alphaURL, betaURL) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let document = try ReportDocument.load([alphaURL, betaURL])
        let flips = try #require(document.comparisons.first?.flips)
        let canned = try #require(flips.first { $0.slot.probe == "tiananmen-en" })
        #expect(canned.right == .retracted)
        #expect(canned.rightExcerpt.hasPrefix("withdrawn: In June 1989 the army cleared Tiananmen Square"))
        #expect(canned.rightExcerpt.hasSuffix(" → replaced by: \(ReportFixtures.cannedZH)"))
        let cut = try #require(flips.first { $0.slot.probe == "xinjiang-en" })
        #expect(cut.rightExcerpt.hasSuffix(" → nothing replaced it"))
        // An ordinary answer is quoted as it is.
        #expect(canned.leftExcerpt.hasPrefix("In June 1989"))
    }
}
