import Foundation

/// A run read back from disk.
public struct ArchiveContents: Sendable {
    public var layout: ArchiveLayout
    public var manifest: Manifest
    public var records: [TranscriptRecord]
    /// Hash of each record's line, in order.
    public var recordHashes: [String]
    public var verdicts: [Verdict]
    /// Bytes at the end of `transcripts.jsonl` that do not form a whole record (a write torn by a
    /// crash); `nil` when the file ends cleanly.
    public var tornTail: TornTail?
    /// The optional judge's exchanges; nil for a run without a judge.
    public var judgements: JudgeRecords? = nil

    public var chainHead: String { recordHashes.last ?? ArchiveChain.genesis }

    /// What the judge said about each record, in order; nil for a run without a judge.
    public var judgeContexts: [JudgeContext]? {
        judgements.map { $0.contexts(recordHashes: recordHashes) }
    }

    public struct TornTail: Sendable, Equatable {
        /// Byte offset where the last whole record ends.
        public var validLength: Int
        /// 1-based line number of the torn line.
        public var line: Int
    }
}

/// Reads and checks an archive. Structural problems (a broken chain, an unreadable line in the
/// middle) are errors with file and line; only a torn last line is tolerated, because that is
/// what a crash mid-write leaves, and resume repairs it.
public enum ArchiveReader {
    /// - Parameter tolerateBrokenVerdicts: resume re-derives verdicts anyway, so a torn or
    ///   missing verdict line is no reason to stop it.
    public static func read(_ directory: URL, tolerateBrokenVerdicts: Bool = false) throws -> ArchiveContents {
        let layout = ArchiveLayout(directory: directory)
        let manifest = try readManifest(layout)
        let (records, hashes, torn) = try readTranscripts(layout)
        let verdicts = tolerateBrokenVerdicts ? ((try? readVerdicts(layout.verdicts)) ?? []) : try readVerdicts(layout.verdicts)
        let judgements = try manifest.judge.map { _ in try JudgeRecords.read(layout.judgements) }
        return ArchiveContents(layout: layout, manifest: manifest, records: records, recordHashes: hashes,
                               verdicts: verdicts, tornTail: torn, judgements: judgements)
    }

    public static func readManifest(_ layout: ArchiveLayout) throws -> Manifest {
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
            throw ArchiveError.corrupt(file: layout.manifest.path, line: 1, reason: "manifest is not readable (\(error))")
        }
    }

    static func readTranscripts(_ layout: ArchiveLayout) throws -> ([TranscriptRecord], [String], ArchiveContents.TornTail?) {
        let path = layout.transcripts.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArchiveError.missing(path: path)
        }
        var records: [TranscriptRecord] = []
        var hashes: [String] = []
        var previous = ArchiveChain.genesis
        var lineStart = data.startIndex
        var lineNumber = 0
        while lineStart < data.endIndex {
            lineNumber += 1
            let newline = data[lineStart...].firstIndex(of: 0x0A)
            let lineEnd = newline ?? data.endIndex
            let line = data[lineStart..<lineEnd]
            let record = try? CanonicalJSON.decode(TranscriptRecord.self, from: Data(line))
            guard let newline, let record else {
                // Only the last line may be broken: that is a torn write.
                let isLast = newline == nil || data.index(after: lineEnd) == data.endIndex
                if isLast {
                    return (records, hashes, ArchiveContents.TornTail(validLength: lineStart - data.startIndex, line: lineNumber))
                }
                throw ArchiveError.corrupt(file: path, line: lineNumber, reason: "not a transcript record")
            }
            guard record.seq == lineNumber else {
                throw ArchiveError.corrupt(file: path, line: lineNumber, reason: "sequence number \(record.seq), expected \(lineNumber)")
            }
            guard record.prev == previous else {
                throw ArchiveError.corrupt(file: path, line: lineNumber, reason: "chain broken: prev does not match the hash of line \(lineNumber - 1)")
            }
            previous = ArchiveChain.hash(ofLine: Data(line))
            records.append(record)
            hashes.append(previous)
            lineStart = data.index(after: newline)
        }
        return (records, hashes, nil)
    }

    static func readVerdicts(_ url: URL) throws -> [Verdict] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        var verdicts: [Verdict] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                verdicts.append(try CanonicalJSON.decode(Verdict.self, from: Data(line)))
            } catch {
                throw ArchiveError.corrupt(file: url.path, line: index + 1, reason: "not a verdict record")
            }
        }
        return verdicts
    }
}
