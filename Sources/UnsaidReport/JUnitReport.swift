import Foundation
import UnsaidArchive
import UnsaidSupport

/// JUnit XML so CI systems show probe regressions natively: one `<testsuite>` per run, one
/// `<testcase>` per request (classname = suite id, name = `probe#sample (stream: on|off)`).
///
/// - A verdict that contradicts the probe's `expect` (`Outcome.fail`) is a `<failure>` whose
///   message names the expectation and the verdict and whose body lists the rule ids, flags and
///   an excerpt of the answer.
/// - A verdict of `error` (transport or HTTP failure) is an `<error>`: the probe could not be
///   judged, which a CI run should not pass over silently, but it is not a model regression.
/// - Everything else passes, including `expect: any` probes; every test case carries its verdict
///   in `<system-out>`.
package enum JUnitReport {
    package static func render(_ document: ReportDocument) throws -> String {
        try ReportWriter.collect { try render(document, to: $0) }
    }

    /// The totals head the file, so they are counted from the summaries first; the test cases
    /// are written as their entries are read back.
    package static func render(_ document: ReportDocument, to writer: ReportWriter) throws {
        func failures(_ run: ReportRun) -> Int {
            run.requests.filter { $0.outcome == .fail && $0.verdict != .error }.count
        }
        func errors(_ run: ReportRun) -> Int { run.requests.filter { $0.verdict == .error }.count }
        var totals = (tests: 0, failures: 0, errors: 0)
        for run in document.runs {
            totals.tests += run.requests.count
            totals.failures += failures(run)
            totals.errors += errors(run)
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<testsuites name=\"unsaid\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"0\">\n"
        try writer.write(out)
        for run in document.runs {
            let failures = failures(run)
            let errors = errors(run)
            var head = ""
            // The suite's time is how long the run took (start to finish), not the sum of its
            // requests, which overlap when several are in flight; the sum stands in only for a
            // run that never finished.
            let time = wallTime(run.manifest) ?? run.requests.reduce(0) { $0 + ($1.elapsed ?? 0) }
            head +=
                "  <testsuite name=\"\(attr(run.label))\" id=\"\(attr(run.manifest.runID))\" tests=\"\(run.requests.count)\""
            head += " failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(seconds(time))\""
            head += " timestamp=\"\(attr(run.manifest.startedAt))\">\n"
            head += "    <properties>\n"
            for (name, value) in [
                ("run", run.manifest.runID), ("target", run.manifest.target.name),
                ("model", run.manifest.target.model), ("ruleset", run.manifest.ruleset.version),
            ] {
                head += "      <property name=\"\(name)\" value=\"\(attr(value))\"/>\n"
            }
            head += "    </properties>\n"
            try writer.write(head)
            try run.forEachEntry { entry in try writer.write(testcase(entry)) }
            try writer.write("  </testsuite>\n")
        }
        try writer.write("</testsuites>\n")
    }

    static func testcase(_ entry: ReportEntry) -> String {
        let verdict = entry.verdict
        let name = "\(entry.key.probe)#\(entry.key.sample) (stream: \(entry.key.streamSetting))"
        var out =
            "    <testcase classname=\"\(attr(entry.key.suite))\" name=\"\(attr(name))\" time=\"\(seconds(entry.attempt?.elapsed ?? 0))\">\n"
        let rules = verdict.rules.isEmpty ? "none" : verdict.rules.joined(separator: ", ")
        var details = "verdict: \(verdict.verdict.rawValue)\nexpect: \(verdict.expect.rawValue)\nrules: \(rules)\n"
        if !verdict.flags.isEmpty { details += "flags: \(verdict.flags.wire.joined(separator: ", "))\n" }
        details += "answer: \(Excerpt.of(entry.answer))\n"
        if verdict.verdict == .error {
            let message = verdict.evidence.first.map { "\($0.rule): \($0.note)" } ?? "no usable response"
            out += "      <error message=\"\(attr(message))\" type=\"error\">\(text(details))</error>\n"
        } else if verdict.outcome == .fail {
            let message = "expected \(verdict.expect.rawValue), got \(verdict.verdict.rawValue) (\(rules))"
            out +=
                "      <failure message=\"\(attr(message))\" type=\"\(verdict.verdict.rawValue)\">\(text(details))</failure>\n"
        }
        out +=
            "      <system-out>verdict: \(verdict.verdict.rawValue); outcome: \(verdict.outcome.rawValue); rules: \(attr(rules))</system-out>\n"
        out += "    </testcase>\n"
        return out
    }

    /// Microseconds from `startedAt` to `finishedAt`, when both are there and in order.
    static func wallTime(_ manifest: Manifest) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let finished = manifest.finishedAt, let end = formatter.date(from: finished),
            let start = formatter.date(from: manifest.startedAt), end >= start
        else { return nil }
        return Int64((end.timeIntervalSince(start) * 1_000_000).rounded())
    }

    static func attr(_ value: String) -> String {
        // Line breaks in attributes would be normalised to spaces by XML parsers anyway.
        XMLEscaping.escape(value).replacingOccurrences(of: "\n", with: "&#10;").replacingOccurrences(
            of: "\r", with: "&#13;")
    }

    static func text(_ value: String) -> String { XMLEscaping.escape(value) }

    static func seconds(_ microseconds: Int64) -> String { String(format: "%.3f", Double(microseconds) / 1_000_000) }
}
