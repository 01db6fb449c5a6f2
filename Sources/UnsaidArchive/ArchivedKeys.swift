import Foundation
import UnsaidSuite

/// A set of request keys as 128-bit digests (`Digest128`): what a resume keeps of the requests
/// already archived. A `Set<WorkKey>` cost about 200 bytes a key (each key's 64-digit probe hash
/// among its strings) and a resume held two, 13 MB for 34,000 archived requests; a digest costs
/// 16 bytes and its slot. The keys themselves are read again from the archive in the one case
/// that must name one (`smallest(in:)`).
package struct ArchivedKeys: Sendable {
    private var digests = Set<RequestDigest>()

    package init() {}

    package var isEmpty: Bool { digests.isEmpty }
    package var count: Int { digests.count }

    package mutating func insert(_ key: WorkKey) {
        digests.insert(RequestDigest(key))
    }

    package mutating func remove(_ key: WorkKey) {
        digests.remove(RequestDigest(key))
    }

    package func contains(_ key: WorkKey) -> Bool {
        digests.contains(RequestDigest(key))
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
}

/// A request key as a 128-bit digest of every field (each ended by a NUL, see
/// `Digest128(fields:)`): 16 bytes to index a request by, however long its names.
package struct RequestDigest: Hashable, Sendable {
    private let digest: Digest128

    package init(_ key: WorkKey) {
        digest = Digest128(fields: [key.suite, key.probe, key.probeHash, String(key.sample), key.streamed ? "s" : "j"])
    }
}
