import Foundation
import Testing
@testable import UnsaidArchive
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
        let whole = ReportDocument(runs: try directories.map { ReportRun(contents: try ArchiveReader.read($0)) })
        let loaded = try ReportDocument.load(directories)
        for format in ReportFormat.allCases {
            #expect(try format.render(loaded) == (try format.render(whole)), "\(format)")
        }
        for (kept, full) in zip(loaded.runs, whole.runs) {
            #expect(
                RunProblems(entries: kept.entries).render(limit: nil)
                    == RunProblems(entries: full.entries).render(limit: nil))
            #expect(kept.entries.map(\.key) == full.entries.map(\.key) && kept.unscored == full.unscored)
        }
        // The stall is timed from its last chunk's arrival (61.7 s without it), the HTTP errors
        // described from their bodies.
        let problems = RunProblems(entries: loaded.runs[2].entries).render(limit: nil)
        #expect(problems.contains("stall after 60 s") && problems.contains("HTTP 503: upstream overloaded"))

        // And what was let go: no headers or request bodies; raw bytes only where read.
        let entries = loaded.runs[2].entries
        let attempts = entries.flatMap(\.transcript.attempts)
        #expect(attempts.allSatisfy { $0.headers.isEmpty && $0.response.usage == nil })
        #expect(entries.allSatisfy { $0.transcript.request.body.isEmpty })
        func entry(_ probe: String) throws -> ReportEntry { try #require(entries.first { $0.key.probe == probe }) }
        #expect(try entry("streamed").transcript.attempts[0].chunks.isEmpty)
        #expect(try entry("streamed").transcript.attempts[0].response.events.isEmpty)
        #expect(try !entry("withdrawn").transcript.attempts[0].response.events.isEmpty)
        #expect(try entry("stalled").transcript.attempts[0].chunks.map(\.t) == [1_700_000])
        #expect(try entry("blocked").transcript.attempts[0].chunks.count == 1)
    }
}
