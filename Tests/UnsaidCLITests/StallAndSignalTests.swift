import Foundation
import Testing
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// `--stall-timeout` cuts a silent stream close to the setting, and SIGTERM stops a run the way
/// Ctrl-C does.
@Suite("Stall timeout and SIGTERM", .serialized)
struct StallAndSignalTests {
    /// A 4 s silence with a 1.5 s setting. libcurl's LOW_SPEED_TIME fired 6–7 s late, so this
    /// stall was never cut and the answer counted as complete (exit 0).
    @Test func aStallLongerThanTheSettingIsCut() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let events = CLIHarness.answerEvents("A slow answer.")
        let server = try await LoopbackServer.start { _ in
            var response = ScriptedResponse.sse(events: [], interval: .zero)
            response.parts = [
                .bytes(Array(events[0].utf8), delay: .zero),
                .bytes(Array(events[1...].joined().utf8), delay: .seconds(4)),
            ]
            return response
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--run-id", "s",
                "--stall-timeout", "1.5", "--attempts", "1",
            ],
            directory: work)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let record = try #require(try ArchiveReader.read(work.appendingPathComponent("Results/s")).records.first)
        let attempt = try #require(record.transcript.finalAttempt)
        #expect(attempt.failure?.kind == .stall, "\(String(describing: attempt.failure))")
        // What arrived before the silence is kept (on a loaded machine the first event may itself
        // come late enough to be cut, so only its prefix is asserted).
        #expect("Here is a factual answer. ".hasPrefix(attempt.response.content))
    }

    @Test func sigtermLeavesAResumableInterruptedRun() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("The answer, slowly."), interval: .milliseconds(150))
        }
        defer { Task { try? await server.shutdown() } }
        let count = 8
        let suite = try CLIHarness.writeSuite(in: work, count: count)
        let launched = try CLIHarness.launch(
            [
                "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--concurrency", "1", "--run-id",
                "t",
            ],
            directory: work)
        let run = work.appendingPathComponent("Results/t")
        let transcripts = ArchiveLayout(directory: run).transcripts
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if ((try? Data(contentsOf: transcripts))?.filter { $0 == 0x0A }.count ?? 0) >= 1 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(launched.process.processIdentifier, SIGTERM)
        await launched.wait()
        let result = launched.result
        #expect(launched.process.terminationReason == .exit && result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("Continue with: unsaid run --resume"), "\(result.stderr)")
        let manifest = try ArchiveReader.readManifest(ArchiveLayout(directory: run))
        #expect(manifest.status == .interrupted)
        #expect(manifest.completed >= 1)

        let resumed = try await CLIHarness.run(
            ["run", "--resume", run.path, "--base-url", server.baseURL], directory: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
    }
}
