#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// `unsaid run --shard` and `unsaid merge`, driving the real binary: shard processes against one
/// loopback server, merged into one archive that verifies, and the refusals of merge.
@Suite("unsaid run --shard and unsaid merge", .serialized)
struct ShardMergeTests {
    /// An ordinary answer in whichever mode the request asked for, optionally slowly.
    private static func answering(_ log: RequestLog? = nil, interval: Duration = .zero) async throws -> LoopbackServer {
        try await LoopbackServer.start { request in
            await log?.record(request)
            let streamed = JSONValue.parse(Data(request.body))?["stream"]?.boolValue ?? false
            return streamed
                ? .sse(events: CLIHarness.answerEvents("A plain, factual answer."), interval: interval)
                : .json(
                    200,
                    #"{"choices":[{"index":0,"message":{"role":"assistant","content":"A plain, factual answer."},"finish_reason":"stop"}]}"#
                )
        }
    }

    /// Job-runner variables of the test process itself must not choose a shard for the child.
    private static let noRunnerIndex = ["JOB_COMPLETION_INDEX": "", "SLURM_ARRAY_TASK_ID": "", "CI_NODE_INDEX": ""]

    private static func keys(_ run: URL) throws -> [WorkKey] {
        try ArchiveReader.read(run).records.map(\.transcript.key)
    }

    @Test func shardProcessesMergeIntoOneVerifiedRunHoldingExactlyTheUnshardedRequests() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await Self.answering()
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 9)
        let common = [
            "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--stream", "both", "--quiet",
        ]

        // The whole run, one request at a time so its archive is in plan order.
        let whole = try await CLIHarness.run(
            common + ["--run-id", "whole", "--concurrency", "1"], environment: Self.noRunnerIndex,
            directory: work)
        #expect(whole.status == 0, "\(whole.stderr)")

        // Three shard processes at once, each told its index the way a different job runner does.
        let launched = [
            try CLIHarness.launch(
                common + ["--run-id", "audit", "--shard", "1/3"], environment: Self.noRunnerIndex, directory: work),
            try CLIHarness.launch(
                common + ["--run-id", "audit", "--shard-from-env", "--shards", "3"],
                environment: Self.noRunnerIndex.merging(["JOB_COMPLETION_INDEX": "1"]) { $1 }, directory: work),
            try CLIHarness.launch(
                common + ["--run-id", "audit", "--shard-from-env", "--shards", "3"],
                environment: Self.noRunnerIndex.merging(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1"]) {
                    $1
                },
                directory: work),
        ]
        for process in launched {
            await process.wait()
            let result = process.result
            #expect(result.status == 0, "\(result.stderr)")
        }
        let shards = (1...3).map { work.appendingPathComponent("Results/audit-shard-\($0)-of-3") }
        let manifests = try shards.map { try ArchiveReader.readManifest(ArchiveLayout(directory: $0)) }
        #expect(manifests.map { $0.shard?.index } == [1, 2, 3])
        #expect(manifests[1].shard?.source == "JOB_COMPLETION_INDEX=1 (0-based)")
        #expect(manifests[2].shard?.source == "SLURM_ARRAY_TASK_ID=3 (counted from SLURM_ARRAY_TASK_MIN=1)")
        #expect(Set(manifests.map { $0.shard?.planDigest }).count == 1)
        #expect(manifests.allSatisfy { $0.shard?.wholePlan == 18 })

        // Disjoint shards whose union is the whole run's requests.
        let shardKeys = try shards.map(Self.keys)
        #expect(shardKeys.map(\.count).reduce(0, +) == 18)
        #expect(Set(shardKeys.flatMap { $0 }) == Set(try Self.keys(work.appendingPathComponent("Results/whole"))))

        let merge = try await CLIHarness.run(["merge"] + shards.map(\.path) + ["--out", "Results"], directory: work)
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stdout.contains("merged 3 of 3 shards"), "\(merge.stdout)")
        let merged = work.appendingPathComponent("Results/audit-merged")
        // Same keys as the unsharded run, none twice, and in the same (plan) order.
        let mergedKeys = try Self.keys(merged)
        #expect(mergedKeys == (try Self.keys(work.appendingPathComponent("Results/whole"))))
        #expect(Set(mergedKeys).count == mergedKeys.count)

        let verify = try await CLIHarness.run(["verify", merged.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("ok   shard provenance: 3 of 3 shards"), "\(verify.stdout)")
        // The shards were only read.
        for shard in shards {
            #expect((try await CLIHarness.run(["verify", shard.path], directory: work)).status == 0)
        }

        // The merged run is one run to the other commands.
        let report = try await CLIHarness.run(["report", merged.path, "--format", "json"], directory: work)
        #expect(report.status == 0, "\(report.stderr)")
        let compare = try await CLIHarness.run(["compare", "Results/whole", merged.path], directory: work)
        #expect(compare.status == 0, "\(compare.stderr)")
        let rescore = try await CLIHarness.run(["rescore", merged.path], directory: work)
        #expect(rescore.stdout.contains("0 of 18 verdicts differ from the recorded ones"), "\(rescore.stdout)")
        let runs = try await CLIHarness.run(["runs", "--results", "Results", "--json"], directory: work)
        #expect(runs.stdout.contains("\"run\" : \"audit-merged\""), "\(runs.stdout)")
    }

    @Test func tamperingWithAMergedRecordsShardOriginIsCaughtByVerify() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await Self.answering()
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 4)
        for index in 1...2 {
            let result = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--quiet",
                    "--run-id", "t", "--shard", "\(index)/2",
                ], environment: Self.noRunnerIndex, directory: work)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let merge = try await CLIHarness.run(
            [
                "merge", "Results/t-shard-1-of-2", "Results/t-shard-2-of-2", "--out", "Results",
                "--run-id", "m",
            ], directory: work)
        #expect(merge.status == 0, "\(merge.stderr)")
        // Point the first record at another line of its shard, and re-seal the provenance file's
        // digest in the manifest so only the rebuilt shard chain can notice.
        let run = work.appendingPathComponent("Results/m")
        let provenanceURL = run.appendingPathComponent("provenance.jsonl")
        var lines = try String(contentsOf: provenanceURL, encoding: .utf8).split(separator: "\n").map(String.init)
        var first = try CanonicalJSON.decode(ProvenanceRecord.self, from: Data(lines[0].utf8))
        first.shardSeq += 1
        lines[0] = String(decoding: try CanonicalJSON.encode(first), as: UTF8.self)
        try (lines.joined(separator: "\n") + "\n").write(to: provenanceURL, atomically: true, encoding: .utf8)
        var manifest = try ArchiveReader.readManifest(ArchiveLayout(directory: run))
        manifest.files["provenance.jsonl"] = try FileDigester.digest(provenanceURL)
        try ManifestFile.write(manifest, layout: ArchiveLayout(directory: run))
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("is not the record shard"), "\(verify.stderr)")
    }

    @Test func aShardKilledWithKillNineIsRefusedUntilResumedThenMergesAndVerifies() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let log = RequestLog()
        let server = try await Self.answering(log, interval: .milliseconds(100))
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 16)
        let common = [
            "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--quiet", "--run-id", "k",
            "--concurrency", "2",
        ]
        let other = try await CLIHarness.run(
            common + ["--shard", "2/2"], environment: Self.noRunnerIndex, directory: work)
        #expect(other.status == 0, "\(other.stderr)")

        let launched = try CLIHarness.launch(
            common + ["--shard", "1/2"], environment: Self.noRunnerIndex, directory: work)
        let killed = work.appendingPathComponent("Results/k-shard-1-of-2")
        let transcripts = ArchiveLayout(directory: killed).transcripts
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let lines = (try? Data(contentsOf: transcripts))?.filter { $0 == 0x0A }.count ?? 0
            if lines >= 2 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(launched.process.processIdentifier, SIGKILL)
        await launched.wait()
        _ = launched.result
        #expect(launched.process.terminationReason == .uncaughtSignal)
        let before = try ArchiveReader.read(killed, tolerateBrokenVerdicts: true)
        let planned = before.manifest.planned
        #expect(before.records.count >= 2 && before.records.count < planned, "\(before.records.count) of \(planned)")

        // Unfinished: refused, naming the shard.
        let refused = try await CLIHarness.run(
            ["merge", "Results/k-shard-1-of-2", "Results/k-shard-2-of-2", "--out", "Results"],
            directory: work)
        #expect(refused.status == 2)
        #expect(
            refused.stderr
                == "error: cannot merge: shards missing or unfinished: 1/2: not finished (status running) in \(killed.path); pass every shard, resume the unfinished ones, or use --allow-partial\n"
        )
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("Results/k-merged").path))

        let resume = try await CLIHarness.run(
            ["run", "--resume", killed.path, "--quiet"], environment: Self.noRunnerIndex, directory: work)
        #expect(resume.status == 0, "\(resume.stderr)")
        let after = try ArchiveReader.read(killed)
        #expect(after.records.count == planned)
        // The resumed shard sent only its own part, and nothing archived before the kill again.
        let prompts = await log.prompts
        for record in before.records {
            #expect(prompts.filter { $0 == record.probe.prompt }.count == 1, "\(record.probe.prompt) sent again")
        }
        #expect(Set(prompts).count == 16)

        let merge = try await CLIHarness.run(
            ["merge", "Results/k-shard-1-of-2", "Results/k-shard-2-of-2", "--out", "Results"],
            directory: work)
        #expect(merge.status == 0, "\(merge.stderr)")
        let verify = try await CLIHarness.run(["verify", "Results/k-merged"], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(try Self.keys(work.appendingPathComponent("Results/k-merged")).count == 16)
    }

    @Test func mergeRefusesShardsThatDoNotBelongTogetherInOneLine() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await Self.answering()
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 4)
        try
            "id: other\nname: Other\ndefaults:\n  category: censorship\n  expect: answer\nprobes:\n  - id: o\n    prompt: Other?\n"
            .write(to: work.appendingPathComponent("other.yaml"), atomically: true, encoding: .utf8)
        func run(_ suite: String, _ id: String, _ shard: String) async throws {
            let result = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--quiet",
                    "--run-id", id, "--shard", shard,
                ], environment: Self.noRunnerIndex, directory: work)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try await run(suite, "a", "1/2")
        try await run(suite, "a", "2/2")
        try await run("other.yaml", "b", "2/2")
        let a1 = work.appendingPathComponent("Results/a-shard-1-of-2").path
        let a2 = work.appendingPathComponent("Results/a-shard-2-of-2").path
        let b2 = work.appendingPathComponent("Results/b-shard-2-of-2").path

        let suites = try await CLIHarness.run(["merge", a1, b2, "--out", "Merged"], directory: work)
        #expect(suites.status == 2)
        #expect(suites.stderr == "error: cannot merge: different suites: \(a1) ran cli 1, \(b2) ran other 1\n")

        let twice = try await CLIHarness.run(["merge", a1, a1, a2, "--out", "Merged"], directory: work)
        #expect(twice.status == 2)
        #expect(twice.stderr == "error: cannot merge: shard 1/2 given twice: \(a1) and \(a1)\n")

        let missing = try await CLIHarness.run(["merge", a1, "--out", "Merged"], directory: work)
        #expect(missing.status == 2)
        #expect(
            missing.stderr
                == "error: cannot merge: shards missing or unfinished: 2/2: missing; pass every shard, resume the unfinished ones, or use --allow-partial\n"
        )

        let notShard = try await CLIHarness.run(
            ["merge", a1, work.appendingPathComponent("nowhere").path, "--out", "Merged"], directory: work)
        #expect(notShard.status == 2)
        #expect(notShard.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("Merged").path))

        // --allow-partial: merged, marked partial, listing what is missing; still verifies.
        let partial = try await CLIHarness.run(
            ["merge", a1, "--out", "Merged", "--run-id", "half", "--allow-partial"], directory: work)
        #expect(partial.status == 0, "\(partial.stderr)")
        let half = work.appendingPathComponent("Merged/half")
        let manifest = try ArchiveReader.readManifest(ArchiveLayout(directory: half))
        #expect(manifest.merge?.partial == true)
        #expect(manifest.merge?.missing == ["2/2: missing"])
        #expect(manifest.completed == (try Self.keys(URL(fileURLWithPath: a1))).count)
        #expect(manifest.planned == 4)
        let verify = try await CLIHarness.run(["verify", half.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
        let runs = try await CLIHarness.run(["runs", "--results", "Merged", "--json"], directory: work)
        #expect(runs.stdout.contains("\"status\" : \"partial\""), "\(runs.stdout)")
    }

    @Test func badShardValuesExitTwoWithOneLine() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: 2)
        let expected = [
            "0/3": "error: --shard '0/3': the shard index must be between 1 and 3 (shards count from 1)\n",
            "4/3": "error: --shard '4/3': the shard index must be between 1 and 3 (shards count from 1)\n",
            "1/0": "error: --shard '1/0': the number of shards must be between 1 and 100000\n",
            "a/b": "error: --shard 'a/b' is not of the form I/N (e.g. 2/8)\n",
        ]
        for (value, message) in expected.sorted(by: { $0.key < $1.key }) {
            let result = try await CLIHarness.run(
                [
                    "run", "--suite", suite, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                    "--shard", value,
                ], environment: Self.noRunnerIndex, directory: work)
            #expect(result.status == 2, "\(value)")
            #expect(result.stderr == message)
        }
        let noCount = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                "--shard-from-env",
            ], environment: Self.noRunnerIndex, directory: work)
        #expect(noCount.status == 2)
        #expect(noCount.stderr == "error: --shard-from-env needs --shards N (the number of shards)\n")
        let noVariable = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                "--shard-from-env", "--shards", "3",
            ], environment: Self.noRunnerIndex, directory: work)
        #expect(noVariable.status == 2)
        #expect(
            noVariable.stderr
                == "error: --shard-from-env: none of JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, CI_NODE_INDEX is set\n")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("Results").path))
    }
}
