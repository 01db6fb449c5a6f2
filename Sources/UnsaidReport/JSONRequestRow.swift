import Foundation
import UnsaidVerdict

/// One request of a run in `report.json`: everything a script needs to find what went wrong
/// (which request, what was decided and by which layer, why it failed, how often it was retried)
/// without parsing the HTML or the transcripts.
struct JSONRequestRow: Encodable {
    /// The request key as archives, fixtures and `unsaid review --set` spell it (`suite/probe#0@json`).
    var request: String
    var suite: String
    var probe: String
    var probeHash: String
    var sample: Int
    /// `on` or `off`, the words of a suite's `stream:` setting.
    var stream: String
    var category: String
    var topic: String?
    var language: String
    var group: String?
    var expect: String
    var verdict: String
    var outcome: String
    /// The detector layer whose finding is the verdict (`wire`, `phrase`, `classifier`, `judge`);
    /// absent in archives made before layers.
    var decidedBy: String?
    var flags: [VerdictFlag]
    var rules: [String]
    var needsReview: Bool
    /// One line: the first rule that fired with its note, and the start of the answer.
    var evidence: String
    /// Why the request ended in `error` (`connection refused (127.0.0.1 port 9)`); absent otherwise.
    var failure: String?
    /// HTTP status of the judged attempt; absent when no response arrived.
    var status: Int?
    var elapsedMs: Int64?
    /// Attempts made, the judged one included.
    var attempts: Int
    /// Why each retried attempt failed, in order (`HTTP 429`, `connect`); empty without retries.
    var retries: [String]
    /// A person's latest label from `unsaid review`; absent when unreviewed.
    var reviewed: String?

    init(_ entry: ReportEntry) {
        let key = entry.key
        let verdict = entry.verdict
        request = key.description
        suite = key.suite
        probe = key.probe
        probeHash = key.probeHash
        sample = key.sample
        stream = key.streamSetting
        category = entry.probe.category.rawValue
        topic = entry.probe.topic
        language = entry.probe.language
        group = entry.probe.group
        expect = verdict.expect.rawValue
        self.verdict = verdict.verdict.rawValue
        outcome = verdict.outcome.rawValue
        decidedBy = verdict.decidedBy?.rawValue
        flags = verdict.flags
        rules = verdict.rules
        needsReview = verdict.flags.contains(.needsReview)
        evidence = RunProblems.evidenceLine(entry)
        failure = verdict.verdict == .error ? FailureCause.describe(entry.transcript) : nil
        status = entry.attempt?.status
        elapsedMs = entry.attempt.map { $0.elapsed / 1000 }
        attempts = entry.transcript.attempts.count
        retries = entry.transcript.attempts.dropLast().map(FailureCause.retryReason)
        reviewed = entry.review?.label
    }
}
