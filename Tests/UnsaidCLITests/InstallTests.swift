import Foundation
import Testing
import UnsaidSuite
import UnsaidReplay

/// `scripts/install.sh` (what `make install` and `make dist` run) lays out a prefix from which
/// the binary works in any folder: ruleset and probe library found beside it, man page and
/// completions installed. The installed copy is then driven from other directories.
@Suite("Installed binary", .serialized)
struct InstallTests {
    @Test func installedBinaryRunsFromAnyFolder() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let prefix = work.appendingPathComponent("prefix")
        let install = try await CLIHarness.run(
            [
                CLIHarness.packageRoot.appendingPathComponent("scripts/install.sh").path, CLIHarness.binary.path,
                prefix.path,
            ],
            directory: work, executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(install.status == 0, "\(install.stderr)")
        let installed = prefix.appendingPathComponent("bin/unsaid")
        let share = prefix.appendingPathComponent("share")
        for file in [
            "unsaid/Rules/ruleset.json", "unsaid/Probes/starter.yaml", "unsaid/Tables/pinyin.txt", "man/man1/unsaid.1",
            "bash-completion/completions/unsaid", "zsh/site-functions/_unsaid", "fish/vendor_completions.d/unsaid.fish",
        ] {
            #expect(
                FileManager.default.fileExists(atPath: share.appendingPathComponent(file).path), "\(file) not installed"
            )
        }
        let manual = try String(contentsOf: share.appendingPathComponent("man/man1/unsaid.1"), encoding: .utf8)
        #expect(manual.hasPrefix(".TH UNSAID 1"))
        #expect(manual.contains(".SS unsaid run") && manual.contains("\\-\\-fail\\-on"))

        // From the root folder, which has no Probes/: the installed library is listed.
        let list = try await CLIHarness.run(
            ["suites", "list"], directory: URL(fileURLWithPath: "/"), executable: installed)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("censorship  Censorship") && list.stdout.contains("\(share.path)/unsaid/Probes/"))

        // A run from an empty folder: the suite is found in the library, the ruleset beside the binary.
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("An answer."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let elsewhere = work.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let run = try await CLIHarness.run(
            [
                "run", "--suite", "Probes/starter.yaml", "--base-url", server.baseURL, "--model", "m", "--limit", "2",
                "--run-id", "r", "--quiet",
            ],
            directory: elsewhere, executable: installed)
        #expect(run.status == 0, "\(run.stderr)")
        let verify = try await CLIHarness.run(
            ["verify", "Results/r", "--quiet"], directory: elsewhere, executable: installed)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        // The transform tables are found too: a pinyin rewrite of a Chinese prompt is not the prompt.
        let pinyin = try await CLIHarness.run(
            [
                "run", "--suite", "Probes/starter.yaml", "--base-url", server.baseURL, "--model", "m", "--dry-run",
                "--language", "zh-Hans", "--transform", "pinyin",
            ], directory: elsewhere, executable: installed)
        #expect(pinyin.status == 0, "\(pinyin.stderr)")
        #expect(pinyin.stdout.contains("\"content\":\"zai zhong guo"), "\(pinyin.stdout)")

        // The ruleset really comes from the prefix: without it the installed copy says so.
        try FileManager.default.removeItem(at: share.appendingPathComponent("unsaid/Rules"))
        let broken = try await CLIHarness.run(
            ["run", "--suite", "Probes/starter.yaml", "--base-url", server.baseURL, "--model", "m", "--dry-run"],
            directory: elsewhere, executable: installed)
        #expect(broken.status == 2)
        #expect(broken.stderr.hasPrefix("error: the bundled ruleset cannot be read"), "\(broken.stderr)")
    }
}
