#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidVerdict
import UnsaidArchive
import UnsaidReplay

/// End-to-end behaviour of `unsaid run`, `verify`, `rescore` and `--resume`, driving the real
/// binary against a loopback server. These tests wait on events (files appearing, processes
/// ending), never on elapsed time.
@Suite("unsaid run end to end", .serialized)
struct RunCommandTests {
    private func digestAll(_ directory: URL) throws -> [String: String] {
        var digests: [String: String] = [:]
        // `.lock` only names the last process that held the run (it is not part of the archive).
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where name != ArchiveLock.fileName {
            digests[name] = SHA256Hex.digest(try Data(contentsOf: directory.appendingPathComponent(name)))
        }
        return digests
    }

    @Test func deadEndpointFinishesWithExitOneAndErrorVerdicts() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: 2)
        // A port nothing listens on, kept bound (never listening) for the whole test so no
        // server started by a parallel test can take it.
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in(
            sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
            sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))

        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", "http://127.0.0.1:\(port)/v1", "--model", "m", "--attempts", "1",
                "--out", "Results",
            ],
            directory: work)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("error          2  100.0%"))
        let run = try CLIHarness.runDirectory(in: work.appendingPathComponent("Results"))
        let records = try ArchiveReader.read(run).records
        #expect(records.map { $0.transcript.finalAttempt?.failure?.kind } == [.connect, .connect])
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func malformedSuiteIsOneClearErrorAndWritesNothing() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try "id: bad\nprobes:\n  - id: a\n    prompt: hello\n    expect: refuse_it\n".write(
            to: work.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let result = try await CLIHarness.run(
            ["run", "--suite", "bad.yaml", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"], directory: work)
        #expect(result.status == 2)
        #expect(
            result.stderr == "error: bad.yaml:5:13: probes[0].expect: 'refuse_it' is not one of answer, refuse, any\n")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("Results").path))
    }

    @Test func rescoreWithTheSameRulesetReproducesTheVerdictFileExactly() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in
            .sse(
                events: CLIHarness.answerEvents("Article 35 of the constitution lists freedom of speech."),
                interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m"], directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try CLIHarness.runDirectory(in: work.appendingPathComponent("Results"))
        let rescore = try await CLIHarness.run(["rescore", run.path], directory: work)
        #expect(rescore.status == 0, "\(rescore.stderr)")
        #expect(rescore.stdout.contains("0 of 3 verdicts differ from the recorded ones"))
        let version = try Ruleset.bundled().version
        let original = try Data(contentsOf: run.appendingPathComponent("verdicts.jsonl"))
        let rescored = try Data(contentsOf: run.appendingPathComponent("verdicts.\(version).jsonl"))
        #expect(original == rescored)
    }

    /// `rescore` compares the verdicts it derives with the recorded ones: as it judges them when
    /// nothing is marked afterwards, read back from the file written when cross-mode marks
    /// rewrote some. Either way a recorded verdict edited here must be the one reported.
    @Test func rescoreListsTheVerdictsThatDifferFromTheRecordedOnes() async throws {
        for streamBoth in [false, true] {
            let work = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            // Streamed: an answer; not streamed: a refusal. With both modes every verdict is marked.
            let server = try await LoopbackServer.start { request in
                guard String(decoding: request.body, as: UTF8.self).contains(#""stream":true"#) else {
                    return .json(
                        200,
                        #"{"choices":[{"index":0,"message":{"role":"assistant","content":"I'm sorry, but I can't help with that request."},"finish_reason":"stop"}]}"#
                    )
                }
                return .sse(
                    events: CLIHarness.answerEvents(
                        "Freedom of speech is written into Article 35 of the Constitution, which says that citizens enjoy freedom of speech, of the press, of assembly and of association; in practice other laws limit it."
                    ),
                    interval: .zero)
            }
            defer { Task { try? await server.shutdown() } }
            let suite = try CLIHarness.writeSuite(in: work, count: 2)
            let result = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--stream",
                    streamBoth ? "both" : "off",
                ],
                directory: work)
            #expect(result.status == 0, "\(result.stderr)")
            let run = try CLIHarness.runDirectory(in: work.appendingPathComponent("Results"))
            let records = streamBoth ? 4 : 2
            let unchanged = try await CLIHarness.run(["rescore", run.path], directory: work)
            #expect(
                unchanged.stdout.contains("0 of \(records) verdicts differ from the recorded ones"),
                "\(unchanged.stdout)")

            // The first recorded verdict edited to another label.
            let verdictsURL = run.appendingPathComponent("verdicts.jsonl")
            var lines = try String(contentsOf: verdictsURL, encoding: .utf8).components(separatedBy: "\n")
            let label = try #require(lines[0].range(of: #""verdict":""#)).upperBound
            let derived = String(lines[0][label...].prefix { $0 != "\"" })
            let edited = derived == "empty" ? "error" : "empty"
            lines[0] = lines[0].replacingOccurrences(of: #""verdict":"\#(derived)""#, with: #""verdict":"\#(edited)""#)
            try lines.joined(separator: "\n").write(to: verdictsURL, atomically: true, encoding: .utf8)
            let rescore = try await CLIHarness.run(["rescore", run.path], directory: work)
            #expect(rescore.status == 0, "\(rescore.stderr)")
            #expect(
                rescore.stdout.contains("1 of \(records) verdicts differ from the recorded ones"), "\(rescore.stdout)")
            #expect(rescore.stdout.contains(": \(edited) "), "\(rescore.stdout)")
            #expect(rescore.stdout.contains(" -> \(derived) "), "\(rescore.stdout)")
            if streamBoth { #expect(rescore.stdout.contains("stream_nonstream_mismatch"), "\(rescore.stdout)") }
        }
    }

    @Test func killNineMidRunThenResumeLosesAndDoublesNothing() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let log = RequestLog()
        // Each answer takes a few hundred milliseconds, so the run is surely mid-stream when killed.
        let server = try await LoopbackServer.start { request in
            await log.record(request)
            return .sse(events: CLIHarness.answerEvents("The answer, slowly."), interval: .milliseconds(120))
        }
        defer { Task { try? await server.shutdown() } }
        let count = 10
        let suite = try CLIHarness.writeSuite(in: work, count: count)
        let launched = try CLIHarness.launch(
            [
                "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--concurrency", "2", "--run-id",
                "killed",
            ],
            directory: work)
        let run = work.appendingPathComponent("Results/killed")
        let transcripts = ArchiveLayout(directory: run).transcripts
        // Wait (bounded by a generous deadline, not asserted) until three records are on disk.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = (try? Data(contentsOf: transcripts))?.filter { $0 == 0x0A }.count ?? 0
            if lines >= 3 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(launched.process.processIdentifier, SIGKILL)
        await launched.wait()
        #expect(launched.process.terminationReason == .uncaughtSignal)

        // Simulate the torn write a crash can leave, on top of whatever the kill left.
        let handle = try FileHandle(forWritingTo: transcripts)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"prev":"torn","probe":{"id":"#.utf8))
        try handle.close()

        let before = try ArchiveReader.read(run, tolerateBrokenVerdicts: true)
        #expect(before.tornTail != nil)
        let archivedBeforeKill = Set(before.records.map(\.probe.prompt))
        #expect(archivedBeforeKill.count >= 3 && archivedBeforeKill.count < count)

        let resume = try await CLIHarness.run(["run", "--resume", run.path], directory: work)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stderr.contains("cut a torn record"))

        let after = try ArchiveReader.read(run)
        #expect(after.tornTail == nil)
        #expect(after.records.count == count)
        #expect(Set(after.records.map(\.transcript.key)).count == count)
        #expect(after.manifest.status == .complete)
        // Probes archived before the kill were not sent again.
        let prompts = await log.prompts
        for prompt in archivedBeforeKill {
            #expect(prompts.filter { $0 == prompt }.count == 1, "\(prompt) was sent again")
        }
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    /// Group commit's crash window: records written but not yet covered by an `fsync` (so not yet
    /// reported complete). The binary holds the `fsync` that would cover record 3, the test kills
    /// it there, and resume must neither lose nor send again what the file holds.
    @Test func killNineBetweenWriteAndFsyncThenResumeLosesAndDoublesNothing() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let log = RequestLog()
        let server = try await LoopbackServer.start { request in
            await log.record(request)
            return .sse(events: CLIHarness.answerEvents("An answer."), interval: .milliseconds(20))
        }
        defer { Task { try? await server.shutdown() } }
        let count = 8
        let suite = try CLIHarness.writeSuite(in: work, count: count)
        let marker = work.appendingPathComponent("paused-before-fsync")
        let launched = try CLIHarness.launch(
            [
                "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--concurrency", "2", "--run-id",
                "held",
            ],
            environment: ["UNSAID_TEST_PAUSE_BEFORE_FSYNC": "3:\(marker.path)"], directory: work)
        let run = work.appendingPathComponent("Results/held")
        // Wait (bounded by a generous deadline, not asserted) for the writer to reach the held fsync.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !FileManager.default.fileExists(atPath: marker.path) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(FileManager.default.fileExists(atPath: marker.path), "the run never reached the held fsync")
        // Record 3 is in the file but its fsync is held, so it must not have been reported done.
        let held = try ArchiveReader.read(run, tolerateBrokenVerdicts: true)
        #expect(held.records.count >= 3)
        kill(launched.process.processIdentifier, SIGKILL)
        await launched.wait()
        #expect(launched.process.terminationReason == .uncaughtSignal)
        let progress = launched.result.stderr
        #expect(progress.contains("[1/\(count)]"), "\(progress)")
        #expect(!progress.contains("[3/\(count)]"), "a record was reported complete before its fsync: \(progress)")

        let before = try ArchiveReader.read(run, tolerateBrokenVerdicts: true)
        let archivedBeforeKill = Set(before.records.map(\.probe.prompt))
        #expect(archivedBeforeKill.count >= 3 && archivedBeforeKill.count < count)

        let resume = try await CLIHarness.run(["run", "--resume", run.path], directory: work)
        #expect(resume.status == 0, "\(resume.stderr)")
        let after = try ArchiveReader.read(run)
        #expect(after.tornTail == nil)
        #expect(after.records.count == count)
        #expect(Set(after.records.map(\.transcript.key)).count == count)
        #expect(after.manifest.status == .complete)
        let prompts = await log.prompts
        for prompt in archivedBeforeKill {
            #expect(prompts.filter { $0 == prompt }.count == 1, "\(prompt) was sent again")
        }
        #expect(Set(prompts).count == count)
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func resumeAgainstAChangedSuiteIsRefusedAndChangesNothing() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("An answer."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 2)
        let first = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--run-id", "r"], directory: work)
        #expect(first.status == 0, "\(first.stderr)")
        let run = work.appendingPathComponent("Results/r")

        // A complete run cannot be resumed.
        let complete = try await CLIHarness.run(["run", "--resume", run.path], directory: work)
        #expect(complete.status == 2)
        #expect(complete.stderr.contains("already complete"))

        // Pretend it was interrupted, then change the suite: the resume must be refused untouched.
        let layout = ArchiveLayout(directory: run)
        var manifest = try ArchiveReader.readManifest(layout)
        manifest.status = .interrupted
        try ManifestFile.write(manifest, layout: layout)
        _ = try CLIHarness.writeSuite(in: work, count: 3)
        let before = try digestAll(run)
        let changed = try await CLIHarness.run(["run", "--resume", run.path], directory: work)
        #expect(changed.status == 2)
        #expect(changed.stderr.contains("error: cannot resume: suite file suite.yaml changed since the run started"))
        #expect(try digestAll(run) == before)

        // Another model is refused too.
        let otherModel = try await CLIHarness.run(["run", "--resume", run.path, "--model", "other"], directory: work)
        #expect(otherModel.status == 2)
        #expect(otherModel.stderr.contains("the run was against model 'm', not 'other'"))
        #expect(try digestAll(run) == before)
    }
}
