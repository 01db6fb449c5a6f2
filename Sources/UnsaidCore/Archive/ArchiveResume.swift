import Foundation

/// Picks up a run that stopped early (crash, kill -9, Ctrl-C).
///
/// Checking and repairing are separate steps so that a resume that must be refused (a changed
/// suite, another target) is refused before anything on disk changes.
public enum ArchiveResume {
    /// Reads the archive and checks that it can be resumed. Changes nothing.
    public static func inspect(_ directory: URL) throws -> ArchiveContents {
        let layout = ArchiveLayout(directory: directory)
        guard FileManager.default.fileExists(atPath: layout.manifest.path) else {
            throw ArchiveError.missing(path: layout.manifest.path)
        }
        let contents = try ArchiveReader.read(directory, tolerateBrokenVerdicts: true)
        if contents.manifest.status == .complete {
            throw ArchiveError.mismatch("\(directory.path): the run is already complete; nothing to resume")
        }
        return contents
    }

    /// Cuts a torn last record back to the last whole one and rewrites the provisional verdicts
    /// from the surviving transcripts (a crash can leave them one behind or torn). Returns the
    /// repaired contents.
    public static func repair(_ contents: ArchiveContents, engine: VerdictEngine) throws -> ArchiveContents {
        var contents = contents
        if let torn = contents.tornTail {
            guard let handle = try? FileHandle(forWritingTo: contents.layout.transcripts) else {
                throw ArchiveError.io(path: contents.layout.transcripts.path, reason: "cannot open for repair")
            }
            do {
                try handle.truncate(atOffset: UInt64(torn.validLength))
                try handle.synchronize()
                try handle.close()
            } catch {
                throw ArchiveError.io(path: contents.layout.transcripts.path, reason: "cannot cut the torn record: \(error)")
            }
            contents.tornTail = nil
        }
        if let torn = contents.judgements?.tornTail {
            guard let handle = try? FileHandle(forWritingTo: contents.layout.judgements) else {
                throw ArchiveError.io(path: contents.layout.judgements.path, reason: "cannot open for repair")
            }
            do {
                try handle.truncate(atOffset: UInt64(torn.validLength))
                try handle.synchronize()
                try handle.close()
            } catch {
                throw ArchiveError.io(path: contents.layout.judgements.path, reason: "cannot cut the torn record: \(error)")
            }
            contents.judgements?.tornTail = nil
        }
        let verdicts = ArchiveScoring.verdicts(for: contents, engine: engine)
        try writeAtomically(VerdictFile.encode(verdicts), to: contents.layout.verdicts)
        contents.verdicts = verdicts
        return contents
    }

    /// The requests of `plan` that the archive does not hold yet, in plan order.
    public static func remaining(_ plan: [WorkItem], after contents: ArchiveContents) -> [WorkItem] {
        let done = Set(contents.records.map(\.transcript.key))
        return plan.filter { !done.contains($0.key) }
    }
}
