import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// Running part of a suite: selection flags, `--stream both`, `--dry-run`, a single file of a
/// suite directory, and a resume that keeps the selection and the pacing of the original run.
@Suite("unsaid run: part of a suite", .serialized)
struct SelectionTests {
    /// A suite directory: `suite.yaml` sets defaults and includes two topic files.
    static func writeSuiteDirectory(in work: URL) throws {
        let directory = work.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
        id: lib
        name: Library
        defaults:
          category: censorship
          expect: answer
          max_tokens: 800
        include:
          - alpha.yaml
          - beta.yaml
        """.write(to: directory.appendingPathComponent("suite.yaml"), atomically: true, encoding: .utf8)
        try """
        probes:
          - id: alpha-one
            tags: [form:direct]
            prompt: Alpha one?
            variants:
              - language: ko
                prompt: 알파 하나?
          - id: alpha-two
            prompt: Alpha two?
        """.write(to: directory.appendingPathComponent("alpha.yaml"), atomically: true, encoding: .utf8)
        try """
        defaults:
          category: control
        probes:
          - id: beta-one
            tags: [form:direct]
            prompt: Beta one?
            variants:
              - language: zh-Hans
                prompt: 贝塔一？
        """.write(to: directory.appendingPathComponent("beta.yaml"), atomically: true, encoding: .utf8)
    }

    @Test func dryRunCountsAndShowsTheRequestsRedactedAndWritesNothing() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.writeSuiteDirectory(in: work)
        let result = try await CLIHarness.run(
            [
                "run", "--suite", "lib", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--dry-run",
                "--tag", "form:direct", "--stream", "both",
            ],
            environment: ["OPENAI_API_KEY": "sk-dry-run-secret-0123456789"], directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(
            out.contains("dry run: 8 requests to http://127.0.0.1:9/v1 (model m); nothing is sent or written"), "\(out)"
        )
        #expect(out.contains("by category: censorship 4, control 4"))
        #expect(out.contains("by language: en 4, ko 2, zh-Hans 2"))
        #expect(out.contains("by stream:   off 4, on 4"))
        #expect(out.contains("# lib/alpha-one#0 (stream: on)\nPOST http://127.0.0.1:9/v1/chat/completions\n"))
        #expect(
            out.contains(
                #"{"max_tokens":800,"messages":[{"content":"Alpha one?","role":"user"}],"model":"m","stream":false}"#))
        #expect(out.contains("Authorization: [REDACTED]"))
        #expect(!out.contains("sk-dry-run-secret") && !result.stderr.contains("sk-dry-run-secret"))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("Results").path))
    }

    /// `--stream` without a mode is the old flag's spelling (scripts, the peer benchmark): it
    /// means streamed, wherever it stands — before another option or last.
    @Test(arguments: [["--stream", "--dry-run"], ["--dry-run", "--stream"]])
    func aBareStreamFlagMeansStreamed(_ tail: [String]) async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.writeSuiteDirectory(in: work)
        let result = try await CLIHarness.run(
            ["run", "--suite", "lib", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--tag", "form:direct"]
                + tail,
            directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("dry run: 4 requests to http://127.0.0.1:9/v1"), "\(result.stdout)")
        #expect(result.stdout.contains(#""stream":true"#))
        #expect(!result.stdout.contains(#""stream":false"#))
    }

    @Test func filtersLanguagesLimitAndASingleFileKeepTheSuiteDefaults() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.writeSuiteDirectory(in: work)
        let log = RequestLog()
        let server = try await LoopbackServer.start { request in
            await log.record(request)
            return .sse(events: CLIHarness.answerEvents("An answer."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let base = ["run", "--base-url", server.baseURL, "--model", "m", "--quiet"]

        // One topic file of the directory: the suite's defaults (max_tokens 800, category) and id apply.
        let single = try await CLIHarness.run(
            base + ["--suite", "lib/alpha.yaml", "--run-id", "single"], directory: work)
        #expect(single.status == 0, "\(single.stderr)")
        let singleRun = try ArchiveReader.read(work.appendingPathComponent("Results/single"))
        #expect(
            singleRun.records.map(\.transcript.key.description).sorted() == [
                "lib/alpha-one#0@stream", "lib/alpha-one.ko#0@stream", "lib/alpha-two#0@stream",
            ])
        #expect(
            singleRun.records.allSatisfy { $0.probe.parameters.maxTokens == 800 && $0.probe.category == .censorship })

        // The same probes from a run of the whole suite pair with it.
        let whole = try await CLIHarness.run(
            base + ["--suite", "lib", "--run-id", "whole", "--filter", "alpha-*"], directory: work)
        #expect(whole.status == 0, "\(whole.stderr)")
        let compare = try await CLIHarness.run(["compare", "Results/single", "Results/whole"], directory: work)
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("3 paired requests (3 without errors)"))

        let picked = try await CLIHarness.run(
            base + [
                "--suite", "lib", "--run-id", "picked", "--language", "zh", "--language", "ko", "--category", "control",
            ],
            directory: work)
        #expect(picked.status == 0, "\(picked.stderr)")
        let pickedRun = try ArchiveReader.read(work.appendingPathComponent("Results/picked"))
        #expect(pickedRun.records.map(\.transcript.key.probe) == ["beta-one.zh-Hans"])
        #expect(
            pickedRun.manifest.arguments.selection == RunSelection(categories: [.control], languages: ["zh", "ko"]))

        let limited = try await CLIHarness.run(
            base + ["--suite", "lib", "--run-id", "limited", "--limit", "2"], directory: work)
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(try ArchiveReader.read(work.appendingPathComponent("Results/limited")).records.count == 2)

        let none = try await CLIHarness.run(base + ["--suite", "lib", "--filter", "nothing-*"], directory: work)
        #expect(none.status == 2)
        #expect(none.stderr == "error: no probe matches the selection (lib)\n")
    }

    @Test func resumeKeepsSelectionAndPacingUnlessOverridden() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.writeSuiteDirectory(in: work)
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("An answer."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let first = try await CLIHarness.run(
            [
                "run", "--suite", "lib", "--base-url", server.baseURL, "--model", "m", "--run-id", "r", "--filter",
                "alpha-*",
                "--concurrency", "1", "--stall-timeout", "7", "--attempts", "1",
            ], directory: work)
        #expect(first.status == 0, "\(first.stderr)")
        let run = work.appendingPathComponent("Results/r")
        let layout = ArchiveLayout(directory: run)
        var manifest = try ArchiveReader.readManifest(layout)
        #expect(
            manifest.arguments.settings
                == Manifest.RunSettings(
                    concurrency: 1, rateLimit: nil, connectTimeout: 10, timeout: 300,
                    stallTimeout: 7, attempts: 1))

        // As if killed before the last request was archived.
        let lines = try String(contentsOf: layout.transcripts, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(
            to: layout.transcripts, atomically: true, encoding: .utf8)
        manifest.status = .interrupted
        try ManifestFile.write(manifest, layout: layout)

        let resumed = try await CLIHarness.run(["run", "--resume", run.path], directory: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(
            resumed.stderr.contains("resuming r: 2 of 3 requests already archived"),
            "the selection is kept: \(resumed.stderr)")
        #expect(resumed.stderr.contains("concurrency 1"), "\(resumed.stderr)")
        #expect(try ArchiveReader.read(run).records.count == 3)
        let verify = try await CLIHarness.run(["verify", run.path, "--quiet"], directory: work)
        #expect(verify.status == 0 && verify.stdout == "verified: \(run.path)\n", "\(verify.stdout)")

        let overridden = try await CLIHarness.run(
            ["run", "--resume", run.path, "--concurrency", "3", "--filter", "x"], directory: work)
        #expect(overridden.status == 2)
        #expect(overridden.stderr.contains("drop --run-id, --stream, selection options"), "\(overridden.stderr)")
    }
}

@Suite("unsaid compare: nothing to compare", .serialized)
struct CompareRefusalTests {
    @Test func streamedAgainstNonStreamedIsRefusedInOneLine() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { request in
            let streamed = JSONValue.parse(Data(request.body))?["stream"]?.boolValue ?? false
            return streamed
                ? .sse(events: CLIHarness.answerEvents("Yes."), interval: .zero)
                : .json(
                    200,
                    #"{"choices":[{"index":0,"message":{"role":"assistant","content":"Yes."},"finish_reason":"stop"}]}"#
                )
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 2)
        for (id, mode) in [("on", "on"), ("off", "off")] {
            let result = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m",
                    "--run-id", id, "--stream", mode, "--quiet",
                ], directory: work)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let compare = try await CLIHarness.run(["compare", "Results/on", "Results/off"], directory: work)
        #expect(compare.status == 2)
        #expect(compare.stdout.isEmpty)
        #expect(
            compare.stderr
                == "error: nothing to compare: m (on) and m (off) share no request: m (on) ran with stream: on and m (off) with stream: off; compare runs of one mode, or run with --stream both\n"
        )
        let report = try await CLIHarness.run(
            ["report", "Results/on", "--compare", "Results/off", "--format", "html"], directory: work)
        #expect(report.status == 2)
        #expect(report.stderr == compare.stderr)
    }
}
