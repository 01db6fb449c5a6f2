import Foundation

/// Runs of one suite against one target lined up in time: the answer rate per category and
/// per topic on each date (Wilson 95%), and between each run and the next an exact McNemar test
/// on the paired requests and the requests whose verdict changed.
///
/// Requests pair exactly as in `unsaid compare` (`ProbePairing`): same suite, probe, sample,
/// mode and content hash. A probe whose hash changed between two runs is listed apart and never
/// compared: its prompt or parameters changed, so a different verdict says nothing about the model.
package struct Trend: Sendable {
    /// One answer-rate time series: the whole run, a category or a topic.
    package struct Series: Sendable, Equatable {
        package var scope: MetricScope
        /// Per run, in date order; `nil` where the run has no scored request in the scope.
        package var estimates: [RateEstimate?]
    }

    /// What changed from one run to the next.
    package struct Step: Sendable {
        /// Indices into `runs`.
        package var from: Int
        package var to: Int
        package var comparison: RunComparison
        /// Overall, then per category, then per topic (scopes with paired requests only).
        package var tests: [McNemarResult]
    }

    /// Sorted by start time.
    package var runs: [ReportRun]
    /// How tables and charts name each run: its start date, or date and time when two runs
    /// share a date.
    package var labels: [String]
    package var overall: Series
    package var categories: [Series]
    package var topics: [Series]
    package var steps: [Step]

    /// The one rate a trend follows: answered among scored requests, the same quantity the
    /// McNemar tests compare.
    package static let metric = RateMetric.answerRate

    package init(runs unsorted: [ReportRun]) throws {
        guard unsorted.count >= 2 else { throw TrendError("a trend needs at least two runs (got \(unsorted.count))") }
        let runs = unsorted.sorted {
            ($0.manifest.startedAt, $0.manifest.runID) < ($1.manifest.startedAt, $1.manifest.runID)
        }
        try Self.checkComparable(runs)
        self.runs = runs
        labels = Self.labels(for: runs)
        let metrics = runs.map(RunMetrics.init(run:))
        func series(_ scope: MetricScope, _ slices: (RunMetrics) -> [SliceMetrics]) -> Series {
            Series(
                scope: scope,
                estimates: metrics.map { metric in
                    slices(metric).first { $0.scope == scope.description }?.rate(Self.metric)
                })
        }
        overall = series(.overall) { [$0.overall] }
        let categories = Set(runs.flatMap { $0.requests.map(\.category) }).sorted()
        self.categories = categories.map { category in series(.category(category)) { $0.categories } }
        let topics = Set(runs.flatMap { $0.requests.compactMap(\.topic) }).sorted()
        self.topics = topics.map { topic in series(.topic(topic)) { $0.topics } }
        steps = try runs.indices.dropLast().map { index in
            let comparison = try RunComparison(
                left: index, right: index + 1, leftRun: runs[index], rightRun: runs[index + 1])
            let usable = comparison.pairing.pairs.filter {
                $0.left.verdict != .error && $0.right.verdict != .error && !$0.left.isFollowUp
            }
            var tests = comparison.tests
            for topic in Set(usable.compactMap(\.left.topic)).sorted() {
                tests.append(RunComparison.test(.topic(topic), usable.filter { $0.left.topic == topic }))
            }
            return Step(from: index, to: index + 1, comparison: comparison, tests: tests)
        }
    }

    /// Reads each archive; a directory without a manifest stands for the runs directly inside it.
    package static func load(_ paths: [URL]) throws -> Trend {
        var directories: [URL] = []
        for path in paths {
            if FileManager.default.fileExists(atPath: path.appendingPathComponent("manifest.json").path) {
                directories.append(path)
                continue
            }
            let children =
                (try? FileManager.default.contentsOfDirectory(at: path, includingPropertiesForKeys: nil)) ?? []
            let runs = children.filter {
                FileManager.default.fileExists(atPath: $0.appendingPathComponent("manifest.json").path)
            }
            guard !runs.isEmpty else { throw TrendError("\(path.path): not a run archive and holds none") }
            directories += runs.sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        return try Trend(runs: directories.map(ReportRun.load))
    }

    /// One suite set and one target throughout, or the "trend" would mix different questions
    /// or different models.
    private static func checkComparable(_ runs: [ReportRun]) throws {
        guard let first = runs.first else { return }
        let suites = Set(first.manifest.suites.map(\.id))
        for run in runs.dropFirst() {
            let other = Set(run.manifest.suites.map(\.id))
            if other != suites {
                throw TrendError(
                    "runs of different suites: \(first.manifest.runID) has \(suites.sorted().joined(separator: ", ")), \(run.manifest.runID) has \(other.sorted().joined(separator: ", "))"
                )
            }
            let (a, b) = (first.manifest.target, run.manifest.target)
            if a.name != b.name || a.model != b.model {
                throw TrendError(
                    "runs of different targets: \(first.manifest.runID) ran \(a.name) (\(a.model)), \(run.manifest.runID) ran \(b.name) (\(b.model))"
                )
            }
        }
    }

    private static func labels(for runs: [ReportRun]) -> [String] {
        for length in [10, 16, 19] {
            let labels = runs.map {
                String($0.manifest.startedAt.prefix(length)).replacingOccurrences(of: "T", with: " ")
            }
            if Set(labels).count == labels.count { return labels }
        }
        return runs.map { "\($0.manifest.startedAt.prefix(19)) \($0.manifest.runID)" }
    }

    /// Suites and target, for titles.
    package var title: String {
        guard let manifest = runs.first?.manifest else { return "" }
        let suites = manifest.suites.map(\.id).joined(separator: ", ")
        return "\(suites) on \(manifest.target.name) (\(manifest.target.model))"
    }
}

package struct TrendError: Error, CustomStringConvertible, Sendable, Equatable {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
