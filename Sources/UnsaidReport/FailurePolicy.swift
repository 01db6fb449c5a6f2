import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// What makes `unsaid run` exit 1 (`--fail-on`).
///
/// The default is `error`: a run exists to measure a model, and a refusal, deflection or
/// retraction is a finding, not a failure of the run; but a request that ended in an error was
/// not measured at all, so the result is incomplete and a script must notice. `unexpected` is
/// for CI gates that treat any verdict contradicting a probe's `expect` as a regression (errors
/// fail it too); `never` exits 0 whenever the run finished. `--fail-under` thresholds apply on
/// top of any policy.
package enum FailurePolicy: String, Sendable, CaseIterable, Codable {
    case unexpected
    case error
    case never

    package static let `default` = FailurePolicy.error

    package func fails(_ problems: RunProblems) -> Bool {
        switch self {
        case .unexpected: problems.unexpectedCount > 0 || problems.errorCount > 0
        case .error: problems.errorCount > 0
        case .never: false
        }
    }
}

/// The one JSON object `unsaid run --json` prints on standard output.
package struct RunSummaryReport: Encodable, Sendable {
    package static let schema = "unsaid.run-summary/1"

    package struct Run: Encodable, Sendable {
        package var run: String
        package var directory: String
        package var status: String
        package var target: String
        package var model: String
        package var baseURL: String
        package var planned: Int
        package var requests: Int
        package var verdicts: [String: Int]
        package var outcomes: [String: Int]
        package var unexpected: [RunProblems.Unexpected]
        package var errors: [RunProblems.Failed]
        package var retries: RunProblems.Retries
        package var thresholds: [Gate]
        package var failed: Bool
        /// The lists, when they were spooled: `unexpected` and `errors` are then empty and the
        /// rows are put in their place as the object is written (`write(_:)`).
        package var spooled: RunProblems.Spooled?

        private enum CodingKeys: String, CodingKey {
            case run, directory, status, target, model, baseURL, planned, requests, verdicts, outcomes
            case unexpected, errors, retries, thresholds, failed
        }

        package init(
            manifest: Manifest, directory: String, summary: VerdictSummary, problems: RunProblems,
            thresholds: [Gate], failed: Bool
        ) {
            run = manifest.runID
            self.directory = directory
            status = manifest.status.rawValue
            target = manifest.target.name
            model = manifest.target.model
            baseURL = manifest.target.baseURL
            planned = manifest.planned
            requests = summary.total
            self.verdicts = Dictionary(
                uniqueKeysWithValues: VerdictLabel.allCases.map { ($0.rawValue, summary.counts[$0] ?? 0) })
            outcomes = [
                "pass": summary.outcomes[.pass] ?? 0, "fail": summary.outcomes[.fail] ?? 0,
                "unscored": summary.outcomes[.unscored] ?? 0,
            ]
            unexpected = problems.unexpected
            errors = problems.errors
            spooled = problems.spooled
            retries = problems.retries
            self.thresholds = thresholds
            self.failed = failed
        }
    }

    /// One `--fail-under` threshold as the summary lists it: the line the terminal shows, and
    /// whether it held.
    package struct Gate: Encodable, Sendable {
        package var check: String
        package var passed: Bool

        package init(_ result: ThresholdResult) {
            check = "\(result)"
            passed = result.passed
        }
    }

    package var schema = RunSummaryReport.schema
    package var failOn: String
    package var exitCode: Int32
    package var runs: [Run]

    package init(failOn: FailurePolicy, exitCode: Int32, runs: [Run]) {
        self.failOn = failOn.rawValue
        self.exitCode = exitCode
        self.runs = runs
    }

    package func rendered() throws -> String {
        var text = ""
        try write { text += $0 }
        return text
    }

    /// The object, a piece at a time: spooled lists are read back row by row into the places
    /// their empty lists take in the encoded object, so no list is ever held whole, and the text
    /// is the same as encoding the lists in memory.
    package func write(_ emit: (String) throws -> Void) throws {
        let text = String(decoding: try CanonicalJSON.encodePretty(self), as: UTF8.self) + "\n"
        guard runs.contains(where: { $0.spooled != nil }) else { return try emit(text) }
        // A run object's keys are sorted, so its "errors" come before its "unexpected"; no string
        // value can hold an empty list's text (a newline is escaped). Items sit 8 spaces deep:
        // inside `runs`, a run, its list.
        let indent = 8
        var cursor = text.startIndex
        for run in runs {
            for (key, isEmpty, rows) in [
                ("errors", run.errors.isEmpty, run.spooled?.forEachErrorRow),
                ("unexpected", run.unexpected.isEmpty, run.spooled?.forEachUnexpectedRow),
            ] {
                // A list with items in memory has no empty marker to find.
                let marker = PrettyJSONList.empty(key, indent: indent)
                guard isEmpty, let found = text.range(of: marker, range: cursor..<text.endIndex) else { continue }
                guard let rows else {
                    // Empty in memory: written as encoded, and not found again for a later run.
                    try emit(String(text[cursor..<found.upperBound]))
                    cursor = found.upperBound
                    continue
                }
                try emit(String(text[cursor..<found.lowerBound]))
                var first = true
                try rows { row in
                    try emit(
                        (first ? PrettyJSONList.opening(key) : PrettyJSONList.separator)
                            + PrettyJSONList.item(row, indent: indent))
                    first = false
                }
                try emit(first ? marker : PrettyJSONList.closing(indent: indent))
                cursor = found.upperBound
            }
        }
        try emit(String(text[cursor...]))
    }
}
