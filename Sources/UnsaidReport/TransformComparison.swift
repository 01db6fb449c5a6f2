import Foundation
import UnsaidSuite

/// For a run with prompt transforms: each plain probe's verdict beside the verdict of each of
/// its rewrites, and where a rewrite turned a block into an answer (`keyword_sensitive`): the
/// model or provider reacted to the wording (a keyword, a script) rather than the topic.
package struct TransformComparison: Sendable, Equatable {
    package static let keywordSensitiveFlag = "keyword_sensitive"

    package struct Row: Sendable, Equatable {
        package var topic: String?
        package var language: String
        package var suite: String
        /// The plain probe's id.
        package var probe: String
        /// Majority verdict of the plain probe (ties: taxonomy order); `nil` if only errors.
        package var plain: VerdictLabel?
        /// Transform name → majority verdict of the rewritten probe.
        package var transformed: [String: VerdictLabel]
        /// Transforms that flipped `filtered`/`refused` to `answered`, in column order.
        package var keywordSensitive: [String]
    }

    /// Transform names in the order they first appear in the run.
    package var transforms: [String]
    /// Sorted by topic, language, suite and probe.
    package var rows: [Row]

    /// Blocks a rewrite may lift; `deflected` is left out because it is not a block.
    static let blocks: Set<VerdictLabel> = [.filtered, .refused]

    /// The runs of a document that have transformed probes, each with its comparison, in report order.
    package static func byRun(_ document: ReportDocument) -> [(run: ReportRun, comparison: TransformComparison)] {
        document.runs.compactMap { run in find(in: run).map { (run: run, comparison: $0) } }
    }

    /// `nil` when the run has no transformed probes.
    package static func find(in run: ReportRun) -> TransformComparison? {
        // Most runs have none: then nothing is grouped (a group per plain probe held about
        // 300 bytes a request).
        guard run.requests.contains(where: { $0.transform != nil && !$0.isFollowUp }) else { return nil }
        var transforms: [String] = []
        var bySource: [String: [String: [RequestSummary]]] = [:]
        var plainEntries: [String: [RequestSummary]] = [:]
        for request in run.requests where !request.isFollowUp {
            let suite = request.suite
            if let transform = request.transform {
                if !transforms.contains(transform.name) { transforms.append(transform.name) }
                bySource["\(suite)/\(transform.source)", default: [:]][transform.name, default: []].append(request)
            } else {
                plainEntries["\(suite)/\(request.probeID)", default: []].append(request)
            }
        }
        guard !transforms.isEmpty else { return nil }
        let rows = bySource.compactMap { source, rewrites -> Row? in
            guard let plain = plainEntries[source], let first = plain.first else { return nil }
            let plainVerdict = majority(plain)
            var transformed: [String: VerdictLabel] = [:]
            for (name, entries) in rewrites { transformed[name] = majority(entries) }
            let sensitive = transforms.filter { name in
                guard let plainVerdict, blocks.contains(plainVerdict) else { return false }
                return transformed[name] == .answered
            }
            return Row(
                topic: first.topic, language: first.language, suite: first.suite,
                probe: first.probeID, plain: plainVerdict, transformed: transformed, keywordSensitive: sensitive)
        }
        .sorted {
            ($0.topic ?? "", $0.language, $0.suite, $0.probe) < ($1.topic ?? "", $1.language, $1.suite, $1.probe)
        }
        return TransformComparison(transforms: transforms, rows: rows)
    }

    /// The most frequent verdict among scored requests; errors say nothing about the model.
    static func majority(_ requests: [RequestSummary]) -> VerdictLabel? {
        var counts: [VerdictLabel: Int] = [:]
        for request in requests where request.verdict != .error { counts[request.verdict, default: 0] += 1 }
        guard let top = counts.values.max() else { return nil }
        return VerdictLabel.allCases.first { counts[$0] == top }
    }

    /// Rows with at least one keyword-sensitive transform.
    package var sensitiveCount: Int { rows.filter { !$0.keywordSensitive.isEmpty }.count }
}
