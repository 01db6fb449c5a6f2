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

    /// Throws when an entry read back from an archive (a flip's answer, a language group's
    /// example) is no longer what the archive held when the run was loaded.
    package init(runs: [ReportRun]) throws {
        let runs = ReportRun.disambiguate(runs)
        self.runs = runs
        metrics = runs.map(RunMetrics.init(run:))
        var comparisons: [RunComparison] = []
        for left in runs.indices {
            for right in runs.indices where right > left {
                comparisons.append(
                    try RunComparison(left: left, right: right, leftRun: runs[left], rightRun: runs[right]))
            }
        }
        self.comparisons = comparisons
        languageFlips = try runs.map(LanguageFlip.find(in:))
    }

    /// Reads each archive; only the archives, never the network.
    package static func load(_ directories: [URL]) throws -> ReportDocument {
        try ReportDocument(runs: try directories.map(ReportRun.load))
    }
}

/// The breakdowns reports give rates and charts by, with what each reads of a run's metrics.
enum SliceKind: CaseIterable {
    case category, topic, language

    /// The column heading: `category`, `topic`, `language`.
    var column: String {
        switch self {
        case .category: return "category"
        case .topic: return "topic"
        case .language: return "language"
        }
    }

    func slices(_ metrics: RunMetrics) -> [SliceMetrics] {
        switch self {
        case .category: return metrics.categories
        case .topic: return metrics.topics
        case .language: return metrics.languages
        }
    }
}

extension ReportDocument {
    /// One run's figures for one scope of a breakdown.
    struct SliceRow {
        /// The scope's value without its kind (`history`, not `topic:history`).
        var value: String
        /// The run's position in `runs` (its colour in charts).
        var runIndex: Int
        var run: ReportRun
        var slice: SliceMetrics
    }

    /// Every scope of a breakdown in any run, sorted, each with the slice of every run that has
    /// requests in it, in run order: the rows of the rate tables and charts by category, topic or
    /// language.
    func sliceRows(_ kind: SliceKind) -> [SliceRow] {
        let scopes = Set(metrics.flatMap { kind.slices($0).map(\.scope) }).sorted()
        return scopes.flatMap { scope in
            metrics.indices.compactMap { index in
                kind.slices(metrics[index]).first { $0.scope == scope }.map {
                    SliceRow(value: Self.scopeValue(scope), runIndex: index, run: runs[index], slice: $0)
                }
            }
        }
    }

    /// `category:censorship` → `censorship`.
    static func scopeValue(_ scope: String) -> String {
        guard let colon = scope.firstIndex(of: ":") else { return scope }
        return String(scope[scope.index(after: colon)...])
    }
}
