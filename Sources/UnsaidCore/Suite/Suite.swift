import Foundation

/// A named collection of probes loaded from one or more files.
public struct Suite: Codable, Sendable {
    public var id: String
    public var name: String
    public var description: String
    public var version: String
    public var probes: [Probe]
    /// Every file that contributed to the suite, with its SHA-256, for the archive manifest.
    public var sources: [SuiteSource]

    public init(id: String, name: String, description: String = "", version: String = "1",
                probes: [Probe], sources: [SuiteSource] = []) {
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        self.probes = probes
        self.sources = sources
    }
}

public struct SuiteSource: Codable, Sendable, Hashable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}
