import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// The labels of one run (`labels.jsonl` and `labels.head`), read and checked.
///
/// Reading checks every line: readable record, a known label, sequence number, chain link, a
/// request the run holds, and the hash of that request's transcript record. The first problem
/// is an error naming file and line. Whether the head agrees is reported apart (`headProblem`),
/// because `unsaid review` can repair the one disagreement a crash leaves behind.
package struct LabelsLedger: Sendable {
    package static let fileName = "labels.jsonl"
    package static let headName = "labels.head"

    package let directory: URL
    /// The hash the first record's `prev` must equal: the run's transcript chain head.
    package let root: String
    package private(set) var records: [ReviewRecord]
    /// Hash of each record's line, in order.
    package private(set) var hashes: [String]
    /// What `labels.head` says; nil when it is missing.
    package private(set) var head: LabelsHead?

    package var file: URL { directory.appendingPathComponent(Self.fileName) }
    package var headFile: URL { directory.appendingPathComponent(Self.headName) }
    package var chainHead: String { hashes.last ?? root }

    /// Whether the run has a labels file (or a head without one, which is itself damage).
    package static func exists(in directory: URL) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: directory.appendingPathComponent(fileName).path)
            || manager.fileExists(atPath: directory.appendingPathComponent(headName).path)
    }

    /// The requests the labels file names, read leniently (a line that is not a label is left to
    /// `load`, which reports it): what a reader that streams the run must find the transcript
    /// hashes of before it loads the ledger.
    package static func labelledKeys(in directory: URL) -> Set<WorkKey> {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(fileName).path) else {
            return []
        }
        var keys = Set<WorkKey>()
        for line in data.split(separator: 0x0A) {
            if let record = try? CanonicalJSON.decode(ReviewRecord.self, from: Data(line)) { keys.insert(record.key) }
        }
        return keys
    }

    /// Reads the labels of the run in `contents`; an empty ledger when the run has none yet.
    package static func load(_ contents: ArchiveContents) throws -> LabelsLedger {
        try load(
            directory: contents.layout.directory, root: contents.manifest.chainHead,
            transcripts: Dictionary(
                zip(contents.records.map(\.transcript.key), contents.recordHashes),
                uniquingKeysWith: { first, _ in first }))
    }

    /// - Parameter transcripts: the hash of each request's transcript record line.
    package static func load(directory: URL, root: String, transcripts: [WorkKey: String]) throws -> LabelsLedger {
        var ledger = LabelsLedger(directory: directory, root: root, records: [], hashes: [], head: nil)
        let path = ledger.file.path
        if let headData = FileManager.default.contents(atPath: ledger.headFile.path) {
            guard let head = LabelsHead.parse(headData) else {
                throw LabelsError.at(ledger.headFile.path, line: 1, "not '<sha256> <count>'")
            }
            ledger.head = head
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            if ledger.head != nil { throw LabelsError("\(path): missing, but \(headName) says there are labels") }
            return ledger
        }
        guard data.isEmpty || data.last == 0x0A else {
            let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).count
            throw LabelsError.at(path, line: lines, "incomplete line (no newline at the end)")
        }
        var previous = root
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = index + 1
            let record: ReviewRecord
            do {
                record = try CanonicalJSON.decode(ReviewRecord.self, from: Data(line))
            } catch {
                throw LabelsError.at(path, line: number, "not a label record")
            }
            guard record.reviewLabel != nil else {
                throw LabelsError.at(
                    path, line: number, "unknown label '\(record.label)' (expected one of \(ReviewLabel.spelled))")
            }
            guard record.seq == number else {
                throw LabelsError.at(path, line: number, "sequence number \(record.seq), expected \(number)")
            }
            guard record.prev == previous else {
                throw LabelsError.at(
                    path, line: number,
                    number == 1
                        ? "chain broken: prev is not the run's transcript chain head"
                        : "chain broken: prev does not match the hash of line \(number - 1)")
            }
            guard let transcript = transcripts[record.key] else {
                throw LabelsError.at(path, line: number, "\(record.key) is not a request of this run")
            }
            guard transcript == record.transcript else {
                throw LabelsError.at(
                    path, line: number,
                    "\(record.key): the labelled transcript record is not the one in transcripts.jsonl")
            }
            previous = ArchiveChain.hash(ofLine: Data(line))
            ledger.records.append(record)
            ledger.hashes.append(previous)
        }
        return ledger
    }

    /// Nil when `labels.head` names the last record and the record count; otherwise what differs.
    package var headProblem: String? {
        guard let head else { return records.isEmpty ? nil : "\(headFile.path): missing" }
        guard head.hash == chainHead, head.count == records.count else {
            return
                "\(file.path): \(records.count) records ending in \(chainHead); \(Self.headName) says \(head.count) ending in \(head.hash)"
        }
        return nil
    }

    /// The latest label of each request.
    package var latest: [WorkKey: ReviewRecord] {
        var latest: [WorkKey: ReviewRecord] = [:]
        for record in records { latest[record.key] = record }
        return latest
    }

    /// A crash between appending a record and rewriting the head leaves the head exactly one
    /// whole, correctly chained record behind. That, and only that, is repaired.
    package mutating func repairHeadAfterCrash() throws {
        guard let problem = headProblem else { return }
        let oneBehind: Bool
        if let head {
            let previousHead = records.count >= 2 ? hashes[records.count - 2] : root
            oneBehind = head.count == records.count - 1 && head.hash == previousHead
        } else {
            oneBehind = records.count == 1
        }
        guard oneBehind else {
            throw LabelsError(problem + " (the labels were changed outside unsaid review; see unsaid verify)")
        }
        try writeHead()
    }

    /// Appends one record (one `write`, then `fsync`) and moves the head to it.
    @discardableResult
    package mutating func append(
        key: WorkKey, transcript: String, machine: Verdict, label: ReviewLabel,
        reviewer: String, note: String?, at: String = Timestamp.now()
    ) throws -> ReviewRecord {
        let record = ReviewRecord(
            seq: records.count + 1, prev: chainHead, key: key, transcript: transcript,
            reviewer: reviewer, at: at, machine: machine, label: label, note: note)
        let line = try CanonicalJSON.encode(record)
        var bytes = line
        bytes.append(0x0A)
        let output = try AppendOnlyFile(path: file.path)
        try output.append(bytes)
        try output.sync()
        output.close()
        records.append(record)
        hashes.append(ArchiveChain.hash(ofLine: line))
        try writeHead()
        return record
    }

    private mutating func writeHead() throws {
        let head = LabelsHead(hash: chainHead, count: records.count)
        try writeAtomically(Data(head.line.utf8), to: headFile)
        self.head = head
    }
}
