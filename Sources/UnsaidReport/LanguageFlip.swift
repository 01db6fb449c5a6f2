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
    ///
    /// Found from the run's request summaries; only each member's example is read back from the
    /// archive, for its answer.
    package static func find(in run: ReportRun) throws -> [LanguageFlip] {
        let requests = run.requests
        var byGroup: [String: [String: [Int]]] = [:]
        // Rewritten prompts (transforms) have their own section; a pinyin variant is not a language.
        // Follow-up turns are conversations, not translations.
        for (index, request) in requests.enumerated()
        where request.verdict != .error && request.transform == nil && !request.isFollowUp {
            guard let group = request.group else { continue }
            byGroup[group, default: [:]]["\(request.suite)/\(request.probe)", default: []].append(index)
        }
        // Members without their excerpts, each with the position of the request it quotes.
        let found = byGroup.keys.sorted().compactMap { group -> (group: String, members: [(Member, Int)])? in
            guard let probes = byGroup[group], probes.count > 1 else { return nil }
            let members = probes.values.compactMap { indices -> (Member, Int)? in
                guard let firstIndex = indices.first else { return nil }
                let first = requests[firstIndex]
                var counts: [VerdictLabel: Int] = [:]
                for index in indices { counts[requests[index].verdict, default: 0] += 1 }
                let top = counts.values.max() ?? 0
                guard let majority = VerdictLabel.allCases.first(where: { counts[$0] == top }) else { return nil }
                let example = indices.first { requests[$0].verdict == majority } ?? firstIndex
                let member = Member(
                    language: first.language, suite: first.suite, probe: first.probe,
                    verdict: majority, requests: indices.count, excerpt: "")
                return (member, example)
            }
            .sorted { ($0.0.language, $0.0.probe) < ($1.0.language, $1.0.probe) }
            guard Set(members.map(\.0.verdict)).count > 1 else { return nil }
            return (group, members)
        }
        var excerpts: [Int: String] = [:]
        try run.entries(at: found.flatMap { $0.members.map(\.1) }) { index, entry in
            excerpts[index] = Excerpt.of(entry.answer)
        }
        return found.map { group, members in
            LanguageFlip(
                group: group,
                members: members.map { member, example in
                    var member = member
                    member.excerpt = excerpts[example] ?? ""
                    return member
                })
        }
    }
}
