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
        _ layout: ArchiveLayout, scoringOnly: Bool = false,
        _ body: (TranscriptRecord, _ hash: String) throws -> Void
    ) throws -> TranscriptsSummary {
        let options = scoringOnly ? [Attempt.scoringOnly: true] : [:]
        let path = layout.transcripts.path
        guard let reader = LineReader(path: path) else { throw ArchiveError.missing(path: path) }
        var previous = ArchiveChain.genesis
        var lineNumber = 0
        var pending = try reader.next()
        while let line = pending {
            lineNumber += 1
            let next = try reader.next()
            let record =
                line.terminated
                ? try? CanonicalJSON.decode(TranscriptRecord.self, from: line.bytes, userInfo: options) : nil
            guard let record else {
                // Only the last line may be broken: that is a torn write.
                if next == nil {
                    return TranscriptsSummary(
                        records: lineNumber - 1, chainHead: previous,
                        tornTail: .init(validLength: line.offset, line: lineNumber))
                }
                throw ArchiveError.corrupt(file: path, line: lineNumber, reason: "not a transcript record")
            }
            guard record.seq == lineNumber else {
                throw ArchiveError.corrupt(
                    file: path, line: lineNumber, reason: "sequence number \(record.seq), expected \(lineNumber)")
            }
            guard record.prev == previous else {
                throw ArchiveError.corrupt(
                    file: path, line: lineNumber,
                    reason: "chain broken: prev does not match the hash of line \(lineNumber - 1)")
            }
            previous = ArchiveChain.hash(ofLine: line.bytes)
            try body(record, previous)
            pending = next
        }
        return TranscriptsSummary(records: lineNumber, chainHead: previous, tornTail: nil)
    }

    /// Calls `body` with each verdict of a verdicts file and its exact line bytes, in order.
    /// A missing file has no verdicts.
    package static func verdicts(_ url: URL, _ body: (Verdict, _ line: Data) throws -> Void) throws {
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
            try body(verdict, line.bytes)
        }
    }
}
