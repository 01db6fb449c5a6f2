import Foundation
import UnsaidFixture

/// The recordings a replay server answers from, indexed by the canonical hash of their request.
/// Several recordings of one request (repeated samples of a run) are served in recorded order,
/// cycling, so replaying a run answers each sample with its own recording.
package struct ReplayLibrary: Sendable {
    package let fixtures: [Fixture]
    let keys: [FixtureRequestKey]
    private let index: [String: [Int]]

    /// Throws `FixtureError.invalid` naming the recording whose request cannot be keyed.
    package init(_ fixtures: [Fixture]) throws {
        self.fixtures = fixtures
        self.keys = try fixtures.map { fixture in
            do {
                return try fixture.requestKey
            } catch {
                throw FixtureError.invalid(path: fixture.meta.name, reason: "\(error)")
            }
        }
        var index: [String: [Int]] = [:]
        for (position, key) in keys.enumerated() {
            index[key.hash, default: []].append(position)
        }
        self.index = index
    }

    /// Loads a fixture directory, a run directory or a single file (see `FixtureCollection`).
    package static func load(from url: URL) throws -> ReplayLibrary {
        try ReplayLibrary(try FixtureCollection.load(from: url))
    }

    /// Positions of the recordings answering a request with this key, in recorded order.
    func matches(_ key: FixtureRequestKey) -> [Int] {
        index[key.hash] ?? []
    }

    /// The recording whose request differs from `key` in the fewest fields (the first on a tie).
    func nearest(to key: FixtureRequestKey) -> Int? {
        keys.indices.min { keys[$0].differences(from: key).count < keys[$1].differences(from: key).count }
    }

    /// The model names the recordings were made with, for `GET /v1/models`.
    var models: [String] {
        var seen: Set<String> = []
        return keys.compactMap { $0.fields["model"]?.stringValue }.filter { seen.insert($0).inserted }
    }
}
