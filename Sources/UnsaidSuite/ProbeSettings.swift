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
        var tags = base.tags ?? []
        for tag in self.tags ?? [] where !tags.contains(tag) {
            tags.append(tag)
        }
        var terms = base.terms ?? []
        for term in self.terms ?? [] where !terms.contains(term) {
            terms.append(term)
        }
        return ProbeSettings(
            system: system ?? base.system,
            language: language ?? base.language,
            topic: topic ?? base.topic,
            category: category ?? base.category,
            expect: expect ?? base.expect,
            stream: stream ?? base.stream,
            repeatCount: repeatCount ?? base.repeatCount,
            tags: (self.tags == nil && base.tags == nil) ? nil : tags,
            terms: (self.terms == nil && base.terms == nil) ? nil : terms,
            parameters: parameters.overriding(base.parameters))
    }
}
