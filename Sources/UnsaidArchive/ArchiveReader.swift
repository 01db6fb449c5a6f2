import Foundation
import UnsaidSupport
import UnsaidVerdict

/// A run read back from disk.
package struct ArchiveContents: Sendable {
    package var layout: ArchiveLayout
    package var manifest: Manifest
    package var records: [TranscriptRecord]
    /// Hash of each record's line, in order.
    package var recordHashes: [String]
    package var verdicts: [Verdict]
    /// Bytes at the end of `transcripts.jsonl` that do not form a whole record (a write torn by a
    /// crash); `nil` when the file ends cleanly.
    package var tornTail: TornTail?
    /// The optional judge's exchanges; nil for a run without a judge.
    package var judgements: JudgeRecords? = nil

    package var chainHead: String { recordHashes.last ?? ArchiveChain.genesis }

    /// What the judge said about each record, in order; nil for a run without a judge.
    package var judgeContexts: [JudgeContext]? {
        judgements.map { $0.contexts(recordHashes: recordHashes) }
    }

    package struct TornTail: Sendable, Equatable {
        /// Byte offset where the last whole record ends.
        package var validLength: Int
        /// 1-based line number of the torn line.
        package var line: Int
    }
}

/// Reads and checks an archive. Structural problems (a broken chain, an unreadable line in the
/// middle) are errors with file and line; only a torn last line is tolerated, because that is
/// what a crash mid-write leaves, and resume repairs it.
package enum ArchiveReader {
    /// - Parameter tolerateBrokenVerdicts: resume re-derives verdicts anyway, so a torn or
    ///   missing verdict line is no reason to stop it.
    package static func read(_ directory: URL, tolerateBrokenVerdicts: Bool = false) throws -> ArchiveContents {
        let layout = ArchiveLayout(directory: directory)
        let manifest = try readManifest(layout)
        let (records, hashes, torn) = try readTranscripts(layout)
        let verdicts =
            tolerateBrokenVerdicts ? ((try? readVerdicts(layout.verdicts)) ?? []) : try readVerdicts(layout.verdicts)
        let judgements = try manifest.judge.map { _ in try JudgeRecords.read(layout.judgements) }
        return ArchiveContents(
            layout: layout, manifest: manifest, records: records, recordHashes: hashes,
            verdicts: verdicts, tornTail: torn, judgements: judgements)
    }

    package static func readManifest(_ layout: ArchiveLayout) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: layout.manifest.path) else {
            throw ArchiveError.missing(path: layout.manifest.path)
        }
        // Check the format version before decoding the rest, so a newer archive gets a clear
        // "upgrade" message instead of a decoding error.
        if let version = JSONValue.parse(data)?["formatVersion"]?.intValue, version > Manifest.currentFormatVersion {
            throw ArchiveError.unsupportedFormat(found: Int(version), supported: Manifest.currentFormatVersion)
        }
        do {
            return try CanonicalJSON.decode(Manifest.self, from: data)
        } catch {
            throw ArchiveError.corrupt(
                file: layout.manifest.path, line: 1, reason: "manifest is not readable (\(error))")
        }
    }

    static func readTranscripts(
        _ layout: ArchiveLayout
    ) throws -> ([TranscriptRecord], [String], ArchiveContents.TornTail?) {
        var records: [TranscriptRecord] = []
        var hashes: [String] = []
        let summary = try ArchiveStream.transcripts(layout) { record, hash in
            records.append(record)
            hashes.append(hash)
        }
        return (records, hashes, summary.tornTail)
    }

    static func readVerdicts(_ url: URL) throws -> [Verdict] {
        var verdicts: [Verdict] = []
        try ArchiveStream.verdicts(url) { verdict, _ in verdicts.append(verdict) }
        return verdicts
    }
}
