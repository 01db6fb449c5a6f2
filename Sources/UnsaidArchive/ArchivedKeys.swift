import Foundation
import UnsaidSuite

/// A set of request keys as 128-bit digests (`Digest128`): what a resume keeps of the requests
/// already archived. A `Set<WorkKey>` cost about 200 bytes a key (each key's 64-digit probe hash
/// among its strings) and a resume held two, 13 MB for 34,000 archived requests; a digest costs
/// 16 bytes and its slot. The keys themselves are read again from the archive in the one case
/// that must name one (`smallest(in:)`).
package struct ArchivedKeys: Sendable {
    private var digests = Set<Digest128>()

    package init() {}

    package var isEmpty: Bool { digests.isEmpty }
    package var count: Int { digests.count }

    package mutating func insert(_ key: WorkKey) {
        digests.insert(Self.digest(key))
    }

    package mutating func remove(_ key: WorkKey) {
        digests.remove(Self.digest(key))
    }

    package func contains(_ key: WorkKey) -> Bool {
        digests.contains(Self.digest(key))
    }

    /// The smallest of these keys (`WorkKey`'s order) among the first turns archived in `layout`,
    /// read from its records again; nil when none of them is there.
    package func smallest(in layout: ArchiveLayout) throws -> WorkKey? {
        var smallest: WorkKey?
        _ = try ArchiveStream.transcripts(layout) { record, _ in
            let key = record.transcript.key
            guard record.probe.turn == nil, contains(key), smallest.map({ key < $0 }) ?? true else { return }
            smallest = key
        }
        return smallest
    }

    /// Every field, in order, each ended by a NUL (see `Digest128(fields:)`).
    private static func digest(_ key: WorkKey) -> Digest128 {
        Digest128(fields: [key.suite, key.probe, key.probeHash, String(key.sample), key.streamed ? "s" : "j"])
    }
}
