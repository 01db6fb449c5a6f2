import Foundation

/// A suite as it will be written to a file: what the importers produce and `SuiteWriter` emits.
/// Only single-prompt probes, because that is all the public prompt sets hold.
public struct SuiteDraft: Sendable, Equatable {
    public struct Probe: Sendable, Equatable {
        public var id: String
        public var prompt: String
        public var language: String?
        public var category: ProbeCategory?
        public var expect: Expectation?
        public var tags: [String]

        public init(id: String, prompt: String, language: String? = nil, category: ProbeCategory? = nil,
                    expect: Expectation? = nil, tags: [String] = []) {
            self.id = id
            self.prompt = prompt
            self.language = language
            self.category = category
            self.expect = expect
            self.tags = tags
        }
    }

    public var id: String
    public var name: String?
    public var description: String?
    public var version: String?
    /// Suite-wide defaults; a probe's own value wins.
    public var language: String?
    public var category: ProbeCategory?
    public var expect: Expectation?
    public var probes: [Probe]

    public init(id: String, name: String? = nil, description: String? = nil, version: String? = nil,
                language: String? = nil, category: ProbeCategory? = nil, expect: Expectation? = nil,
                probes: [Probe]) {
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
