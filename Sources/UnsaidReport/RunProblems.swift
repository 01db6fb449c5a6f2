import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidArchive

/// What went wrong in a run, for the end of `unsaid run`: every request whose verdict is not
/// what its probe expected, every request that ended in an error with its cause, and how many
/// attempts were retries. Ordered like reports (suite, probe, sample, mode).
package struct RunProblems: Sendable, Equatable, Codable {
    package struct Unexpected: Sendable, Equatable, Codable {
        /// The archive form of the key (`s/p#0@json`), which `unsaid review --set` also takes.
        package var request: String
        package var verdict: VerdictLabel
        package var expect: Expectation
        /// One line: the first rule that fired with its note, or an excerpt of the answer.
        package var evidence: String
    }

    package struct Failed: Sendable, Equatable, Codable {
        /// The archive form of the key (`s/p#0@json`).
        package var request: String
        package var cause: String
    }

    package struct Retries: Sendable, Equatable, Codable {
        /// Attempts beyond the first, over all requests.
        package var attempts: Int
        /// Requests that needed more than one attempt.
        package var requests: Int
        /// Why the retried attempts failed (`HTTP 429`, `connect`, …) and how often.
        package var reasons: [String: Int]
    }

    package var unexpected: [Unexpected]
    package var errors: [Failed]
    package var retries: Retries

    package init(entries: [ReportEntry]) {
        var accumulator = Accumulator()
        for entry in entries { accumulator.add(entry) }
        self = accumulator.problems
    }

    /// Collects a run's problems one request at a time, keeping only the problems themselves:
    /// the end of `unsaid run` feeds it while it streams the archive, so a large run's problems
    /// are found without holding its transcripts.
    package struct Accumulator: Sendable {
        private var unexpected: [(key: WorkKey, item: Unexpected)] = []
        private var errors: [(key: WorkKey, item: Failed)] = []
        private var retries = Retries(attempts: 0, requests: 0, reasons: [:])

        package init() {}

        package mutating func add(_ entry: ReportEntry) {
            let verdict = entry.verdict
            if verdict.verdict == .error {
                errors.append(
                    (entry.key, Failed(request: entry.key.description, cause: FailureCause.describe(entry.transcript))))
            } else if verdict.outcome == .fail {
                unexpected.append(
                    (
                        entry.key,
                        Unexpected(
                            request: entry.key.description, verdict: verdict.verdict,
                            expect: verdict.expect, evidence: RunProblems.evidenceLine(entry))
                    ))
            }
            let attempts = entry.transcript.attempts
            if attempts.count > 1 {
                retries.requests += 1
                retries.attempts += attempts.count - 1
                for attempt in attempts.dropLast() {
                    retries.reasons[FailureCause.retryReason(attempt), default: 0] += 1
                }
            }
        }

        /// The problems in report order (suite, probe, sample, mode).
        package var problems: RunProblems {
            RunProblems(
                unexpected: unexpected.sorted { ReportRun.order($0.key, $1.key) }.map(\.item),
                errors: errors.sorted { ReportRun.order($0.key, $1.key) }.map(\.item),
                retries: retries)
        }
    }

    package init(unexpected: [Unexpected], errors: [Failed], retries: Retries) {
        self.unexpected = unexpected
        self.errors = errors
        self.retries = retries
    }

    package var isEmpty: Bool { unexpected.isEmpty && errors.isEmpty && retries.attempts == 0 }

    static func evidenceLine(_ entry: ReportEntry) -> String {
        var parts: [String] = []
        if let first = entry.verdict.evidence.first {
            parts.append(first.note.isEmpty ? first.rule : "\(first.rule): \(Excerpt.of(first.note, length: 80))")
        }
        let answer = Excerpt.of(entry.answer, length: 60)
        if !answer.isEmpty { parts.append("“\(answer)”") }
        return parts.isEmpty ? "no evidence recorded" : parts.joined(separator: " — ")
    }

    /// The lists as text, each capped at `limit` lines with a count of the rest (`nil`: no cap).
    package func render(limit: Int?, style: TextStyle = .plain) -> String {
        var lines: [String] = []
        if !unexpected.isEmpty {
            lines.append(style.bold("not as expected (\(unexpected.count)):"))
            for item in unexpected.prefix(limit ?? .max) {
                lines.append(
                    "  \(RequestReference.displayName(of: item.request))  \(style.yellow(item.verdict.rawValue)) (expected \(item.expect.rawValue))  \(item.evidence)"
                )
            }
            if let limit, unexpected.count > limit { lines.append("  … and \(unexpected.count - limit) more") }
        }
        if !errors.isEmpty {
            lines.append(style.bold("errors (\(errors.count)):"))
            for item in errors.prefix(limit ?? .max) {
                lines.append("  \(RequestReference.displayName(of: item.request))  \(style.red(item.cause))")
            }
            if let limit, errors.count > limit { lines.append("  … and \(errors.count - limit) more") }
        }
        if retries.attempts > 0 {
            let reasons = retries.reasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.value)× \($0.key)" }.joined(separator: ", ")
            lines.append(
                "retries: \(retries.attempts) on \(retries.requests) request\(retries.requests == 1 ? "" : "s") (\(reasons))"
            )
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
