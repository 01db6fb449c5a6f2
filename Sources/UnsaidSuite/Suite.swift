import Foundation

/// A named collection of probes loaded from one or more files.
package struct Suite: Codable, Sendable {
    package var id: String
    package var name: String
    package var description: String
    package var version: String
    /// Packed: a `Probe` is built when one is read (see `ProbeTable`).
    package var probes: ProbeTable
    /// Every file that contributed to the suite, with its SHA-256, for the archive manifest.
    package var sources: [SuiteSource]

    package init(
        id: String, name: String, description: String = "", version: String = "1",
        probes: [Probe], sources: [SuiteSource] = []
    ) {
        self.init(
            id: id, name: name, description: description, version: version, probes: ProbeTable(probes),
            sources: sources)
    }

    package init(
        id: String, name: String, description: String = "", version: String = "1",
        probes: ProbeTable, sources: [SuiteSource] = []
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        self.probes = probes
        self.sources = sources
    }
}

package struct SuiteSource: Codable, Sendable, Hashable {
    package var path: String
    package var sha256: String
}
