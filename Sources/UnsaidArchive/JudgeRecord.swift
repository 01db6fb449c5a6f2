import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript
import UnsaidVerdict

/// One line of `judgements.jsonl`: the optional judge's whole exchange about one archived
/// request, hash-chained like the transcripts (`prev` of the first line is 64 zeros, the
/// manifest's `judge.chainHead` names the last line) and linked to the judged request by its key
/// and by the hash of its line in `transcripts.jsonl`.
package struct JudgeRecord: Codable, Sendable, Equatable {
    package var seq: Int
    package var prev: String
    /// The judged request.
    package var key: WorkKey
    /// SHA-256 of the judged transcript record's line.
    package var judged: String
    /// The request sent to the judge and everything that came back.
    package var transcript: Transcript
}

/// The judge exchanges of a run, read back whole and checked: the definition `JudgeIndex`, which
/// the commands use, is tested against, and what `ArchiveReader.read` gives tests.
package struct JudgeRecords: Sendable {
    package static let fileName = "judgements.jsonl"

    package var records: [JudgeRecord]
    package var hashes: [String]
    /// A torn last line (a crash mid-write): where the whole records end, and its line number.
    package var tornTail: ArchiveContents.TornTail?

    package var chainHead: String { hashes.last ?? ArchiveChain.genesis }

    package static func read(_ url: URL) throws -> JudgeRecords {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return JudgeRecords(records: [], hashes: [], tornTail: nil)
        }
        var result = JudgeRecords(records: [], hashes: [], tornTail: nil)
        var previous = ArchiveChain.genesis
        var lineStart = data.startIndex
        var number = 0
        while lineStart < data.endIndex {
            number += 1
            let newline = data[lineStart...].firstIndex(of: 0x0A)
            let line = data[lineStart..<(newline ?? data.endIndex)]
            let record = try? CanonicalJSON.decode(JudgeRecord.self, from: Data(line))
            guard let newline, let record else {
                let isLast = newline.map { data.index(after: $0) == data.endIndex } ?? true
                if isLast {
                    result.tornTail = ArchiveContents.TornTail(validLength: lineStart - data.startIndex, line: number)
                    return result
                }
                throw ArchiveError.corrupt(file: url.path, line: number, reason: "not a judge record")
            }
            guard record.seq == number else {
                throw ArchiveError.corrupt(
                    file: url.path, line: number, reason: "sequence number \(record.seq), expected \(number)")
            }
            guard record.prev == previous else {
                throw ArchiveError.corrupt(
                    file: url.path, line: number,
                    reason: "chain broken: prev does not match the hash of line \(number - 1)")
            }
            previous = ArchiveChain.hash(ofLine: Data(line))
            result.records.append(record)
            result.hashes.append(previous)
            lineStart = data.index(after: newline)
        }
        return result
    }

    /// The judge context of each transcript record, in order: nil for a run without a judge
    /// (`manifest.judge == nil`), else the exchange linked to that record (the last, should a
    /// record somehow have two).
    package func contexts(recordHashes: [String]) -> [JudgeContext] {
        var byJudged: [String: Transcript] = [:]
        for record in records { byJudged[record.judged] = record.transcript }
        return recordHashes.map { JudgeContext(transcript: byJudged[$0]) }
    }
}
