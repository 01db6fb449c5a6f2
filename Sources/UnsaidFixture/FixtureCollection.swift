import Foundation
import UnsaidArchive
import UnsaidSupport

/// Reads what a replay server can serve from a path: a fixture directory (`*.json`, golden
/// `*.verdict.json` files skipped), a run directory (`Results/<run>`, read from its
/// `transcripts.jsonl`), or a single fixture or `.jsonl` file.
package enum FixtureCollection {
    package static func load(from url: URL) throws -> [Fixture] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FixtureError.unreadable(path: url.path)
        }
        guard isDirectory.boolValue else {
            return url.pathExtension == "jsonl" ? try loadRecords(url) : [try Fixture.load(from: url)]
        }
        let transcripts = ArchiveLayout(directory: url).transcripts
        if FileManager.default.fileExists(atPath: transcripts.path) {
            return try loadRecords(transcripts)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let fixtures =
            try names
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(Fixture.verdictSuffix) && !$0.hasPrefix(".") }
            .sorted()
            .map { try Fixture.load(from: url.appendingPathComponent($0)) }
        guard !fixtures.isEmpty else { throw FixtureError.nothingToServe(path: url.path) }
        return fixtures
    }

    /// Lines of a run's `transcripts.jsonl`, each made a fixture with plain metadata. The hash
    /// chain is not checked (`unsaid verify` does that); a torn last line is skipped, as resume would.
    static func loadRecords(_ url: URL) throws -> [Fixture] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError.unreadable(path: url.path)
        }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var fixtures: [Fixture] = []
        for (offset, line) in lines.enumerated() where !line.isEmpty {
            let record: TranscriptRecord
            do {
                record = try CanonicalJSON.decode(TranscriptRecord.self, from: Data(line))
            } catch {
                if offset == lines.count - 1 { break }
                throw FixtureError.invalid(path: url.path, reason: "line \(offset + 1): \(Fixture.describe(error))")
            }
            let meta = FixtureMeta(
                name: record.transcript.key.description,
                description: "line \(offset + 1) of \(url.path)",
                provider: "recorded",
                source: url.path)
            fixtures.append(Fixture(meta: meta, probe: record.probe, transcript: record.transcript))
        }
        guard !fixtures.isEmpty else { throw FixtureError.nothingToServe(path: url.path) }
        return fixtures
    }
}
