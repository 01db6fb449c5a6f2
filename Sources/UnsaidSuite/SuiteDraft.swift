import Foundation

/// A suite as it will be written to a file: what the importers produce and `SuiteWriter` emits.
/// Only single-prompt probes, because that is all the public prompt sets hold.
package struct SuiteDraft: Sendable, Equatable {
    package struct Probe: Sendable, Equatable {
        package var id: String
        package var prompt: String
        package var language: String?
        package var category: ProbeCategory?
        package var expect: Expectation?
        package var tags: [String]

        package init(
            id: String, prompt: String, language: String? = nil, category: ProbeCategory? = nil,
            expect: Expectation? = nil, tags: [String] = []
        ) {
            self.id = id
            self.prompt = prompt
            self.language = language
            self.category = category
            self.expect = expect
            self.tags = tags
        }
    }

    package var id: String
    package var name: String?
    package var description: String?
    package var version: String?
    /// Suite-wide defaults; a probe's own value wins.
    package var language: String?
    package var category: ProbeCategory?
    package var expect: Expectation?
    package var probes: [Probe]

    package init(
        id: String, name: String? = nil, description: String? = nil, version: String? = nil,
        language: String? = nil, category: ProbeCategory? = nil, expect: Expectation? = nil,
        probes: [Probe]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        self.language = language
        self.category = category
        self.expect = expect
        self.probes = probes
    }
}
