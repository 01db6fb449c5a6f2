import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidArchive
@testable import UnsaidReport
import UnsaidTestSupport

/// The labels ledger without the CLI: request names, the chain and its head, crash repair, and
/// the rows a reviewed run gives the detector's evaluation and training.
@Suite("Review labels")
struct ReviewLabelsTests {
    @Test(arguments: [
        ("starter/tiananmen-1989#0@stream", "starter", "tiananmen-1989", 0, true),
        ("s/a/b#c#12@json", "s", "a/b#c", 12, false),
        ("s/x@y#3@stream", "s", "x@y", 3, true),
    ])
    func requestNamesParseFromTheRight(text: String, suite: String, probe: String, sample: Int, streamed: Bool) {
        let reference = RequestReference(parsing: text)
        #expect(reference == RequestReference(suite: suite, probe: probe, sample: sample, streamed: streamed))
        #expect(reference?.description == text)
    }

    /// Terminal output and reports show keys in the suites' words; a key copied from them works too.
    @Test(arguments: [
        ("starter/tiananmen-1989#0 (stream: on)", "starter", "tiananmen-1989", 0, true),
        ("s/a/b#c#12 (stream: off)", "s", "a/b#c", 12, false),
        ("s/x (stream: on)#3 (stream: off)", "s", "x (stream: on)", 3, false),
    ])
    func displayedRequestNamesParseToo(text: String, suite: String, probe: String, sample: Int, streamed: Bool) {
        let reference = RequestReference(parsing: text)
        #expect(reference == RequestReference(suite: suite, probe: probe, sample: sample, streamed: streamed))
        #expect(reference?.displayName == text)
        #expect(reference.map { RequestReference.displayName(of: $0.description) } == text)
    }

    @Test(arguments: [
        "s/p#0 (stream: both)", "s/p#0 stream: on", "s/p#0 (stream: on) ", "s/p (stream: on)",
        "s/p#0", "s/p#0@sse", "s/p@json", "p#0@json", "/p#0@json", "s/#0@json", "s/p#-1@json", "s/p#x@json",
    ])
    func malformedRequestNamesAreRejected(text: String) {
        #expect(RequestReference(parsing: text) == nil)
    }

    @Test func theChainStartsAtTheRunsTranscriptHeadAndTheHeadFollowsIt() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let contents = try ArchiveReader.read(directory)
        var ledger = try LabelsLedger.load(contents)
        #expect(ledger.records.isEmpty && ledger.headProblem == nil)
        let verdict = try #require(contents.verdicts.first { $0.key.probe == "b" })
        let record = try ledger.append(
            key: verdict.key, transcript: contents.recordHashes[1], machine: verdict,
            label: .deflected, reviewer: "ana", note: nil, at: "2026-01-02T00:00:00.000Z")
        #expect(record.prev == contents.manifest.chainHead)
        #expect(record.machine == .refused && record.overrides)

        let again = try LabelsLedger.load(contents)
        #expect(again.records == [record])
        #expect(again.headProblem == nil)
        let head = try #require(LabelsHead.parse(try Data(contentsOf: again.headFile)))
        #expect(head == LabelsHead(hash: SHA256Hex.digest(try CanonicalJSON.encode(record)), count: 1))
        #expect(ArchiveVerifier.verify(directory: directory).checks.last?.name == "labels")
        #expect(ArchiveVerifier.verify(directory: directory).passed)
    }

    @Test func aCrashBeforeTheHeadMovedIsRepairedAndNothingElseIs() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let contents = try ArchiveReader.read(directory)
        var ledger = try LabelsLedger.load(contents)
        for (index, verdict) in contents.verdicts.enumerated() {
            try ledger.append(
                key: verdict.key, transcript: contents.recordHashes[index], machine: verdict,
                label: .answered, reviewer: "ana", note: "n\(index)")
        }
        let fullHead = try Data(contentsOf: ledger.headFile)
        // The head as it was before the third label: one whole record behind.
        try Data(LabelsHead(hash: ledger.hashes[1], count: 2).line.utf8).write(to: ledger.headFile)
        var crashed = try LabelsLedger.load(contents)
        #expect(crashed.headProblem != nil)
        #expect(!ArchiveVerifier.verify(directory: directory).passed)
        try crashed.repairHeadAfterCrash()
        #expect(try Data(contentsOf: ledger.headFile) == fullHead)

        // Two records behind is not what a crash leaves: refused.
        try Data(LabelsHead(hash: ledger.hashes[0], count: 1).line.utf8).write(to: ledger.headFile)
        var cut = try LabelsLedger.load(contents)
        #expect(throws: LabelsError.self) { try cut.repairHeadAfterCrash() }
    }

    /// `review --list` walks the archive instead of loading it: the same items, in the same
    /// order, with the same verdicts, hashes and labels as the queue built from the whole run,
    /// over runs with labels on some requests (one relabelled), for every choice of scope.
    @Test func theStreamedListingIsTheQueue() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-list-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let sample = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: sample) }
        let runs = [
            sample,
            try await ReportFixtures.writeRun(
                ReportFixtures.alphaItems, runID: "20260101-000000-alpha-0001", target: "a", model: "a", in: root),
            try await ReportFixtures.writeRun(
                ReportFixtures.betaItems, runID: "20260101-000000-beta-0002", target: "b", model: "b", in: root),
            // Decided by the classifier at several confidences, so the threshold chooses.
            try await ReportFixtures.writeRun(
                ReportFixtures.alphaItems.enumerated().map { index, item in
                    var item = item
                    item.decidedBy = .classifier
                    item.evidence.append(
                        Evidence(
                            rule: "classifier.\(item.label.rawValue)", note: "", layer: .classifier,
                            confidence: 300 + 100 * (index % 7)))
                    return item
                }, runID: "20260101-000000-unsure-0003", target: "u", model: "u", in: root),
        ]
        for (number, directory) in runs.enumerated() {
            let contents = try ArchiveReader.read(directory)
            var ledger = try LabelsLedger.load(contents)
            for (index, label) in [(0, ReviewLabel.deflected), (2, .answered), (0, .refused)]
            where index < contents.records.count {
                let key = contents.records[index].transcript.key
                let verdict = try #require(contents.verdicts.last { $0.key == key })
                _ = try ledger.append(
                    key: key, transcript: contents.recordHashes[index], machine: verdict, label: label,
                    reviewer: "ana", note: nil, at: "2026-01-02T00:00:00.000Z")
            }
            let reread = try ArchiveReader.read(directory)
            let ledgerNow = try LabelsLedger.load(reread)
            for all in [false, true] {
                for threshold in [nil, 500, 1000] {
                    let queue = ReviewQueue(contents: reread, ledger: ledgerNow, all: all, minConfidence: threshold)
                    var listed: [String] = []
                    var hashes: [String] = []
                    let summary = try ReviewListing.forEach(directory, all: all, minConfidence: threshold) {
                        item, position, total in
                        listed.append(item.render(position: position, of: total))
                        hashes.append(item.recordHash)
                    }
                    let expected = queue.items.enumerated().map { $1.render(position: $0 + 1, of: queue.items.count) }
                    #expect(listed == expected, "run \(number), all \(all), threshold \(threshold ?? -1)")
                    #expect(hashes == queue.items.map(\.recordHash))
                    #expect(summary.items == queue.items.count)
                    #expect(summary.labelled == queue.items.filter { $0.review != nil }.count)

                    // A person at a terminal is asked about the queue's items without a label
                    // (all of them with --again), from a walk of the run; and may stop at any one.
                    let walk = try ReviewWalk(directory, all: all, minConfidence: threshold)
                    #expect(walk.items == queue.items.count)
                    #expect(walk.labelledItems == queue.items.filter { $0.review != nil }.count)
                    #expect(walk.ledger.records == ledgerNow.records)
                    for unlabelledOnly in [false, true] {
                        let pending = queue.items.filter { !unlabelledOnly || $0.review == nil }
                        var asked: [String] = []
                        let handed = try walk.forEach(unlabelledOnly: unlabelledOnly) { item, position in
                            asked.append(item.render(position: position, of: pending.count) + item.recordHash)
                            return true
                        }
                        #expect(
                            asked
                                == pending.enumerated().map {
                                    $1.render(position: $0 + 1, of: pending.count) + $1.recordHash
                                },
                            "run \(number), all \(all), threshold \(threshold ?? -1), unlabelled \(unlabelledOnly)")
                        #expect(handed == pending.count)
                        var stoppedAt: [Int] = []
                        let stopped = try walk.forEach(unlabelledOnly: unlabelledOnly) { _, position in
                            stoppedAt.append(position)
                            return position < 2
                        }
                        #expect(stopped == min(2, pending.count))
                        #expect(stoppedAt == Array([1, 2].prefix(pending.count)))
                    }
                }
            }
            // eval-detector and detector training read a reviewed run's rows from a walk of it.
            let rows = try ReviewedRows.detectorRows(runDirectory: directory)
            #expect(rows == ReviewedRows.detectorRows(records: reread.records, labels: ledgerNow.records))
            #expect(!rows.isEmpty)
            // `--set` finds each request as `ReviewQueue.item` does, and none that is not there.
            var references = Set(reread.records.map { RequestReference($0.transcript.key) })
            references.insert(RequestReference(suite: "nowhere", probe: "p", sample: 0, streamed: true))
            if let first = reread.records.first {
                var other = RequestReference(first.transcript.key)
                other.sample += 7
                references.insert(other)
            }
            let (found, foundLedger) = try ReviewListing.find(references, in: directory)
            #expect(foundLedger.records == ledgerNow.records)
            for reference in references {
                let expected = ReviewQueue.item(reference, contents: reread, ledger: ledgerNow)
                let item = found[reference]
                #expect(item?.render() == expected?.render(), "run \(number), \(reference)")
                #expect(item?.recordHash == expected?.recordHash)
                #expect(item?.verdict == expected?.verdict)
            }
            #expect(found.count == references.count - 2)
            // Something is listed, and some of it labelled, or the comparison proves little.
            let everything = try ReviewListing.forEach(directory, all: true, minConfidence: nil) { _, _, _ in }
            #expect(everything.items == reread.records.count && everything.labelled > 0)
        }
    }

    @Test func lowConfidenceMeansTheDecidingLayersOwnConfidence() {
        func verdict(decidedBy layer: DetectorLayer?, evidence: [Evidence], flags: [VerdictFlag] = []) -> Verdict {
            Verdict(
                key: WorkKey(suite: "s", probe: "p", probeHash: "h", sample: 0, streamed: false), verdict: .refused,
                flags: flags, evidence: evidence, attempt: 0, expect: .any, outcome: .unscored, ruleset: "r",
                decidedBy: layer)
        }
        let decided = verdict(
            decidedBy: .classifier,
            evidence: [
                Evidence(rule: "refusal.en.cannot", note: "", layer: .phrase),
                Evidence(rule: "classifier.refused", note: "", layer: .classifier, confidence: 640),
            ])
        #expect(ReviewQueue.confidence(of: decided) == 640)
        #expect(ReviewQueue.isUnsure(decided, below: 700))
        #expect(!ReviewQueue.isUnsure(decided, below: 640))
        #expect(!ReviewQueue.isUnsure(decided, below: nil))
        // A classifier that only disagreed did not decide: the phrase rules carry no confidence.
        let disagreed = verdict(
            decidedBy: .phrase,
            evidence: [
                Evidence(rule: "refusal.en.cannot", note: "", layer: .phrase),
                Evidence(rule: "classifier.disagrees", note: "", layer: .classifier, confidence: 510),
            ], flags: [.needsReview])
        #expect(ReviewQueue.confidence(of: disagreed) == nil)
        #expect(!ReviewQueue.isUnsure(disagreed, below: 900))
    }

    @Test func reviewedRunsBecomeDetectorRowsWithTheLatestLabel() async throws {
        let probe = Probe(
            id: "p",
            messages: [
                ChatMessage(role: "system", content: "Be brief."),
                ChatMessage(role: "user", content: "probe text"),
            ], language: "zh-Hans")
        func record(_ id: String, sample: Int, body: String, answer: String) -> TranscriptRecord {
            let key = WorkKey(suite: "s", probe: id, probeHash: "h", sample: sample, streamed: true)
            let response = DecodedResponse(events: [], content: answer, finishReason: "stop")
            let attempt = Attempt(
                index: 0, startedAt: "t", elapsed: 0, status: 200, headers: [], chunks: [], failure: nil,
                response: response)
            return TranscriptRecord(
                seq: 1, prev: "", probe: probe,
                transcript: Transcript(
                    key: key, request: RecordedRequest(url: "u", headers: [], body: body, streamed: true),
                    attempts: [attempt]))
        }
        let records = [
            record(
                "p", sample: 0,
                body:
                    #"{"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":"六四"}]}"#,
                answer: "我们换个话题吧。"),
            record(
                "p", sample: 1,
                body:
                    #"{"messages":[{"role":"user","content":[{"type":"text","text":"part one"},{"type":"text","text":"part two"}]}]}"#,
                answer: "Sure."),
            record("p", sample: 2, body: "{}", answer: "cut"),
            record("p", sample: 3, body: "{}", answer: "unlabelled"),
        ]
        func label(_ index: Int, _ label: ReviewLabel) -> ReviewRecord {
            let verdict = Verdict(
                key: records[index].transcript.key, verdict: .answered, flags: [], evidence: [], attempt: 0,
                expect: .any, outcome: .unscored, ruleset: "r")
            return ReviewRecord(
                seq: 0, prev: "", key: verdict.key, transcript: "", reviewer: "ana", at: "t", machine: verdict,
                label: label, note: nil)
        }
        let rows = ReviewedRows.detectorRows(
            records: records,
            labels: [
                label(0, .answered), label(1, .retracted), label(0, .deflected), label(2, .truncated),
            ])
        #expect(
            rows == [
                DetectorRow(
                    id: .string("s/p#0@stream"), prompt: "六四", response: "我们换个话题吧。", language: "zh-Hans",
                    label: "deflected"),
                DetectorRow(
                    id: .string("s/p#1@stream"), prompt: "part one\npart two", response: "Sure.", language: "zh-Hans",
                    label: "partial"),
            ])
    }
}
