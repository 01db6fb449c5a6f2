import Foundation
import Testing
@testable import UnsaidArchive
@testable import UnsaidRun
@testable import UnsaidSupport
@testable import UnsaidReport
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict

/// `ReportRun.load` keeps of each transcript only what reports read; every report must still be
/// the one rendered from whole records, byte for byte.
@Suite("Report loading")
struct ReportLoadingTests {
    private static let headers = [
        HTTPHeader(name: "content-type", value: "text/event-stream"), HTTPHeader(name: "x-request-id", value: "abc"),
    ]

    /// An attempt whose answer is decoded from raw chunks, as a run records it.
    private static func wire(
        _ body: String, at times: [Int64], status: Int?, streamed: Bool, elapsed: Int64,
        failure: TransportFailure? = nil
    ) -> Attempt {
        let bytes = Array(body.utf8)
        let cut = bytes.count / 2
        let pieces = times.count == 1 ? [bytes[...]] : [bytes[..<cut], bytes[cut...]]
        let chunks = zip(times, pieces).map { WireChunk(t: $0, bytes: $1) }
        var response = ChatResponseDecoder.decode(chunks: chunks, streamed: streamed)
        response.reasoning = "thinking it over"
        return Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: elapsed, status: status, headers: headers,
            chunks: chunks, failure: failure, response: response)
    }

    private static func sse(_ pieces: [String], done: Bool) -> String {
        pieces.map { #"data: {"choices":[{"index":0,"delta":{"content":"\#($0)"},"finish_reason":null}]}"# + "\n\n" }
            .joined() + (done ? "data: [DONE]\n\n" : "")
    }

    /// Records whose raw bytes reports do read: a stall (timed from its last chunk), HTTP errors
    /// with only a raw body, and streamed answers with events, headers and reasoning.
    private static var wireItems: [ReportFixtures.Item] {
        func probe(_ id: String, stream: StreamMode = .on) -> Probe {
            ReportFixtures.probe(
                id, "Question \(id)?", category: .censorship, expect: .answer, topic: "wire", stream: stream)
        }
        return [
            .init(
                probe: probe("streamed"),
                attempts: [
                    wire(
                        sse(["Article 35 ", "guarantees it."], done: true), at: [90_000, 400_000], status: 200,
                        streamed: true, elapsed: 450_000)
                ],
                label: .answered),
            .init(
                probe: probe("withdrawn"),
                attempts: [
                    wire(
                        sse(["The protests ", "were large."], done: true), at: [80_000, 2_500_000], status: 200,
                        streamed: true, elapsed: 2_600_000)
                ],
                label: .retracted),
            .init(
                probe: probe("stalled"),
                attempts: [
                    wire(
                        sse(["Partly ", "said"], done: false), at: [100_000, 1_700_000], status: 200, streamed: true,
                        elapsed: 61_700_000, failure: TransportFailure(kind: .stall, message: "no bytes for 60 s"))
                ],
                label: .error),
            .init(
                probe: probe("blocked", stream: .off),
                attempts: [wire("Content Exists Risk", at: [30_000], status: 400, streamed: false, elapsed: 31_000)],
                label: .filtered),
            .init(
                probe: probe("server-error", stream: .off),
                attempts: [
                    wire("upstream overloaded, try later", at: [20_000], status: 503, streamed: false, elapsed: 21_000)
                ],
                label: .error),
        ]
    }

    @Test func everyFormatRendersTheSameBytesAsFromWholeRecords() async throws {
        let (root, alpha, beta) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let gamma = try await ReportFixtures.writeRun(
            Self.wireItems, runID: "20260101-000000-gamma-0003", target: "gamma", model: "gamma", in: root)
        let directories = [alpha, beta, gamma]
        let whole = try ReportDocument(runs: try directories.map { ReportRun(contents: try ArchiveReader.read($0)) })
        let loaded = try ReportDocument.load(directories)
        for format in ReportFormat.allCases {
            #expect(try format.render(loaded) == (try format.render(whole)), "\(format)")
        }
        for (kept, full) in zip(loaded.runs, whole.runs) {
            let keptEntries = try kept.allEntries(), fullEntries = try full.allEntries()
            // Read back, a request that did not end in `error` comes without the raw chunks no
            // report reads (but an HTTP error's body); one that did comes whole.
            #expect(
                keptEntries
                    == fullEntries.map { entry in
                        guard entry.verdict.verdict != .error else { return entry }
                        var entry = entry
                        for index in entry.transcript.attempts.indices
                        where entry.transcript.attempts[index].httpErrorStatus == nil {
                            entry.transcript.attempts[index].chunks = []
                        }
                        return entry
                    })
            // The summaries read from the archive are those of the whole entries, but for their places.
            #expect(kept.requests.allSatisfy { $0.place != nil } && full.requests.allSatisfy { $0.place == nil })
            #expect(
                kept.requests.map {
                    var request = $0; request.place = nil; return request
                } == full.requests)
            #expect(kept.tally == full.tally && kept.reviews == full.reviews)
            #expect(
                RunProblems(entries: keptEntries).render(limit: nil)
                    == RunProblems(entries: fullEntries).render(limit: nil))
            #expect(keptEntries.map(\.key) == fullEntries.map(\.key) && kept.unscored == full.unscored)
        }
        // The stall is timed from its last chunk's arrival (61.7 s without it), the HTTP errors
        // described from their bodies.
        let problems = RunProblems(entries: try loaded.runs[2].allEntries()).render(limit: nil)
        #expect(problems.contains("stall after 60 s") && problems.contains("HTTP 503: upstream overloaded"))
    }

    /// A run with a request of every kind reports read differently: every verdict label, a
    /// stall, HTTP errors, a retried request, a follow-up conversation, a retraction with its
    /// timeline, repeated samples in both modes, rewrites, translations, reviewed labels and a
    /// doubled request (beta's Taiwan samples over alpha's); written in reverse, so the archive's
    /// order is not the report's.
    private static func everythingItems() throws -> [ReportFixtures.Item] {
        typealias F = ReportFixtures
        var plain = F.probe("q", "What happened?", category: .censorship, expect: .answer, topic: "t", stream: .off)
        plain.followUps = [FollowUpTurn(text: "Please repeat it.")]
        let first = WorkItem(
            key: WorkKey(suite: F.suite, probe: "q", probeHash: try plain.contentHash, sample: 0, streamed: false),
            probe: plain, parameters: plain.parameters)
        let (transcript, verdict) = FollowUpTests.retraction(for: first)
        let second = try #require(try FollowUpConversation.next(after: first, transcript: transcript, verdict: verdict))
        let zh = F.probe(
            "tam.zh-Hans", "天安门发生了什么？", category: .censorship, expect: .answer, topic: "tiananmen",
            language: "zh-Hans", stream: .off)
        var retried = F.answer("Finally, an answer.", streamed: false)
        retried.index = 1
        let throttled = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 5_000, status: 429, headers: [],
            chunks: [WireChunk(t: 4_000, bytes: Array("slow down".utf8)[...])], failure: nil,
            response: DecodedResponse(events: [], content: "", finishReason: nil, sawDone: false))
        let retriedProbe = F.probe("retried", "Again?", category: .control, expect: .any, topic: nil, stream: .off)
        return
            (F.alphaItems + wireItems + F.betaItems.suffix(4)
            + [
                F.Item(
                    probe: plain, attempts: [transcript.attempts[0]], label: .retracted, evidence: verdict.evidence),
                F.Item(
                    probe: second.probe, attempts: [F.answer("It was a protest.", streamed: false)], label: .answered),
                TransformReportTests.item(zh, .filtered),
                TransformReportTests.item(try TransformReportTests.rewrite(zh, "pinyin"), .answered),
                F.Item(probe: retriedProbe, attempts: [throttled, retried], label: .answered),
            ]
            + [VerdictLabel.deflected, .truncated, .empty].map { label in
                F.Item(
                    probe: F.probe(
                        "kind-\(label.rawValue)", "Tell me.", category: .censorship, expect: .answer, topic: "kinds"),
                    attempts: [F.answer(label == .empty ? "" : "Some words.", streamed: true)], label: label)
            }).reversed()
    }

    /// The run of `everythingItems` in `root`, with three requests labelled by a reviewer.
    private static func writeEverything(in root: URL) async throws -> URL {
        let everything = try await ReportFixtures.writeRun(
            try Self.everythingItems(), runID: "20260101-000000-all-0004", target: "all", model: "all", in: root)
        let contents = try ArchiveReader.read(everything)
        var ledger = try LabelsLedger.load(contents)
        for (index, label) in [(0, ReviewLabel.deflected), (5, .answered), (9, .refused)] {
            let verdict = contents.verdicts[index]
            let hash = try #require(
                zip(contents.records, contents.recordHashes).first { $0.0.transcript.key == verdict.key }?.1)
            _ = try ledger.append(
                key: verdict.key, transcript: hash, machine: verdict, label: label, reviewer: "ana",
                note: index == 5 ? "see, \"quoted\"" : nil, at: "2026-01-02T00:00:0\(index).000Z")
        }
        return everything
    }

    @Test func aRunOfEverythingRendersTheSameBytesAsFromWholeRecords() async throws {
        let (root, _, beta) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let everything = try await Self.writeEverything(in: root)
        let contents = try ArchiveReader.read(everything)
        let reviews = try LabelsLedger.load(contents).latest
        #expect(reviews.count == 3)
        let whole = ReportRun(contents: contents, reviews: reviews)
        let loaded = try ReportRun.load(everything)
        let wholeBeta = ReportRun(contents: try ArchiveReader.read(beta)), loadedBeta = try ReportRun.load(beta)
        for (wholeRuns, loadedRuns) in [([whole], [loaded]), ([whole, wholeBeta], [loaded, loadedBeta])] {
            let wholeDocument = try ReportDocument(runs: wholeRuns)
            let loadedDocument = try ReportDocument(runs: loadedRuns)
            for format in ReportFormat.allCases {
                let expected = try format.render(wholeDocument)
                #expect(try format.render(loadedDocument) == expected, "\(format) of \(wholeRuns.count)")
            }
        }
        // The run has what the test says it has, so the renderers above went through each path.
        let markdown = try MarkdownReport.render(try ReportDocument(runs: [loaded, loadedBeta]))
        for part in [
            "## Follow-up conversations", "## Transforms", "## Reviewed labels", "## Consistency across samples",
            "## Language differences", "Requests whose verdict flips",
        ] {
            #expect(markdown.contains(part), "\(part)")
        }
        #expect(Set(loaded.requests.map(\.verdict)) == Set(VerdictLabel.allCases))
        #expect(try RunProblems(entries: loaded.allEntries()).render(limit: nil).contains("retries: 1 on 1 request"))
    }

    /// An archive changed after it was loaded is said to have changed, never rendered from
    /// whatever bytes now sit at a request's place.
    @Test func aRecordThatChangedAfterLoadingIsAnError() async throws {
        let (root, alpha, _) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try ReportRun.load(alpha)
        let file = ArchiveLayout(directory: alpha).transcripts
        var bytes = try Data(contentsOf: file)
        bytes.removeFirst(10)
        try bytes.write(to: file)
        #expect {
            _ = try run.allEntries()
        } throws: { error in
            "\(error)".contains("changed while the report was being written")
        }
    }

    /// The JSON report is written row by row into the document encoded without its rows; the
    /// document encoded whole, rows and all, is the reference. An empty run sits between two
    /// others, and every piece the writer hands on is kept.
    @Test func jsonWrittenRowByRowIsTheDocumentEncodedWhole() async throws {
        let (root, _, beta) = try await ReportFixtures.writeBoth()
        defer { try? FileManager.default.removeItem(at: root) }
        let everything = try ReportRun.load(try await Self.writeEverything(in: root))
        let empty = ReportRun(
            manifest: ReportFixtures.manifest(
                runID: "20260101-000000-none-0005", target: "none", model: "none", probes: 0),
            entries: [], unscored: 0)
        for runs in [[everything], [everything, empty, try ReportRun.load(beta)], [empty]] {
            let document = try ReportDocument(runs: runs)
            let whole = try JSONReport.render(document, rows: { try $0.allEntries().map(JSONRequestRow.init) })
            var pieces: [String] = []
            try ReportFormat.json.render(document, to: ReportWriter { pieces.append($0) })
            #expect(pieces.joined() == whole, "\(runs.map(\.label))")
            #expect(JSONValue.parse(Data(whole.utf8)) != nil)
        }
    }

    /// A request's probe hash is kept as 32 bytes only when they spell it back exactly; anything
    /// else is kept as written.
    @Test func probeHashesAreKeptCompactOnlyWhereTheySpellBack() {
        var random = SplitMix64(seed: 15)
        let hex = Array("0123456789abcdef")
        let hashes = (0..<50).map { _ in String((0..<64).map { _ in hex[Int(random.next() % 16)] }) }
        let others = [
            "", "abc", hashes[0].uppercased(), String(hashes[1].dropLast()), hashes[2] + "0",
            String(hashes[3].dropLast()) + "g", String(repeating: "0", count: 64), String(repeating: "f", count: 64),
            "é" + String(hashes[4].dropFirst(2)),
        ]
        for text in hashes + others {
            #expect(CompactHash(text).text == text)
        }
        for (left, right) in zip(hashes + others, (hashes + others).dropFirst()) where left != right {
            #expect(CompactHash(left) != CompactHash(right))
        }
        #expect(CompactHash(hashes[5]) == CompactHash(String(hashes[5])))
    }
}
