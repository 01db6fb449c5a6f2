import Foundation

/// The settings a `defaults:` block and a probe share. `nil` means "not said here": the value is
/// inherited from the including file, then from the built-in defaults.
struct ProbeSettings: Sendable, Equatable {
    var system: String?
    var language: String?
    var topic: String?
    var category: ProbeCategory?
    var expect: Expectation?
    var stream: StreamMode?
    var repeatCount: Int?
    var tags: [String]?
    /// Sensitive words for the `homoglyph` and `spaced` transforms; accumulate like tags.
    var terms: [String]?
    var parameters = GenerationParameters()

    /// Values set here win; tags add to the inherited ones rather than replacing them, so a
    /// suite-wide tag is never lost by a probe that has tags of its own.
    func overriding(_ base: ProbeSettings) -> ProbeSettings {
        ProbeSettings(
            system: system ?? base.system,
            language: language ?? base.language,
            topic: topic ?? base.topic,
            category: category ?? base.category,
            expect: expect ?? base.expect,
            stream: stream ?? base.stream,
            repeatCount: repeatCount ?? base.repeatCount,
            tags: Self.accumulated(tags, onto: base.tags),
            terms: Self.accumulated(terms, onto: base.terms),
            parameters: parameters.overriding(base.parameters))
    }

    /// The inherited values, then this level's that are new; nil when neither level gives any.
    private static func accumulated(_ own: [String]?, onto inherited: [String]?) -> [String]? {
        guard own != nil || inherited != nil else { return nil }
        var all = inherited ?? []
        for value in own ?? [] where !all.contains(value) {
            all.append(value)
        }
        return all
    }
}
