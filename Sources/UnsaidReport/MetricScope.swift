import Foundation
import UnsaidSuite

/// Which requests a set of metrics covers: the whole run, or one slice of it.
package enum MetricScope: Hashable, Sendable, Comparable, CustomStringConvertible {
    case overall
    case category(ProbeCategory)
    case topic(String)
    case language(String)

    /// `overall`, `category:censorship`, `topic:tiananmen`, `language:zh-Hans` — the spelling in
    /// JSON reports and (bare category names aside) in `--fail-under`.
    package var description: String {
        switch self {
        case .overall: return "overall"
        case .category(let category): return "category:\(category.rawValue)"
        case .topic(let topic): return "topic:\(topic)"
        case .language(let language): return "language:\(language)"
        }
    }

    /// What a table row shows (the value without its kind).
    package var value: String {
        switch self {
        case .overall: return "overall"
        case .category(let category): return category.rawValue
        case .topic(let topic): return topic
        case .language(let language): return language
        }
    }

    private var order: Int {
        switch self {
        case .overall: return 0
        case .category: return 1
        case .topic: return 2
        case .language: return 3
        }
    }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.order != rhs.order { return lhs.order < rhs.order }
        return lhs.value < rhs.value
    }

    /// Whether a probe falls in the scope.
    package func contains(_ probe: Probe) -> Bool {
        switch self {
        case .overall: return true
        case .category(let category): return probe.category == category
        case .topic(let topic): return probe.topic == topic
        case .language(let language): return probe.language == language
        }
    }
}
