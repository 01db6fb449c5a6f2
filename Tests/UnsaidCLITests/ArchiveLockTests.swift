import Foundation
import Testing
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// Two processes on one run directory: the second is refused before it touches anything.
@Suite("One writer per run directory", .serialized)
struct ArchiveLockTests {
    /// Holds every request after the first until opened, so the first run is certainly still
    /// live while the other processes try the directory — however slowly they start.
    actor Gate {
        private var isOpen = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        private var served = 0

        func admit() async {
            served += 1
            guard served > 1, !isOpen else { return }
            await withCheckedContinuation { waiting.append($0) }
        }

        func open() {
            isOpen = true
            for continuation in waiting { continuation.resume() }
            waiting = []
        }
    }

    @Test func aSecondProcessIsRefusedWhileARunIsLiveAndTheArchiveSurvives() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let gate = Gate()
        let server = try await LoopbackServer.start { _ in
            await gate.admit()
            return .sse(events: CLIHarness.answerEvents("The answer."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let count = 8
        let suite = try CLIHarness.writeSuite(in: work, count: count)
        let keygen = try await CLIHarness.run(["keygen", "--out", "k.key"], directory: work)
        #expect(keygen.status == 0)
        let first = try CLIHarness.launch(
            [
                "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--concurrency", "1", "--run-id",
                "dual",
                // The held request sends nothing until the gate opens: no limit may cut it first.
                "--connect-timeout", "600", "--timeout", "3600", "--stall-timeout", "3600",
            ],
            directory: work)
        let run = work.appendingPathComponent("Results/dual")
        let transcripts = ArchiveLayout(directory: run).transcripts
        // Wait (bounded, not asserted) until the first process has archived a record.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if ((try? Data(contentsOf: transcripts))?.filter { $0 == 0x0A }.count ?? 0) >= 1 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let pid = first.process.processIdentifier

        let resume = try await CLIHarness.run(
            ["run", "--resume", run.path, "--base-url", server.baseURL], directory: work)
        let rescore = try await CLIHarness.run(["rescore", run.path], directory: work)
        let sign = try await CLIHarness.run(["sign", run.path, "--key", "k.key"], directory: work)
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        let stillRunning = first.process.isRunning
        await gate.open()
        await first.wait()
        let firstResult = first.result

        #expect(stillRunning, "the first run ended while its second request was held")
        for (name, result) in [("resume", resume), ("rescore", rescore), ("sign", sign)] {
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(
                result.stderr
                    == "error: \(run.path) is in use by another unsaid process (pid \(pid)); wait for it to finish\n",
                "\(name)")
        }
        #expect(verify.status == 1)
        #expect(
            verify.stdout.contains("the run is live: another process (pid \(pid)) is still writing it"),
            "\(verify.stdout)")
        #expect(!verify.stdout.contains("--resume"))

        // The first run finished undisturbed: every request once, and the archive verifies.
        // (Exit 1 would only mean a request errored on a loaded machine; the archive is the point.)
        #expect(firstResult.status == 0 || firstResult.status == 1, "\(firstResult.stderr)")
        let lines = try String(contentsOf: transcripts, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == count)
        let after = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        // Once the holder has exited the lock is free again.
        let rescored = try await CLIHarness.run(["rescore", run.path], directory: work)
        #expect(rescored.status == 0, "\(rescored.stderr)")
    }
}
