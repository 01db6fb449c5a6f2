import Foundation
import Testing
import UnsaidTestSupport
@testable import UnsaidArchive
@testable import UnsaidReport
@testable import UnsaidSuite
@testable import UnsaidSupport
@testable import UnsaidTranscript
@testable import UnsaidVerdict

/// A report shows a run as its archive holds it; a sealed run whose files were changed afterwards
/// is refused (`SealedRunCheck`), naming the file, instead of being shown as the run it was.
@Suite("Reports of sealed runs changed afterwards")
struct SealedRunAlterationTests {
    /// Loads the run and returns the problem it was refused for, or nil when it loaded.
    private static func refusal(_ directory: URL) -> String? {
        do {
            _ = try ReportRun.load(directory)
            return nil
        } catch ArchiveError.changedAfterSealing(let run, let problem) {
            #expect(run == directory.path)
            return problem
        } catch {
            Issue.record("refused for another reason: \(error)")
            return "\(error)"
        }
    }

    private static func append(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Replaces `old` (which must be there) with `new` throughout the file, in place.
    private static func edit(_ url: URL, replacing old: String, with new: String) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains(old), "\(url.lastPathComponent) has no \(old)")
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: false, encoding: .utf8)
    }

    private static func lines(of url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func anUnchangedSealedRunLoads() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(Self.refusal(directory) == nil)
    }

    /// The likeliest change: a verdict's label edited by hand. Verdicts have no chain; only the
    /// manifest's digest of the file tells.
    @Test func aVerdictLabelEditedByHandIsRefused() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        try Self.edit(layout.verdicts, replacing: #""verdict":"refused""#, with: #""verdict":"answered""#)
        let problem = try #require(Self.refusal(directory))
        #expect(problem.hasPrefix("\(layout.verdicts.path): SHA-256 "), "\(problem)")
    }

    /// A record appended with its chain intact: every line checks against the one before it, and
    /// only the manifest's count and head tell.
    @Test func aWellChainedRecordAppendedIsRefused() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        let last = try #require(try Self.lines(of: layout.transcripts).last)
        var record = try CanonicalJSON.decode(TranscriptRecord.self, from: Data(last.utf8))
        record.seq += 1
        record.prev = ArchiveChain.hash(ofLine: Data(last.utf8))
        record.transcript.key.probe = "added"
        try Self.append(
            String(decoding: try CanonicalJSON.encode(record), as: UTF8.self) + "\n", to: layout.transcripts)
        let problem = try #require(Self.refusal(directory))
        #expect(problem.hasPrefix("\(layout.transcripts.path): 4 records ending in "), "\(problem)")
        #expect(problem.contains("manifest says 3 ending in"), "\(problem)")
    }

    @Test func aTornRecordAfterSealingIsRefused() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        try Self.append(#"{"prev":"0a"#, to: layout.transcripts)
        #expect(Self.refusal(directory) == "\(layout.transcripts.path):4: torn record")
    }

    /// The last record edited: the chain has nothing after it to break, but its hash is the head.
    @Test func theLastRecordEditedIsRefused() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        try Self.edit(layout.transcripts, replacing: "Mao Zedong", with: "Mao Tse-tung")
        let problem = try #require(Self.refusal(directory))
        #expect(problem.contains("3 records ending in"), "\(problem)")
    }

    @Test func aManifestEditedWithoutItsDigestIsRefused() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        let text = try String(contentsOf: layout.manifest, encoding: .utf8)
        #expect(text.contains(#""host" : "test""#) || text.contains(#""host": "test""#))
        try Self.edit(layout.manifest, replacing: #""test""#, with: #""elsewhere""#)
        let problem = try #require(Self.refusal(directory))
        #expect(problem.hasPrefix("\(layout.manifestDigest.path): does not match manifest.json"), "\(problem)")
    }

    /// An unfinished run's manifest counts what its last checkpoint saw; a torn last record is
    /// what a crash leaves. Neither is a change after sealing.
    @Test func anUnsealedRunIsNotHeldToItsManifest() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        var manifest = try ArchiveReader.readManifest(layout)
        manifest.status = .interrupted
        manifest.completed = 2
        try ManifestFile.write(manifest, layout: layout)
        try Self.append(#"{"prev":"0a"#, to: layout.transcripts)
        #expect(Self.refusal(directory) == nil)
    }

    /// A judged run: its exchanges are chained too, and the manifest names their count and head.
    @Test func aJudgeExchangeRemovedIsRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "unsaid-sealed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ruleset = try Ruleset.bundled()
        let layout = ArchiveLayout(directory: directory)
        var manifest = SampleArchive.manifest(runID: "judged", planned: 2, ruleset: ruleset)
        manifest.judge = .init(name: "judge", baseURL: "http://127.0.0.1:1/v1", model: "j")
        let writer = try ArchiveWriter(creating: layout, manifest: manifest, ruleset: ruleset.snapshot)
        let engine = VerdictEngine(ruleset: ruleset)
        var verdicts: [Verdict] = []
        for id in ["a", "b"] {
            let probe = Probe(id: id, messages: [ChatMessage(role: "user", content: "question \(id)")], expect: .answer)
            let key = WorkKey(suite: "s", probe: id, probeHash: try probe.contentHash, sample: 0, streamed: false)
            let transcript = SampleTranscript.answered("An answer about \(id).", key: key)
            let judgement = SampleTranscript.answered(#"{"label":"answered"}"#, key: key)
            let verdict = engine.judge(transcript, expect: probe.expect)
            try await writer.append(probe: probe, transcript: transcript, verdict: verdict, judgement: judgement)
            verdicts.append(verdict)
        }
        try await writer.finish(verdicts: verdicts)
        #expect(Self.refusal(directory) == nil)

        let kept = try #require(try Self.lines(of: layout.judgements).first)
        try (kept + "\n").write(to: layout.judgements, atomically: false, encoding: .utf8)
        let problem = try #require(Self.refusal(directory))
        #expect(problem.hasPrefix("\(layout.judgements.path): 1 records ending in "), "\(problem)")
        #expect(problem.contains("manifest says 2 ending in"), "\(problem)")
    }
}
