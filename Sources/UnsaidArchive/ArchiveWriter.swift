#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript
import UnsaidVerdict

/// Writes one run's archive as results arrive.
///
/// Durability policy: each transcript record is one `write` (a very large one a run of them, see
/// `appendInPieces`); `append` returns (and the run counts
/// the record as complete) only after an `fsync` that started after that write has returned, so a
/// record that was reported complete survives a crash or power loss. The `fsync`s are shared
/// (group commit): records from all requests in flight are written as they complete and one
/// `fsync` covers every record written since the last — and, in a run with a judge, every judge
/// exchange written since the last too (the same round syncs both files), so an answer counts
/// complete only once its judge exchange is on disk as well. Verdict lines are written without `fsync`
/// because they can always be re-derived from the transcripts. The manifest is replaced
/// atomically (write to a temporary file, fsync, rename) and never claims an unsynced record.
package actor ArchiveWriter {
    package let layout: ArchiveLayout
    package private(set) var manifest: Manifest
    private let transcripts: AppendOnlyFile
    private let verdicts: AppendOnlyFile
    private var chainHead: String
    private var sequence: Int
    private var counts: [String: Int]
    private let commit: GroupCommit
    /// The digest of `transcripts.jsonl` kept as records are written, so sealing a new run does
    /// not read the whole file back (for 2,000 streamed probes, 110 MB hashed after the last
    /// answer). Nil for a continued archive, whose earlier bytes were not written here, and after
    /// a failed write (the file may then end in a torn line): sealing then reads the file.
    private var transcriptsDigest: RunningDigest?
    /// `judgements.jsonl` and its chain, for a run with a judge.
    private let judgements: AppendOnlyFile?
    private var judgeHead: String
    private var judgeSequence: Int
    /// The manifest as this writer last wrote it (nil until it has): a checkpoint that would
    /// write the same again is skipped — the first one of a new run, whose manifest was just
    /// written, cost four `fsync`s for nothing.
    private var manifestWritten: Manifest?

    /// Starts a new archive in `layout.directory`, which must not exist yet or be empty, keeping
    /// a copy of the ruleset beside the results.
    /// - Parameter gathering: how long a shared `fsync` waits for more records (see `GroupCommit`);
    ///   a run passes its concurrency.
    /// - Parameter syncing: runs each round's `fsync`s, given as a function, with the names of the
    ///   files they sync (the transcripts, and the judge exchanges in a run with a judge); a test
    ///   can hold them back to see what waits for the disk and what does not.
    package init(
        creating layout: ArchiveLayout, manifest: Manifest, ruleset: Data,
        gathering: GroupCommit.Gathering = .immediate,
        syncing: @escaping @Sendable (_ files: [String], _ fsync: () throws -> Void) throws -> Void = { try $1() }
    ) throws {
        let fileManager = FileManager.default
        let path = layout.directory.path
        if fileManager.fileExists(atPath: path) {
            let contents = (try? fileManager.contentsOfDirectory(atPath: path)) ?? []
            // The lock file of the process creating the run may already be there.
            guard contents.allSatisfy({ $0 == ArchiveLock.fileName }) else {
                throw ArchiveError.alreadyExists(path: path)
            }
        }
        do {
            try fileManager.createDirectory(at: layout.directory, withIntermediateDirectories: true)
        } catch {
            throw ArchiveError.io(path: path, reason: error.localizedDescription)
        }
        self.layout = layout
        self.manifest = manifest
        self.transcripts = try AppendOnlyFile(path: layout.transcripts.path)
        self.verdicts = try AppendOnlyFile(path: layout.verdicts.path)
        self.chainHead = manifest.chainHead
        self.sequence = 0
        self.counts = [:]
        let judgements = try manifest.judge.map { _ in try AppendOnlyFile(path: layout.judgements.path) }
        self.judgements = judgements
        let round = Self.syncRound(transcripts: self.transcripts, judgements: judgements)
        self.commit = GroupCommit(durable: 0, gathering: gathering) { try syncing(round.files, round.sync) }
        self.transcriptsDigest = RunningDigest()
        self.judgeHead = ArchiveChain.genesis
        self.judgeSequence = 0
        try writeAtomically(ruleset, to: layout.ruleset)
        try ManifestFile.write(manifest, layout: layout)
        self.manifestWritten = manifest
    }

    /// Continues an existing archive after `ArchiveResume` has checked and repaired it.
    package init(
        continuing point: ResumePoint, manifest: Manifest, gathering: GroupCommit.Gathering = .immediate
    ) throws {
        self.layout = point.layout
        self.manifest = manifest
        self.transcripts = try AppendOnlyFile(path: point.layout.transcripts.path)
        self.verdicts = try AppendOnlyFile(path: point.layout.verdicts.path)
        self.chainHead = point.chainHead
        self.sequence = point.recordCount
        self.counts = point.counts
        // `ArchiveResume.repair` synced the file, so every record already in it is durable.
        let judgements = try manifest.judge.map { _ in try AppendOnlyFile(path: point.layout.judgements.path) }
        self.judgements = judgements
        let round = Self.syncRound(transcripts: self.transcripts, judgements: judgements)
        self.commit = GroupCommit(durable: point.recordCount, gathering: gathering) { try round.sync() }
        self.transcriptsDigest = nil
        self.judgeHead = point.judgements?.chainHead ?? ArchiveChain.genesis
        self.judgeSequence = point.judgements?.count ?? 0
    }

    /// What one group-commit round syncs: the transcripts, and the judge exchanges when the run
    /// has a judge; `files` names them, in the order they are synced, for the `syncing` hook.
    private static func syncRound(
        transcripts: AppendOnlyFile, judgements: AppendOnlyFile?
    ) -> (files: [String], sync: @Sendable () throws -> Void) {
        // The transcripts first: a crash between the two then leaves an answer without its exchange
        // (judged `judge_unavailable` on resume) rather than an exchange without its answer, which
        // only the kernel's own writeback, ahead of any `fsync`, could still leave.
        guard let judgements else { return ([ArchiveLayout.transcriptsName], { try transcripts.sync() }) }
        return (
            [ArchiveLayout.transcriptsName, JudgeRecords.fileName],
            {
                try transcripts.sync()
                try judgements.sync()
            }
        )
    }

    /// Where `append` put a record: its 1-based line in `transcripts.jsonl` (and in the provisional
    /// verdicts) and its line hash.
    package struct Appended: Sendable, Equatable {
        package var seq: Int
        package var hash: String
    }

    /// Appends a transcript to the chain, then its provisional verdict, and returns where the
    /// record went once it is on disk: `write` and then `waitUntilDurable` for it.
    /// - Parameter judgement: the judge's exchange about this transcript, written (and synced)
    ///   after the transcript record, linked to that record's hash.
    @discardableResult
    package func append(
        probe: Probe, transcript: Transcript, verdict: Verdict, judgement: Transcript? = nil
    ) async throws -> Appended {
        let appended = try write(probe: probe, transcript: transcript, verdict: verdict, judgement: judgement)
        try await waitUntilDurable(through: appended.seq)
        return appended
    }

    /// Appends a transcript to the chain, then its provisional verdict, and returns where the
    /// record went as soon as its bytes are in the files, not yet on disk: nothing may count it
    /// done before `waitUntilDurable(through:)` returns for it. One call so the two files stay in
    /// the same order even with many requests in flight; the writes happen without suspending,
    /// and a record written while an `fsync` runs joins the next one.
    /// - Parameter judgement: the judge's exchange about this transcript, written (and synced)
    ///   after the transcript record, linked to that record's hash.
    package func write(
        probe: Probe, transcript: Transcript, verdict: Verdict, judgement: Transcript? = nil
    ) throws -> Appended {
        sequence += 1
        let record = TranscriptRecord(seq: sequence, prev: chainHead, probe: probe, transcript: transcript)
        // The hint walks every chunk and event of the transcript: taken once, for both choices.
        let sizeHint = record.canonicalSizeHint
        chainHead =
            try sizeHint > Self.recordSizeWrittenInPieces
            ? appendInPieces(record) : appendWhole(record, sizeHint: sizeHint)
        let written = sequence
        let head = chainHead

        do {
            // Offered to the group commit only once its judge exchange is written: a round that
            // began between the two would have synced the record without its exchange and let it
            // count. (Each exchange had an `fsync` of its own here, on the actor: a judged run spent
            // most of its time waiting on the disk, with every other record's write queued behind.)
            // Offered all the same if writing the exchange fails: the run stops, and a checkpoint
            // waits for every record in the file, which no round would cover otherwise.
            defer { commit.didWrite(through: written) }
            if let judgement, let judgements {
                judgeSequence += 1
                let judgeLine = try CanonicalJSON.encode(
                    JudgeRecord(
                        seq: judgeSequence, prev: judgeHead, key: transcript.key,
                        judged: chainHead, transcript: judgement))
                try judgements.append(judgeLine + [0x0A])
                judgeHead = ArchiveChain.hash(ofLine: judgeLine)
            }
        }

        try CanonicalJSON.withLine(verdict) { try verdicts.append(raw: $0) }
        counts[verdict.verdict.rawValue, default: 0] += 1
        return Appended(seq: written, hash: head)
    }

    /// The records now being written or sent for are the last of the run: the shared `fsync`
    /// stops waiting for company (see `GroupCommit.noMoreCompany()`).
    package nonisolated func noMoreRecordsToCome() {
        commit.noMoreCompany()
    }

    /// Returns once record `seq` and every record before it are on disk (after the shared
    /// `fsync` that covers them, see `GroupCommit`).
    package nonisolated func waitUntilDurable(through seq: Int) async throws {
        try await commit.waitUntilDurable(through: seq)
    }

    /// Records whose line may be larger than this (by their size hint, about twice their text) are
    /// written a piece at a time: held whole, the line of a 16 MiB answer was 50 MB on top of the
    /// transcript it encodes, the largest part of the run's memory.
    static let recordSizeWrittenInPieces = 4 << 20
    static let recordPieceSize = 1 << 20

    /// Writes the record's line, digested and hashed where it was encoded, never copied; returns
    /// its hash.
    private func appendWhole(_ record: TranscriptRecord, sizeHint: Int? = nil) throws -> String {
        try CanonicalJSON.withLine(record, sizeHint: sizeHint) { line in
            do {
                try transcripts.append(raw: line)
            } catch {
                transcriptsDigest = nil
                throw error
            }
            transcriptsDigest?.update(line)
            return ArchiveChain.hash(ofLine: UnsafeRawBufferPointer(rebasing: line.dropLast()))
        }
    }

    /// Writes the record's line as it is encoded, a megabyte at a time, digested and hashed piece by
    /// piece; the bytes in the file are `appendWhole`'s. The actor writes nothing else meanwhile,
    /// so the pieces follow one another; a crash among them leaves one torn line at the end, as a
    /// crash within one `write` can. Should the record decline part-way (a value only `Encodable`
    /// can write), the pieces are cut off again and the line is written whole.
    private func appendInPieces(_ record: TranscriptRecord) throws -> String {
        let start = try transcripts.size()
        let digestBefore = transcriptsDigest
        let hash: String?
        do {
            hash = try Self.writePieces(of: record, to: transcripts, digest: &transcriptsDigest)
        } catch {
            transcriptsDigest = nil
            throw error
        }
        guard let hash else {
            try transcripts.truncate(to: start)
            transcriptsDigest = digestBefore
            return try appendWhole(record)
        }
        return hash
    }

    /// The pieces themselves, outside the actor's isolation (the encoder calls back synchronously):
    /// the line's hash, or nil when the record declined.
    private static func writePieces(
        of record: TranscriptRecord, to file: AppendOnlyFile, digest: inout RunningDigest?
    ) throws -> String? {
        var lineHash = SHA256()
        var failure: (any Error)?
        let wrote = CanonicalJSON.writeLine(record, inPiecesOf: recordPieceSize) { piece, last in
            guard failure == nil else { return }
            do {
                try file.append(raw: piece)
            } catch {
                failure = error
                return
            }
            digest?.update(piece)
            // The chain hashes the line without its newline, the last piece's last byte.
            lineHash.update(bufferPointer: last ? UnsafeRawBufferPointer(rebasing: piece.dropLast()) : piece)
        }
        if let failure { throw failure }
        return wrote ? SHA256Hex.hex(lineHash.finalize()) : nil
    }

    /// The transcript records appended so far (all of them durable once every `append` has
    /// returned) and the chain head after the last, as a walk over the file would find them.
    package var written: ArchiveStream.TranscriptsSummary {
        ArchiveStream.TranscriptsSummary(records: sequence, chainHead: chainHead, tornTail: nil)
    }

    /// Records how far the run got without closing it (used for progress and interruption). The
    /// manifest names only records already on disk: it waits for the `fsync` covering them.
    package func checkpoint(status: Manifest.Status) async throws {
        let (completed, head, doneCounts) = (sequence, chainHead, counts)
        let (judgeCount, judgeChain) = (judgeSequence, judgeHead)
        try await commit.waitUntilDurable(through: completed)
        manifest.status = status
        manifest.completed = completed
        manifest.counts = doneCounts
        manifest.chainHead = head
        manifest.judge?.records = judgeCount
        manifest.judge?.chainHead = judgeChain
        guard manifest != manifestWritten else { return }
        try ManifestFile.write(manifest, layout: layout)
        manifestWritten = manifest
    }

    /// Seals the run: writes the final verdicts (which may add findings that need the whole run,
    /// such as streamed-vs-non-streamed disagreement), counts, chain head and file digests.
    @discardableResult
    package func finish(verdicts finalVerdicts: [Verdict], status: Manifest.Status = .complete) async throws -> Manifest
    {
        try await commit.waitUntilDurable(through: sequence)
        verdicts.close()
        try writeAtomically(VerdictFile.encode(finalVerdicts), to: layout.verdicts)
        return try await seal(counts: Manifest.counts(of: finalVerdicts), status: status)
    }

    /// Seals the run after `ArchiveScoring.score(_:engine:to:)` streamed the final verdicts into
    /// `layout.verdicts` (so no run, however large, is held in memory to finish it).
    @discardableResult
    package func finish(scored: ScoredArchive, status: Manifest.Status = .complete) async throws -> Manifest {
        try await commit.waitUntilDurable(through: sequence)
        verdicts.close()
        return try await seal(counts: scored.counts, status: status)
    }

    private func seal(counts finalCounts: [String: Int], status: Manifest.Status) async throws -> Manifest {
        counts = finalCounts
        // The final verdicts were written (and renamed into place) without `fsync`: make them and
        // the directory durable before a manifest that names their digest can be, so a power loss
        // cannot leave a sealed run whose verdicts file does not match it.
        try syncToDisk(layout.verdicts)
        try syncToDisk(layout.directory)
        manifest.finishedAt = Timestamp.now()
        manifest.files = [
            ArchiveLayout.transcriptsName: try transcriptsDigest?.digest ?? FileDigester.digest(layout.transcripts),
            ArchiveLayout.verdictsName: try FileDigester.digest(layout.verdicts),
            ArchiveLayout.rulesetName: try FileDigester.digest(layout.ruleset),
        ]
        if judgements != nil {
            manifest.files[JudgeRecords.fileName] = try FileDigester.digest(layout.judgements)
        }
        try await checkpoint(status: status)
        transcripts.close()
        judgements?.close()
        return manifest
    }
}

/// The bytes of a verdicts file: one canonical JSON verdict per line, in transcript order.
package enum VerdictFile {
    package static func encode(_ verdicts: [Verdict]) throws -> Data {
        var data = Data()
        for verdict in verdicts {
            data.append(try CanonicalJSON.encode(verdict))
            data.append(0x0A)
        }
        return data
    }
}

/// `FileDigester`'s figures for bytes as they are appended to a file, without reading it back.
struct RunningDigest {
    private var hasher = SHA256()
    private(set) var bytes = 0
    private var lines = 0

    mutating func update(_ written: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: written)
        bytes += written.count
        lines += FileDigester.newlines(in: written)
    }

    var digest: Manifest.FileDigest {
        Manifest.FileDigest(sha256: SHA256Hex.hex(hasher.finalize()), bytes: bytes, lines: lines)
    }
}

/// SHA-256, size and line count of a file, read in blocks so large archives are never held whole.
package enum FileDigester {
    package static func digest(_ url: URL) throws -> Manifest.FileDigest {
        var running = RunningDigest()
        try forEachBlock(of: url) { running.update($0) }
        return running.digest
    }

    /// A whole (small) file's bytes, failing as `digest` fails: missing, or the system's reason
    /// ("Is a directory"), never Foundation's dump of an error whose details print in a
    /// different order from one run to the next.
    package static func contents(of url: URL) throws -> Data {
        var data = Data()
        try forEachBlock(of: url, blockSize: 1 << 16) { data.append(contentsOf: $0) }
        return data
    }

    /// Hands `body` the file's bytes from `offset` to its end, block by block. Read with `read(2)`
    /// into one buffer used for every block: a fresh 1 MB `Data` per block (what
    /// `FileHandle.read(upToCount:)` returns) is a new mapping each time, and faulting its pages
    /// in cost `verify` as much again as the copy from the page cache. Any file that cannot be
    /// opened is reported as missing; a failed read or seek gives the system's reason.
    static func forEachBlock(
        of url: URL, from offset: Int = 0, blockSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError.missing(path: url.path) }
        defer { _ = close(descriptor) }
        if offset > 0, lseek(descriptor, off_t(offset), SEEK_SET) != off_t(offset) {
            throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno)))
        }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { block.deallocate() }
        while true {
            let count = read(descriptor, block.baseAddress, block.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: block[..<count]))
        }
    }

    /// Counted with `memchr` over the raw buffer: a byte loop was a visible share of a run, and
    /// a record is one long line, so the newlines are few and far apart.
    static func newlines(in raw: UnsafeRawBufferPointer) -> Int {
        guard var position = raw.baseAddress else { return 0 }
        let end = position + raw.count
        var count = 0
        while position < end, let found = memchr(position, 0x0A, end - position) {
            count += 1
            position = UnsafeRawPointer(found) + 1
        }
        return count
    }
}
