import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidArchive

/// What went wrong in a run, for the end of `unsaid run`: every request whose verdict is not
/// what its probe expected, every request that ended in an error with its cause, and how many
/// attempts were retries. Ordered like reports (suite, probe, sample, mode).
package struct RunProblems: Sendable, Equatable {
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

    /// The requests not as expected, in report order: all of them, or the first few when the
    /// accumulator was told how many to keep (`unexpectedCount` still counts every one).
    package var unexpected: [Unexpected]
    /// The requests that ended in an error, kept as `unexpected` is.
    package var errors: [Failed]
    package var retries: Retries
    /// How many requests were not as expected, kept in `unexpected` or not.
    package var unexpectedCount: Int
    /// How many requests ended in an error, kept in `errors` or not.
    package var errorCount: Int
    /// Every item, when the accumulator spooled them: `unexpected` and `errors` are then empty.
    package var spooled: Spooled?

    package init(entries: [ReportEntry]) {
        var accumulator = Accumulator()
        for entry in entries { accumulator.add(entry) }
        self = accumulator.problems
    }

    /// Collects a run's problems one request at a time, keeping only the problems themselves:
    /// the end of `unsaid run` feeds it while it streams the archive, so a large run's problems
    /// are found without holding its transcripts. Told how many of each list to keep (the
    /// terminal prints ten), it holds no more than that, so a run in which every one of 100,000
    /// requests failed does not keep a line for each (it held about 780 bytes a request).
    package struct Accumulator: Sendable {
        private var unexpected: FirstInReportOrder<Unexpected>
        private var errors: FirstInReportOrder<Failed>
        /// Every item, on disk, when asked to keep them all and spool them.
        private var spooled: Spooled?
        private var retries = Retries(attempts: 0, requests: 0, reasons: [:])

        /// `keeping`: how many of each list to keep, the first in report order; nil keeps all.
        /// `spooling` (with no limit): kept in a temporary file rather than in memory, for a run
        /// whose lists are printed whole (`--json`, `--verbose`); in memory if no such file can
        /// be made.
        package init(keeping limit: Int? = nil, spooling: Bool = false) {
            if limit == nil, spooling, let unexpectedSpool = SpooledInReportOrder<Unexpected>(),
                let errorSpool = SpooledInReportOrder<Failed>()
            {
                spooled = Spooled(unexpected: unexpectedSpool, errors: errorSpool)
                // Counting only: the items are in the spool.
                unexpected = FirstInReportOrder(limit: 0)
                errors = FirstInReportOrder(limit: 0)
            } else {
                unexpected = FirstInReportOrder(limit: limit)
                errors = FirstInReportOrder(limit: limit)
            }
        }

        package mutating func add(_ entry: ReportEntry) {
            let verdict = entry.verdict
            if verdict.verdict == .error {
                let item = { Failed(request: entry.key.description, cause: FailureCause.describe(entry.transcript)) }
                errors.add(entry.key, item())
                spooled?.add { try $0.errors.add(entry.key, item()) }
            } else if verdict.outcome == .fail {
                let item = {
                    Unexpected(
                        request: entry.key.description, verdict: verdict.verdict,
                        expect: verdict.expect, evidence: RunProblems.evidenceLine(entry))
                }
                unexpected.add(entry.key, item())
                spooled?.add { try $0.unexpected.add(entry.key, item()) }
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
            var problems = RunProblems(
                unexpected: unexpected.items, errors: errors.items, retries: retries,
                unexpectedCount: unexpected.count, errorCount: errors.count)
            problems.spooled = spooled
            return problems
        }
    }

    /// Both lists in temporary files, in report order (see `SpooledInReportOrder`).
    package struct Spooled: Sendable, Equatable {
        fileprivate var unexpected: SpooledInReportOrder<Unexpected>
        fileprivate var errors: SpooledInReportOrder<Failed>
        /// Why a list is incomplete: the first item that could not be written to its file.
        package fileprivate(set) var problem: String?

        fileprivate mutating func add(_ body: (inout Spooled) throws -> Void) {
            do { try body(&self) } catch { problem = problem ?? "\(error)" }
        }

        /// Each list's items in report order, as the summary object prints them.
        package func forEachUnexpectedRow(_ body: (Data) throws -> Void) throws {
            try unexpected.forEachRow(limit: nil, body)
        }

        package func forEachErrorRow(_ body: (Data) throws -> Void) throws {
            try errors.forEachRow(limit: nil, body)
        }

        /// The same rows in the same order (for tests and comparisons; reads both files).
        package static func == (lhs: Spooled, rhs: Spooled) -> Bool {
            func rows<Item>(_ list: SpooledInReportOrder<Item>) -> [Data]? {
                var all: [Data] = []
                do { try list.forEachRow(limit: nil) { all.append($0) } } catch { return nil }
                return all
            }
            return lhs.problem == rhs.problem && rows(lhs.unexpected) == rows(rhs.unexpected)
                && rows(lhs.errors) == rows(rhs.errors)
        }
    }

    package init(
        unexpected: [Unexpected], errors: [Failed], retries: Retries, unexpectedCount: Int? = nil,
        errorCount: Int? = nil
    ) {
        self.unexpected = unexpected
        self.errors = errors
        self.retries = retries
        self.unexpectedCount = unexpectedCount ?? unexpected.count
        self.errorCount = errorCount ?? errors.count
    }

    package var isEmpty: Bool { unexpectedCount == 0 && errorCount == 0 && retries.attempts == 0 }

    static func evidenceLine(_ entry: ReportEntry) -> String {
        var parts: [String] = []
        if let first = entry.verdict.evidence.first {
            parts.append(first.note.isEmpty ? first.rule : "\(first.rule): \(Excerpt.of(first.note, length: 80))")
        }
        let answer = Excerpt.of(entry.answer, length: 60)
        if !answer.isEmpty { parts.append("“\(answer)”") }
        return parts.isEmpty ? "no evidence recorded" : parts.joined(separator: " — ")
    }

    /// The lists as text, each capped at `limit` lines with a count of the rest (`nil`: no cap;
    /// the lists must then hold every item, as an accumulator keeping all of them gives).
    package func render(limit: Int?, style: TextStyle = .plain) -> String {
        var lines: [String] = []
        writeLines(limit: limit, style: style) { lines.append($0) }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// `render`'s lines one at a time, so a spooled list of any length is never held as text.
    package func writeLines(limit: Int?, style: TextStyle = .plain, _ emit: (String) -> Void) {
        func unexpectedLine(_ item: Unexpected) -> String {
            "  \(RequestReference.displayName(of: item.request))  \(style.yellow(item.verdict.rawValue)) (expected \(item.expect.rawValue))  \(item.evidence)"
        }
        func errorLine(_ item: Failed) -> String {
            "  \(RequestReference.displayName(of: item.request))  \(style.red(item.cause))"
        }
        func list<Item>(_ kept: [Item], _ spool: SpooledInReportOrder<Item>?, line: (Item) -> String) {
            guard let spool else {
                for item in kept.prefix(limit ?? .max) { emit(line(item)) }
                return
            }
            do {
                try spool.forEach(limit: limit) { emit(line($0)) }
            } catch {
                emit("  … the rest could not be read back: \(error)")
            }
        }
        if unexpectedCount > 0 {
            emit(style.bold("not as expected (\(unexpectedCount)):"))
            list(unexpected, spooled?.unexpected, line: unexpectedLine)
            if let limit, unexpectedCount > limit { emit("  … and \(unexpectedCount - limit) more") }
        }
        if errorCount > 0 {
            emit(style.bold("errors (\(errorCount)):"))
            list(errors, spooled?.errors, line: errorLine)
            if let limit, errorCount > limit { emit("  … and \(errorCount - limit) more") }
        }
        if let problem = spooled?.problem {
            emit(style.red("the lists above are incomplete: \(problem)"))
        }
        if retries.attempts > 0 {
            let reasons = retries.reasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.value)× \($0.key)" }.joined(separator: ", ")
            emit(
                "retries: \(retries.attempts) on \(retries.requests) request\(retries.requests == 1 ? "" : "s") (\(reasons))"
            )
        }
    }
}

/// Of the items added, the first `limit` in report order (suite, probe, sample, mode), and how
/// many were added; with no limit, all of them. Equal keys stay in the order they came, as the
/// stable sort that ordered the whole list left them. An item is only built when it is kept.
struct FirstInReportOrder<Item: Sendable>: Sendable {
    private var kept: [(key: WorkKey, item: Item)] = []
    private var isSorted = true
    private(set) var count = 0
    let limit: Int?

    init(limit: Int?) {
        self.limit = limit.map { Swift.max(0, $0) }
    }

    mutating func add(_ key: WorkKey, _ item: @autoclosure () -> Item) {
        count += 1
        guard let limit else {
            isSorted = isSorted && kept.last.map { !key.precedes($0.key) } ?? true
            kept.append((key, item()))
            return
        }
        // Full, and not before the last kept: it would be cut off again.
        if kept.count == limit, kept.last.map({ !key.precedes($0.key) }) ?? true { return }
        kept.insert((key, item()), at: insertionPoint(of: key))
        if kept.count > limit { kept.removeLast() }
    }

    /// The kept items in report order.
    var items: [Item] {
        (isSorted ? kept : kept.sorted { $0.key.precedes($1.key) }).map(\.item)
    }

    /// After every kept key not ordered after `key`.
    private func insertionPoint(of key: WorkKey) -> Int {
        var low = 0
        var high = kept.count
        while low < high {
            let middle = (low + high) / 2
            if key.precedes(kept[middle].key) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
