import Foundation

/// Where something was written in a suite file (1-based, columns in Unicode scalars as libyaml
/// counts them).
struct SourcePosition: Sendable, Equatable {
    var line: Int
    var column: Int

    static let start = SourcePosition(line: 1, column: 1)
}

/// What a probe says: one user prompt, or a whole conversation.
enum ProbeContent: Sendable, Equatable {
    case prompt(String)
    case messages([ChatMessage])
}

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
    var parameters = GenerationParameters()

    /// Values set here win; tags add to the inherited ones rather than replacing them, so a
    /// suite-wide tag is never lost by a probe that has tags of its own.
    func overriding(_ base: ProbeSettings) -> ProbeSettings {
        var tags = base.tags ?? []
        for tag in self.tags ?? [] where !tags.contains(tag) {
            tags.append(tag)
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
            parameters: parameters.overriding(base.parameters))
    }
}

/// One `include:` entry.
struct IncludeEntry: Sendable {
    var path: String
    var position: SourcePosition
    var field: String
}

/// One `variants:` entry of a probe.
struct VariantEntry: Sendable {
    var id: String?
    var suffix: String?
    var content: ProbeContent?
    var system: String?
    var language: String?
    var topic: String?
    var tags: [String]?
    var position: SourcePosition
    var field: String
}

/// One entry of `probes:`, as written (defaults not yet applied).
struct ProbeEntry: Sendable {
    var id: String
    var idPosition: SourcePosition
    var position: SourcePosition
    var field: String
    var content: ProbeContent?
    var settings: ProbeSettings
    var group: String?
    var variants: [VariantEntry]
}

/// One suite file after validation, before includes and defaults are resolved.
struct SuiteDocument: Sendable {
    var id: String?
    var idPosition: SourcePosition?
    var name: String?
    var description: String?
    var version: String?
    var defaults = ProbeSettings()
    var includes: [IncludeEntry] = []
    var probes: [ProbeEntry] = []
    var position = SourcePosition.start
}
