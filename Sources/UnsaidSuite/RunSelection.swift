#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Which part of a suite a run sends (`--filter`, `--tag`, `--category`, `--language`,
/// `--limit`). Recorded in the manifest so `--resume` plans exactly the same requests.
///
/// A probe is selected when it passes every kind of criterion given, and any one value within a
/// kind: `--tag a --tag b` selects probes tagged a or b; `--tag a --language ko` selects Korean
/// probes tagged a. `limit` then keeps the first N selected probes (with all their samples and
/// modes, so a streamed/non-streamed pair is never split).
package struct RunSelection: Codable, Sendable, Equatable {
    /// Shell globs (`*`, `?`, `[…]`) on probe ids; a glob with a `/` is matched against
    /// `suite/probe` instead.
    package var filters: [String]
    package var tags: [String]
    package var categories: [ProbeCategory]
    /// Language tags; `zh` selects `zh-Hans` and `zh-Hant` too (a prefix up to a `-`).
    package var languages: [String]
    package var limit: Int?

    package init(
        filters: [String] = [], tags: [String] = [], categories: [ProbeCategory] = [],
        languages: [String] = [], limit: Int? = nil
    ) {
        self.filters = filters
        self.tags = tags
        self.categories = categories
        self.languages = languages
        self.limit = limit
    }

    package var isEmpty: Bool {
        filters.isEmpty && tags.isEmpty && categories.isEmpty && languages.isEmpty && limit == nil
    }

    package func selects(_ probe: Probe, suite: String) -> Bool {
        if !filters.isEmpty
            && !filters.contains(where: { Self.glob($0, matches: $0.contains("/") ? "\(suite)/\(probe.id)" : probe.id) }
            )
        {
            return false
        }
        if !tags.isEmpty && !tags.contains(where: probe.tags.contains) { return false }
        if !categories.isEmpty && !categories.contains(probe.category) { return false }
        if !languages.isEmpty && !languages.contains(where: { Self.language(probe.language, matches: $0) }) {
            return false
        }
        return true
    }

    /// The items of the selected probes, in plan order, cut to the first `limit` probes.
    package func apply(_ items: [WorkItem]) -> [WorkItem] {
        guard !isEmpty else { return items }
        var kept: [WorkItem] = []
        var probes: [String] = []
        for item in items where selects(item.probe, suite: item.key.suite) {
            let id = "\(item.key.suite)/\(item.key.probe)"
            if !probes.contains(id) {
                if let limit, probes.count >= limit { continue }
                probes.append(id)
            }
            kept.append(item)
        }
        return kept
    }

    static func glob(_ pattern: String, matches text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }

    static func language(_ tag: String, matches wanted: String) -> Bool {
        let tag = tag.lowercased(), wanted = wanted.lowercased()
        return tag == wanted || tag.hasPrefix(wanted + "-")
    }
}
