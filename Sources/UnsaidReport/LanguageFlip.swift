import Foundation
import UnsaidSuite
import UnsaidSupport

/// One question (a probe `group`) that a model treats differently depending on the language it
/// is asked in — e.g. answered in English, refused in Chinese.
package struct LanguageFlip: Sendable, Equatable {
    /// Encoded as is in `report.json`'s `languageFlips`.
    package struct Member: Sendable, Equatable, Encodable {
        package var language: String
        package var suite: String
        package var probe: String
        /// The most frequent verdict over the probe's samples and modes (ties: taxonomy order).
        package var verdict: VerdictLabel
        /// Scored requests behind `verdict`.
        package var requests: Int
        /// Excerpt of the first answer that got `verdict`.
        package var excerpt: String
    }

    package var group: String
    /// Sorted by language, then probe id.
    package var members: [Member]

    /// Groups of the run whose members' majority verdicts differ. Errors are left out; groups
    /// with a single probe are not comparisons.
    package static func find(in run: ReportRun) -> [LanguageFlip] {
        var byGroup: [String: [String: [ReportEntry]]] = [:]
        // Rewritten prompts (transforms) have their own section; a pinyin variant is not a language.
        // Follow-up turns are conversations, not translations.
        for entry in run.entries
        where entry.verdict.verdict != .error && entry.probe.transform == nil && entry.probe.turn == nil {
            guard let group = entry.probe.group else { continue }
            byGroup[group, default: [:]]["\(entry.key.suite)/\(entry.key.probe)", default: []].append(entry)
        }
        return byGroup.keys.sorted().compactMap { group -> LanguageFlip? in
            guard let probes = byGroup[group], probes.count > 1 else { return nil }
            let members = probes.values.compactMap { entries -> Member? in
                guard let first = entries.first else { return nil }
                var counts: [VerdictLabel: Int] = [:]
                for entry in entries { counts[entry.verdict.verdict, default: 0] += 1 }
                let top = counts.values.max() ?? 0
                guard let majority = VerdictLabel.allCases.first(where: { counts[$0] == top }) else { return nil }
                let example = entries.first { $0.verdict.verdict == majority } ?? first
                return Member(
                    language: first.probe.language, suite: first.key.suite, probe: first.key.probe,
                    verdict: majority, requests: entries.count, excerpt: Excerpt.of(example.answer))
            }
            .sorted { ($0.language, $0.probe) < ($1.language, $1.probe) }
            guard Set(members.map(\.verdict)).count > 1 else { return nil }
            return LanguageFlip(group: group, members: members)
        }
    }
}
