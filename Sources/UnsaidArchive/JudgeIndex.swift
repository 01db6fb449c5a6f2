import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript
import UnsaidVerdict

/// The judge exchanges of a run (`judgements.jsonl`), walked and checked as `JudgeRecords.read`
/// checks them, keeping where each exchange is instead of the exchanges: what `rescore`, `verify`,
/// `report` and a resumed run need of them.
///
/// A judged run has an exchange for nearly every request (every text verdict is judged), each
/// holding the judge's prompt, which quotes the whole answer, and its reply: 20,000 of them held
/// whole took ~150 MB. An entry here is ~50 bytes, and an exchange is read back from the file
/// (one `pread`, safe from any thread) only when the request it judged is scored.
package struct JudgeIndex: Sendable {
    /// Whole records in the file.
    package private(set) var count = 0
    /// Hash of the last whole record's line; `ArchiveChain.genesis` for none.
    package private(set) var chainHead = ArchiveChain.genesis
    /// A torn last line (a crash mid-write): where the whole records end, and its line number.
    package var tornTail: ArchiveContents.TornTail?

    /// One exchange, in file order: the transcript line it judges, the request it names, where it is.
    struct Entry: Sendable {
        var judged: Digest128
        var key: RequestDigest
        var span: ArchiveStream.LineSpan
        var seq: Int
    }
    private(set) var entries: [Entry] = []
    /// The last exchange linked to each transcript line hash (as `JudgeRecords.contexts`): where it
    /// is, and the request it names, which is the request that line must be (`verify`).
    private var linked: [Digest128: Entry] = [:]
    private let file: RecordFile?

    /// Walks `url`; a missing file has no exchanges.
    package static func read(_ url: URL) throws -> JudgeIndex {
        guard let reader = LineReader(path: url.path) else { return JudgeIndex(file: nil) }
        var index = JudgeIndex(file: try RecordFile(path: url.path))
        var pending = try reader.next()
        while let line = pending {
            let number = index.count + 1
            pending = try reader.next()
            let record = line.terminated ? try? CanonicalJSON.decode(JudgeRecord.self, from: line.bytes) : nil
            guard let record else {
                // Only the last line may be cut short by a crash; anything else is damage.
                if pending == nil {
                    index.tornTail = ArchiveContents.TornTail(validLength: line.offset, line: number)
                    return index
                }
                throw ArchiveError.corrupt(file: url.path, line: number, reason: "not a judge record")
            }
            guard record.seq == number else {
                throw ArchiveError.corrupt(
                    file: url.path, line: number, reason: "sequence number \(record.seq), expected \(number)")
            }
            guard record.prev == index.chainHead else {
                throw ArchiveError.corrupt(
                    file: url.path, line: number,
                    reason: "chain broken: prev does not match the hash of line \(number - 1)")
            }
            let span = ArchiveStream.LineSpan(offset: line.offset, length: line.bytes.count)
            let judged = Self.digest(ofLineHash: record.judged)
            let entry = Entry(judged: judged, key: RequestDigest(record.key), span: span, seq: record.seq)
            index.entries.append(entry)
            index.linked[judged] = entry
            index.chainHead = ArchiveChain.hash(ofLine: line.bytes)
            index.count = number
        }
        return index
    }

    private init(file: RecordFile?) {
        self.file = file
    }

    /// The judge context of the transcript record whose line hashes to `hash`: the last exchange
    /// linked to it, read back from the file, or none.
    package func context(judging hash: String) throws -> JudgeContext {
        guard let linked = linked[Self.digest(ofLineHash: hash)] else { return JudgeContext(transcript: nil) }
        return JudgeContext(transcript: try record(at: linked.span).transcript)
    }

    /// The exchange at `span`, read back: a line that no longer decodes is a file changed since the walk.
    package func record(at span: ArchiveStream.LineSpan) throws -> JudgeRecord {
        guard let file else { throw ArchiveError.mismatch("no judge exchanges to read") }
        let line = try file.read(offset: span.offset, length: span.length)
        guard let record = try? CanonicalJSON.decode(JudgeRecord.self, from: line) else {
            throw ArchiveError.mismatch("\(file.path): the line at byte \(span.offset) changed while it was read")
        }
        return record
    }

    /// The request the transcript line `judged` must be: the one the last exchange linked to it
    /// names; nil when no exchange judges it (`verify` checks each record it walks against this).
    func request(judging judged: Digest128) -> RequestDigest? {
        linked[judged]?.key
    }

    /// The first exchange, in file order, that does not judge the record it names: its line hash
    /// is not among `matched`, or the last exchange linked to that line names another request.
    func firstStray(matched: Set<Digest128>) -> Entry? {
        entries.first { !matched.contains($0.judged) || linked[$0.judged]?.key != $0.key }
    }

    /// The digest indexes key on: of the hash's hex text, as the line hashes are written.
    static func digest(ofLineHash hash: String) -> Digest128 {
        Digest128(Data(hash.utf8))
    }
}
