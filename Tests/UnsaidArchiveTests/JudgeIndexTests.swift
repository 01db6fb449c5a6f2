import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidArchive
import UnsaidTestSupport

/// `JudgeIndex` walks `judgements.jsonl` instead of holding it: it must accept, refuse and link
/// exactly what `JudgeRecords.read`, the whole-file reader, does.
@Suite("Judge exchanges walked")
struct JudgeIndexTests {
    /// Chained lines of judge records: (judged line hash, judged probe) each.
    private func lines(_ judged: [(hash: String, probe: String)]) throws -> [Data] {
        var previous = ArchiveChain.genesis
        return try judged.enumerated().map { index, item in
            let record = JudgeRecord(
                seq: index + 1, prev: previous,
                key: WorkKey(suite: "s", probe: item.probe, probeHash: "p", sample: 0, streamed: true),
                judged: item.hash,
                transcript: SampleTranscript.answered(
                    "reply \(index)",
                    key: WorkKey(suite: "judge", probe: item.probe, probeHash: "h", sample: 0, streamed: false)))
            let line = try CanonicalJSON.encode(record)
            previous = ArchiveChain.hash(ofLine: line)
            return line
        }
    }

    private func hash(_ name: String) -> String { SHA256Hex.digest(Data(name.utf8)) }

    @Test func theWalkLinksCountsAndChainsAsTheWholeFileDoes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("judge-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        // Record b is judged twice: the later exchange is its context.
        let written = try lines([
            (hash("a"), "a"), (hash("b"), "b"), (hash("c"), "c"), (hash("b"), "b"), (hash("d"), "d"),
        ])
        let whole = written.reduce(Data()) { $0 + $1 + Data([0x0A]) }
        let probes = ["a", "b", "c", "d", "never judged"]

        func expectSame(_ bytes: Data, _ comment: Comment) throws {
            try bytes.write(to: file)
            let records = try JudgeRecords.read(file)
            let index = try JudgeIndex.read(file)
            #expect(index.count == records.records.count, comment)
            #expect(index.chainHead == records.chainHead, comment)
            #expect(index.tornTail == records.tornTail, comment)
            let contexts = records.contexts(recordHashes: probes.map(hash))
            #expect(try probes.map { try index.context(judging: hash($0)) } == contexts, comment)
        }
        try expectSame(whole, "whole")
        try expectSame(Data(), "empty")
        // A crash mid-write leaves the last line cut: both stop before it.
        try expectSame(whole + written[0].prefix(40), "torn after five")
        try expectSame(written[0] + Data([0x0A]) + written[1].prefix(10), "torn after one")
        // A whole last line without its newline is torn too.
        try expectSame(written[0] + Data([0x0A]) + written[1], "unterminated")
        #expect(try JudgeIndex.read(file.appendingPathExtension("missing")).count == 0)

        // Damage before the last line is refused with the same words.
        let otherChain = try lines([(hash("x"), "x"), (hash("y"), "y")])
        let broken: [(Data, String)] = [
            (
                written[0] + Data([0x0A]) + otherChain[1] + Data([0x0A]) + written[2] + Data([0x0A]),
                "a line of another chain"
            ),
            (written[0] + Data("\n{\"seq\":\n".utf8) + written[2] + Data([0x0A]), "a line that is not a record"),
            (written[1] + Data([0x0A]) + written[0] + Data([0x0A]), "a sequence out of order"),
            (written[0] + Data([0x0A]) + written[2] + Data([0x0A]), "a record missing from the chain"),
            (Data([0x0A]) + whole, "an empty line"),
        ]
        for (bytes, what) in broken {
            try bytes.write(to: file)
            var wholeError: String?
            var walkedError: String?
            do { _ = try JudgeRecords.read(file) } catch { wholeError = "\(error)" }
            do { _ = try JudgeIndex.read(file) } catch { walkedError = "\(error)" }
            #expect(wholeError != nil, "\(what)")
            #expect(walkedError == wholeError, "\(what)")
        }
    }

    /// `verify` names the first exchange that judges a record the run does not have, or that
    /// names another request than the record it links to.
    @Test func strayExchangesAreFoundInFileOrder() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("judge-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        let written = try lines([(hash("a"), "a"), (hash("b"), "b"), (hash("c"), "c")])
        try written.reduce(Data()) { $0 + $1 + Data([0x0A]) }.write(to: file)
        let index = try JudgeIndex.read(file)
        let all = Set(["a", "b", "c"].map { JudgeIndex.digest(ofLineHash: hash($0)) })
        #expect(index.firstStray(matched: all) == nil)
        let stray = index.firstStray(
            matched: all.subtracting([JudgeIndex.digest(ofLineHash: hash("b"))]))
        #expect(stray?.seq == 2)
        #expect(try stray.map { try index.record(at: $0.span).key.probe } == "b")
        // The request a linked line must be is the one its exchange names.
        let other = WorkKey(suite: "s", probe: "b", probeHash: "p", sample: 0, streamed: true)
        #expect(index.request(judging: JudgeIndex.digest(ofLineHash: hash("b"))) == RequestDigest(other))
        #expect(index.request(judging: JudgeIndex.digest(ofLineHash: hash("a"))) != RequestDigest(other))

        // Two exchanges judge one line but name different requests: the line must be the request
        // the last one names, so the earlier one is the stray, though its line was matched.
        let twice = try lines([(hash("a"), "a"), (hash("b"), "b"), (hash("b"), "z")])
        try twice.reduce(Data()) { $0 + $1 + Data([0x0A]) }.write(to: file)
        let relinked = try JudgeIndex.read(file)
        let z = WorkKey(suite: "s", probe: "z", probeHash: "p", sample: 0, streamed: true)
        #expect(relinked.request(judging: JudgeIndex.digest(ofLineHash: hash("b"))) == RequestDigest(z))
        let matched = Set(["a", "b"].map { JudgeIndex.digest(ofLineHash: hash($0)) })
        #expect(relinked.firstStray(matched: matched)?.seq == 2)
    }
}
