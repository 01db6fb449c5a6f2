import Foundation

/// What makes `unsaid run` exit 1 (`--fail-on`).
///
/// The default is `error`: a run exists to measure a model, and a refusal, deflection or
/// retraction is a finding, not a failure of the run; but a request that ended in an error was
/// not measured at all, so the result is incomplete and a script must notice. `unexpected` is
/// for CI gates that treat any verdict contradicting a probe's `expect` as a regression (errors
/// fail it too); `never` exits 0 whenever the run finished. `--fail-under` thresholds apply on
/// top of any policy.
public enum FailurePolicy: String, Sendable, CaseIterable, Codable {
    case unexpected
    case error
    case never

    public static let `default` = FailurePolicy.error

    public func fails(_ problems: RunProblems) -> Bool {
        switch self {
        case .unexpected: !problems.unexpected.isEmpty || !problems.errors.isEmpty
        case .error: !problems.errors.isEmpty
        case .never: false
        }
    }
}

/// The one JSON object `unsaid run --json` prints on standard output.
public struct RunSummaryReport: Encodable, Sendable {
    public static let schema = "unsaid.run-summary/1"

    public struct Run: Encodable, Sendable {
        public var run: String
        public var directory: String
        public var status: String
        public var target: String
        public var model: String
        public var baseURL: String
        public var planned: Int
        public var requests: Int
        public var verdicts: [String: Int]
        public var outcomes: [String: Int]
        public var unexpected: [RunProblems.Unexpected]
        public var errors: [RunProblems.Failed]
        public var retries: RunProblems.Retries
        public var thresholds: [Gate]
        public var failed: Bool

        public init(manifest: Manifest, directory: String, summary: VerdictSummary, problems: RunProblems,
                    thresholds: [Gate], failed: Bool) {
            run = manifest.runID
            self.directory = directory
            status = manifest.status.rawValue
            target = manifest.target.name
            model = manifest.target.model
            baseURL = manifest.target.baseURL
            planned = manifest.planned
            requests = summary.total
            self.verdicts = Dictionary(uniqueKeysWithValues: VerdictLabel.allCases.map { ($0.rawValue, summary.counts[$0] ?? 0) })
            outcomes = ["pass": summary.outcomes[.pass] ?? 0, "fail": summary.outcomes[.fail] ?? 0,
                        "unscored": summary.outcomes[.unscored] ?? 0]
            unexpected = problems.unexpected
            errors = problems.errors
            retries = problems.retries
            self.thresholds = thresholds
            self.failed = failed
        }
    }

    public struct Gate: Encodable, Sendable {
        public var check: String
        public var passed: Bool

        public init(check: String, passed: Bool) {
            self.check = check
            self.passed = passed
        }
    }

    public var schema = RunSummaryReport.schema
    public var failOn: String
    public var exitCode: Int32
    public var runs: [Run]

    public init(failOn: FailurePolicy, exitCode: Int32, runs: [Run]) {
        self.failOn = failOn.rawValue
        self.exitCode = exitCode
        self.runs = runs
    }

    public func rendered() throws -> String {
        String(decoding: try CanonicalJSON.encodePretty(self), as: UTF8.self) + "\n"
    }
}
