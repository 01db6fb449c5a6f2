import Foundation

/// Everything a report shows about one or more runs, computed once and handed to each renderer.
///
/// The first run is the subject of the report; further runs are compared with it and with each
/// other (every pair, in the order given).
package struct ReportDocument: Sendable {
    package var runs: [ReportRun]
    package var metrics: [RunMetrics]
    package var comparisons: [RunComparison]
    /// Per run, in run order.
    package var languageFlips: [[LanguageFlip]]

    package init(runs: [ReportRun]) {
        let runs = ReportRun.disambiguate(runs)
        self.runs = runs
        metrics = runs.map(RunMetrics.init(run:))
        var comparisons: [RunComparison] = []
        for left in runs.indices {
            for right in runs.indices where right > left {
                comparisons.append(RunComparison(left: left, right: right, leftRun: runs[left], rightRun: runs[right]))
            }
        }
        self.comparisons = comparisons
        languageFlips = runs.map(LanguageFlip.find(in:))
    }

    /// Reads each archive; only the archives, never the network.
    package static func load(_ directories: [URL]) throws -> ReportDocument {
        ReportDocument(runs: try directories.map(ReportRun.load))
    }
}
