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
    /// What the variant sets of its own (`system`, `language`, `topic`, `tags`, `terms`); it
    /// overrides the probe's settings by the same rules a probe overrides its defaults.
    var settings: ProbeSettings
    var followUps: [FollowUpTurn]?
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
    var followUps: [FollowUpTurn]?
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
    /// `transforms:`, with where the key was written (only a suite's root file may set it).
    var transforms: [TransformSpec] = []
    var transformsPosition: SourcePosition?
    var position = SourcePosition.start
}
