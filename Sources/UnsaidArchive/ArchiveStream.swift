import Crypto
import Foundation
import UnsaidSupport
import UnsaidTranscript
import UnsaidVerdict

/// Reads an archive's files as streams: one record at a time, checked as it goes, so commands
/// that walk a whole run (`verify`, `rescore`, the end of `run`) keep aggregates and small
/// indexes in memory, never the run itself.
package enum ArchiveStream {
    /// What a walk over `transcripts.jsonl` established.
    package struct TranscriptsSummary: Sendable, Equatable {
        /// Whole, chained records read.
        package var records: Int
        /// Hash of the last whole record's line (`ArchiveChain.genesis` for none).
        package var chainHead: String
        /// A torn last line, which only resume may repair.
        package var tornTail: ArchiveContents.TornTail?
    }

    /// Calls `body` with each record and its line hash, in file order, checking sequence numbers
    /// and the chain on the way. A broken line in the middle is an error with file and line; a
    /// broken last line ends the walk and is reported as `tornTail`.
    ///
    /// - Parameter scoringOnly: records come without the raw chunks scoring never reads
    ///   (`Attempt.scoringOnly`); the chain is still checked over every byte of every line.
    @discardableResult
    package static func transcripts(
        _ layout: ArchiveLayout, scoringOnly: Bool = false, digesting digest: WalkDigest? = nil,
        _ body: (TranscriptRecord, _ hash: String) throws -> Void
    ) throws -> TranscriptsSummary {
        try transcripts(layout, scoringOnly: scoringOnly, digesting: digest, preparing: { _, _ in () }) {
            record, hash, _ in
            try body(record, hash)
        }
    }

    /// The walk of `transcripts(_:scoringOnly:_:)` with work of the caller's done on every core:
    /// lines are read in batches, and each line of a batch is decoded, hashed and given to
    /// `prepare` (pure per-record work, such as judging it) on its own thread; then, on the
    /// calling thread and in file order, every check is made and `body` is called with the
    /// record, its hash and what `prepare` made of it. The order of `body` calls, every check and
    /// every error are those of a walk one record at a time; only records after a broken line may
    /// have been prepared for nothing.
    ///
    /// A batch holds at most `batchLines` lines and (past its first line) `batchBytes` bytes, so
    /// memory stays bounded by the batch, however long the run; a line longer than
    /// `ReadingLimits.streamedLine` (a runaway answer's) is never held, only its record.
    ///
    /// - Parameter digest: when given, takes every line read, for the file's digest (`verify`).
    @discardableResult
    package static func transcripts<Prepared>(
        _ layout: ArchiveLayout, scoringOnly: Bool = false, digesting digest: WalkDigest? = nil,
        preparing prepare: @Sendable (TranscriptRecord, _ hash: String) -> Prepared,
        _ body: (TranscriptRecord, _ hash: String, Prepared) throws -> Void
    ) throws -> TranscriptsSummary {
        try transcripts(
            layout, scoringOnly: scoringOnly, digesting: digest, limits: .standard, preparing: prepare
        ) { record, hash, prepared, _ in try body(record, hash, prepared) }
    }

    /// Where a line of an archive file is: its first byte and its length without the newline, so a
    /// reader that kept only this can read the line again (`ArchiveLineReader`).
    package struct LineSpan: Sendable, Equatable {
        package var offset: Int
        package var length: Int

        package init(offset: Int, length: Int) {
            self.offset = offset
            self.length = length
        }
    }

    /// The walk of `transcripts(_:scoringOnly:digesting:_:)`, also giving where each record's line
    /// is, for readers that keep a place to come back to instead of the record (`unsaid report`).
    @discardableResult
    package static func transcripts(
        _ layout: ArchiveLayout, locating body: (TranscriptRecord, _ hash: String, LineSpan) throws -> Void
    ) throws -> TranscriptsSummary {
        try transcripts(layout, limits: .standard, preparing: { _, _ in () }) { record, hash, _, span in
            try body(record, hash, span)
        }
    }

    /// Sizes at which the walk reads differently; tests make them small to reach each way.
    struct ReadingLimits {
        /// Bytes read from the file at a time.
        var block = LineReader.defaultBlockSize
        /// Lines longer than this are streamed (`readStreamed`), never held whole; nil for never.
        /// Ordinary records (~55 KB for a long streamed answer) stay on the batched path, which
        /// reads them on every core; a record past a few MiB is a runaway answer (at the 16 MiB
        /// cap its line is ~50 MB), read alone anyway.
        var streamedLine: Int? = 4 << 20
        /// String bodies of a streamed line longer than this are left in the file until read.
        var longString = CompactJSONBuilder.defaultLongString

        static let standard = ReadingLimits()
    }

    static func transcripts<Prepared>(
        _ layout: ArchiveLayout, scoringOnly: Bool = false, digesting digest: WalkDigest? = nil,
        limits: ReadingLimits, preparing prepare: @Sendable (TranscriptRecord, _ hash: String) -> Prepared,
        _ body: (TranscriptRecord, _ hash: String, Prepared, LineSpan) throws -> Void
    ) throws -> TranscriptsSummary {
        let options: [CodingUserInfoKey: Bool] = scoringOnly ? [Attempt.scoringOnly: true] : [:]
        let path = layout.transcripts.path
        guard let reader = LineReader(path: path, blockSize: limits.block, capacity: Self.batchBuffer) else {
            throw ArchiveError.missing(path: path)
        }
        var previous = ArchiveChain.genesis
        var lineNumber = 0
        // The lines of a batch are views of the reader's buffer, valid until the next batch is
        // read, which happens only once everything made from them is done with them.
        var batch = try reader.nextBatch(
            maxLines: Self.batchLines, maxBytes: Self.batchBytes, streamingPast: limits.streamedLine)
        while !batch.isEmpty {
            let lastOffset = batch[batch.count - 1].offset
            let read =
                batch[0].continues
                ? [
                    try Self.readStreamed(
                        &batch[0], from: reader, longString: limits.longString, options: options, digest: digest,
                        prepare: prepare)
                ]
                : Self.read(batch, options: options, digest: digest, prepare: prepare)
            // Read before the ordered pass, which needs to know whether a broken line is the
            // file's last; from here on, `batch`'s bytes are no longer valid.
            let next = try reader.nextBatch(
                maxLines: Self.batchLines, maxBytes: Self.batchBytes, streamingPast: limits.streamedLine)
            for (index, entry) in read.enumerated() {
                lineNumber += 1
                guard let entry else {
                    // Only the last line may be broken: that is a torn write.
                    if next.isEmpty, index == read.count - 1 {
                        return TranscriptsSummary(
                            records: lineNumber - 1, chainHead: previous,
                            tornTail: .init(validLength: lastOffset, line: lineNumber))
                    }
                    throw ArchiveError.corrupt(file: path, line: lineNumber, reason: "not a transcript record")
                }
                guard entry.record.seq == lineNumber else {
                    throw ArchiveError.corrupt(
                        file: path, line: lineNumber,
                        reason: "sequence number \(entry.record.seq), expected \(lineNumber)")
                }
                guard entry.record.prev == previous else {
                    throw ArchiveError.corrupt(
                        file: path, line: lineNumber,
                        reason: "chain broken: prev does not match the hash of line \(lineNumber - 1)")
                }
                previous = entry.hash
                try body(entry.record, entry.hash, entry.prepared, entry.span)
            }
            batch = next
        }
        return TranscriptsSummary(records: lineNumber, chainHead: previous, tornTail: nil)
    }

    /// Lines a batch holds at most: enough to keep every core busy between two ordered passes.
    static let batchLines = 64
    /// Bytes a batch holds at most past its first line (a record of a huge answer goes alone).
    static let batchBytes = 8 << 20
    /// The reader's buffer, which holds a batch's lines (`LineReader.nextBatch`): a batch ends
    /// early where the next line does not fit in it, and a line longer than it is read into
    /// storage of its own (up to `ReadingLimits.streamedLine`, past which it is streamed). 64
    /// records of a long streamed answer (~55 KB each) fit; reads are of a megabyte at a time, so a
    /// run of small records touches little of it.
    static let batchBuffer = 4 << 20

    private struct ReadRecord<Prepared> {
        var record: TranscriptRecord
        var hash: String
        var prepared: Prepared
        var span: LineSpan
    }

    /// Decodes, hashes and prepares each line of `batch` on as many threads as there are cores,
    /// and gives the whole batch to `digest` as one more piece of that work; nil for a line that
    /// is torn or not a transcript record.
    private static func read<Prepared>(
        _ batch: [LineReader.Line], options: [CodingUserInfoKey: Bool], digest: WalkDigest?,
        prepare: @Sendable (TranscriptRecord, String) -> Prepared
    ) -> [ReadRecord<Prepared>?] {
        var results = [ReadRecord<Prepared>?](repeating: nil, count: batch.count)
        results.withUnsafeMutableBufferPointer { slots in
            // Each iteration writes its own slot only, and `concurrentPerform` returns after all
            // of them, so the slots need no lock.
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: batch.count + (digest == nil ? 0 : 1)) { index in
                guard index < batch.count else {
                    digest?.add(batch)
                    return
                }
                let line = batch[index]
                guard line.terminated,
                    let record = try? CanonicalJSON.decode(TranscriptRecord.self, from: line.bytes, userInfo: options)
                else { return }
                let hash = ArchiveChain.hash(ofLine: line.bytes)
                slots[index] = ReadRecord(
                    record: record, hash: hash, prepared: prepare(record, hash),
                    span: LineSpan(offset: line.offset, length: line.bytes.count))
            }
        }
        return results
    }

    /// `read` of a batch that is one line too long to hold (`ReadingLimits.streamedLine`), of which
    /// `line` has the start: the rest is read from the file a block at a time, each block hashed
    /// for the chain, given to `digest` and to a `CompactJSONBuilder`, and the record decoded from
    /// the compact document, its long strings read back from the file only when a value is made
    /// of them (with `scoringOnly`, never the raw chunks). The peak is then about the record's own
    /// values. Where that decoding declines (a line broken or not strict JSON, which the whole-line
    /// decoder may still read, or `JSONDecoder` must), the line is read whole and decoded as any
    /// other, so every line gets the verdict the batched path would give it.
    private static func readStreamed<Prepared>(
        _ line: inout LineReader.Line, from reader: LineReader, longString: Int,
        options: [CodingUserInfoKey: Bool], digest: WalkDigest?,
        prepare: @Sendable (TranscriptRecord, String) -> Prepared
    ) throws -> ReadRecord<Prepared>? {
        var hasher = SHA256()
        var builder = CompactJSONBuilder(startingAt: line.offset, longString: longString)
        var position = line.offset
        let take = { (piece: UnsafeRawBufferPointer) in
            hasher.update(bufferPointer: piece)
            builder.append(piece)
            digest?.add(piece, at: position)
            position += piece.count
        }
        line.bytes.withUnsafeBytes(take)
        let start = line.bytes.count
        // The start is held no longer than it takes to read it.
        line.bytes = Data()
        let (rest, terminated) = try reader.streamRest(take)
        guard terminated else { return nil }
        withUnsafeBytes(of: UInt8(ascii: "\n")) { digest?.add($0, at: position) }
        let hash = SHA256Hex.hex(hasher.finalize())
        let record =
            builder.finish().flatMap {
                IndexedJSONDecoder.decode(TranscriptRecord.self, from: $0, reading: reader, userInfo: options)
            } ?? wholeLine(at: line.offset, length: start + rest, from: reader, options: options)
        guard let record else { return nil }
        return ReadRecord(
            record: record, hash: hash, prepared: prepare(record, hash),
            span: LineSpan(offset: line.offset, length: start + rest))
    }

    /// A streamed line read whole and decoded as the batched path decodes a line.
    private static func wholeLine(
        at offset: Int, length: Int, from reader: LineReader, options: [CodingUserInfoKey: Bool]
    ) -> TranscriptRecord? {
        var bytes = Data(count: length)
        let read = bytes.withUnsafeMutableBytes { reader.read(at: offset, into: $0) }
        guard read else { return nil }
        return try? CanonicalJSON.decode(TranscriptRecord.self, from: bytes, userInfo: options)
    }

    /// Calls `body` with each verdict of a verdicts file and its exact line bytes, in order.
    /// A missing file has no verdicts.
    package static func verdicts(_ url: URL, _ body: (Verdict, _ line: Data) throws -> Void) throws {
        try verdicts(url, locating: { verdict, line, _ in try body(verdict, line) })
    }

    /// `verdicts(_:_:)`, also giving where each verdict's line is.
    package static func verdicts(_ url: URL, locating body: (Verdict, _ line: Data, LineSpan) throws -> Void) throws {
        guard let reader = LineReader(path: url.path) else { return }
        var lineNumber = 0
        while let line = try reader.next() {
            lineNumber += 1
            if line.bytes.isEmpty && !line.terminated { break }
            if line.bytes.isEmpty { continue }
            let verdict: Verdict
            do {
                verdict = try CanonicalJSON.decode(Verdict.self, from: line.bytes)
            } catch {
                throw ArchiveError.corrupt(file: url.path, line: lineNumber, reason: "not a verdict record")
            }
            try body(verdict, line.bytes, LineSpan(offset: line.offset, length: line.bytes.count))
        }
    }
}
