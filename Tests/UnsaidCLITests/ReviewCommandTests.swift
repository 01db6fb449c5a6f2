import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// `unsaid review` end to end with the real binary: labels recorded with --set land in a
/// hash-chained labels.jsonl that verify checks, reports show them beside the machine verdict,
/// and eval-detector reads a reviewed run directory.
@Suite("unsaid review end to end", .serialized)
struct ReviewCommandTests {
    /// A complete three-request run: probe-1 refuses, the others answer.
    private func makeRun(in work: URL) async throws -> URL {
        let refusal = [
            #"data: {"choices":[{"index":0,"delta":{"content":"I can't help with that request."},"finish_reason":null}]}"#
                + "\n\n",
            #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
            "data: [DONE]\n\n",
        ]
        let server = try await LoopbackServer.start { request in
            let prompt =
                JSONValue.parse(Data(request.body))?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            return prompt.contains("1")
                ? .sse(events: refusal, interval: .zero)
                : .sse(
                    events: CLIHarness.answerEvents("The square was cleared on the night of 3 June."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--run-id", "r"], directory: work)
        #expect(result.status == 0, "\(result.stderr)")
        return work.appendingPathComponent("Results/r")
    }

    @Test func setRecordsChainedLabelsThatVerifyChecksAndReportsShow() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)

        let first = try await CLIHarness.run(
            [
                "review", run.path, "--set", "cli/probe-1#0@stream=deflected", "--note", "changes the subject",
                "--reviewer", "ana",
            ],
            directory: work)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "cli/probe-1#0 (stream: on): refused -> deflected (by ana)\n")
        // $USER names the reviewer when --reviewer is not given; a key as the terminal shows it works too.
        let second = try await CLIHarness.run(
            [
                "review", run.path, "--set", "cli/probe-0#0 (stream: on)=answered", "--set",
                "cli/probe-1#0@stream=refused",
            ],
            environment: ["USER": "ben"], directory: work)
        #expect(second.status == 0, "\(second.stderr)")

        let contents = try ArchiveReader.read(run)
        let ledger = try LabelsLedger.load(contents)
        #expect(ledger.records.map(\.reviewer) == ["ana", "ben", "ben"])
        #expect(ledger.records.map(\.label) == ["deflected", "answered", "refused"])
        #expect(ledger.records.map(\.machine) == [.refused, .answered, .refused])
        #expect(ledger.records.first?.note == "changes the subject")
        #expect(ledger.records.first?.prev == contents.manifest.chainHead)
        #expect(ledger.latest.count == 2)

        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("ok   labels: 3 labels by ana, ben, 0 overriding"))

        let markdown = try await CLIHarness.run(["report", run.path, "--format", "md"], directory: work)
        #expect(markdown.stdout.contains("## Reviewed labels"))
        let reviewRows = markdown.stdout.split(separator: "\n").filter { $0.contains("`cli/probe-") }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(
            reviewRows.map { Array($0.prefix(6)) } == [
                ["m", "`cli/probe-0#0 (stream: on)`", "answered", "answered", "no", "ben"],
                ["m", "`cli/probe-1#0 (stream: on)`", "refused", "refused", "no", "ben"],
            ])
        let csv = try await CLIHarness.run(["report", run.path, "--format", "csv"], directory: work)
        let probeZero = csv.stdout.split(separator: "\r\n").first { $0.contains(",probe-0,") } ?? ""
        #expect(probeZero.hasSuffix(",answered,ben,\(ledger.records[1].at),"), "\(probeZero)")
        let json = try await CLIHarness.run(["report", run.path, "--format", "json"], directory: work)
        let reviews = JSONValue.parse(Data(json.stdout.utf8))?["runs"]?.arrayValue?.first?["reviews"]?.arrayValue ?? []
        #expect(reviews.compactMap { $0["label"]?.stringValue } == ["answered", "refused"])
        let html = try await CLIHarness.run(["report", run.path, "--format", "html"], directory: work)
        #expect(html.stdout.contains("<dt>reviewed</dt><dd><span class=\"badge v-refused\">refused</span> by ben"))
    }

    @Test func verifyDetectsEditedCutAndForgedLabels() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        let labels = run.appendingPathComponent("labels.jsonl")
        let head = run.appendingPathComponent("labels.head")
        for assignment in ["cli/probe-1#0@stream=deflected", "cli/probe-2#0@stream=answered"] {
            let result = try await CLIHarness.run(
                ["review", run.path, "--set", assignment, "--reviewer", "ana"], directory: work)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let original = try Data(contentsOf: labels)
        let originalHead = try Data(contentsOf: head)

        // Someone changes who overrode what: the chain breaks at the next line.
        try Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"ana\"", with: "\"eve\"").utf8)
            .write(to: labels)
        var verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("labels.jsonl:2: chain broken"), "\(verify.stderr)")

        // The last label is cut off: the chain still holds, the head does not.
        let firstLine = original.prefix(through: original.firstIndex(of: 0x0A) ?? original.startIndex)
        try Data(firstLine).write(to: labels)
        verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("1 records ending in"), "\(verify.stderr)")

        // A label file copied from another run does not chain to this run's transcripts.
        try original.write(to: labels)
        try originalHead.write(to: head)
        verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
        let line = String(decoding: firstLine, as: UTF8.self)
        let forged = line.replacingOccurrences(of: "\"prev\":\"", with: "\"prev\":\"f")
        try Data(forged.utf8).write(to: labels)
        verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("labels.jsonl:1:"), "\(verify.stderr)")
    }

    @Test func badLabelsAreOneErrorWithFileAndLineAndExitTwo() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        let labels = run.appendingPathComponent("labels.jsonl")
        let set = try await CLIHarness.run(
            ["review", run.path, "--set", "cli/probe-1#0@stream=partial", "--reviewer", "ana"], directory: work)
        #expect(set.status == 0, "\(set.stderr)")
        let good = try Data(contentsOf: labels)

        // Usage errors record nothing.
        for (arguments, message) in [
            (["--set", "cli/probe-1#0@stream=maybe"], "unknown label 'maybe'"),
            (["--set", "cli/probe-9#0@stream=refused"], "no request cli/probe-9#0 (stream: on)"),
            (["--set", "probe-1=refused"], "is not a request key"),
        ] {
            let result = try await CLIHarness.run(
                ["review", run.path, "--reviewer", "ana"] + arguments, directory: work)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(try Data(contentsOf: labels) == good)

        // eval-detector reads the reviewed run: one row per label.
        let eval = try await CLIHarness.run(["eval-detector", run.path], directory: work)
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("\(run.path) [rows: all]: 1 rows"), "\(eval.stdout)")

        // An unknown label in the file, and a broken line.
        let unknown = String(decoding: good, as: UTF8.self).replacingOccurrences(
            of: "\"label\":\"partial\"", with: "\"label\":\"sorta\"")
        for (bytes, message) in [
            (Data(unknown.utf8), "labels.jsonl:1: unknown label 'sorta'"),
            (good + Data("{\"seq\":2,\n".utf8), "labels.jsonl:2: not a label record"),
        ] {
            try bytes.write(to: labels)
            for command in [["eval-detector", run.path], ["review", run.path, "--list"], ["report", run.path]] {
                let result = try await CLIHarness.run(command, directory: work)
                #expect(result.status == 2, "\(command) \(result.stderr)")
                #expect(result.stderr.contains(message), "\(command) \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            }
        }
    }

    @Test func listShowsFlaggedVerdictsOrEveryVerdictWithAll() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        // The archive holds no verdict the detector doubted; list says so and --all lists all.
        let flagged = try await CLIHarness.run(["review", run.path], directory: work)
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(
            flagged.stdout.hasSuffix("\(flaggedCount(run)) verdicts flagged needs_review, 0 labelled\n"),
            "\(flagged.stdout)")
        let all = try await CLIHarness.run(["review", run.path, "--all"], directory: work)
        #expect(all.stdout.contains("] cli/probe-1#0 (stream: on)  (en)\nmachine: refused"), "\(all.stdout)")
        #expect(
            all.stdout.contains(
                "prompt:\n  Question number 1?\nanswer:\n  I can't help with that request.\nevidence:\n  - "))
        #expect(all.stdout.hasSuffix("3 verdicts, 0 labelled\n"))
    }

    /// Labels are written into the run directory, so review takes its lock: while another
    /// process holds it (here: this test process), --set is refused in one line and writes
    /// nothing; listing only reads and still works.
    @Test func labellingARunAnotherProcessHoldsIsRefusedAndWritesNothing() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        let labels = run.appendingPathComponent("labels.jsonl")
        let held = try ArchiveLock.acquire(run)
        let refused = try await CLIHarness.run(
            ["review", run.path, "--set", "cli/probe-1#0@stream=deflected", "--reviewer", "ana"], directory: work)
        let listed = try await CLIHarness.run(["review", run.path, "--all"], directory: work)
        withExtendedLifetime(held) {}
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(
            refused.stderr
                == "error: \(run.path) is in use by another unsaid process (pid \(getpid())); wait for it to finish\n")
        #expect(!FileManager.default.fileExists(atPath: labels.path))
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.hasSuffix("3 verdicts, 0 labelled\n"))
    }

    /// A run sealed complete whose transcripts then gained a torn record (bytes appended from
    /// outside: a sealed run cannot tear its own) is refused by review and rescore in one line
    /// that names the record and sends the person to verify. They used to send them to
    /// `run --resume`, which refuses a complete run: a dead end. Nothing is written.
    @Test func aSealedRunGivenATornRecordPointsToVerifyNotResume() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        let transcripts = run.appendingPathComponent("transcripts.jsonl")
        let appending = try FileHandle(forWritingTo: transcripts)
        try appending.seekToEnd()
        try appending.write(contentsOf: Data(#"{"seq":4,"prev":"0a"#.utf8))
        try appending.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: run.path).sorted()

        for command in [
            ["review", run.path, "--list"],
            ["review", run.path, "--set", "cli/probe-1#0@stream=deflected", "--reviewer", "ana"],
            ["rescore", run.path],
        ] {
            let result = try await CLIHarness.run(command, directory: work)
            #expect(result.status == 2, "\(command) \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(command) \(result.stderr)")
            #expect(
                result.stderr.hasPrefix(
                    "error: \(transcripts.path):4: torn record after the run was sealed complete"),
                "\(command) \(result.stderr)")
            #expect(result.stderr.contains("unsaid verify \(run.path)"), "\(command) \(result.stderr)")
            #expect(!result.stderr.contains("--resume"), "\(command) \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted() == files)

        // What the line says holds: verify fails the run, and resuming refuses it.
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 1, "\(verify.stdout)")
        let resume = try await CLIHarness.run(["run", "--resume", run.path], directory: work)
        #expect(resume.status != 0 && resume.stderr.contains("already complete"), "\(resume.stderr)")
    }

    /// A verdict's label edited by hand in a sealed run: `report`, `compare` and `trend` showed the
    /// edited label as the run's own. Each now refuses in one line that names the file and sends the
    /// person to `verify`, and writes nothing.
    @Test func aVerdictEditedAfterSealingIsNotReportedAsTheRun() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        let report = try await CLIHarness.run(["report", run.path, "--format", "csv"], directory: work)
        #expect(report.status == 0 && report.stdout.contains("refused"), "\(report.stderr)")

        let verdicts = run.appendingPathComponent("verdicts.jsonl")
        let text = try String(contentsOf: verdicts, encoding: .utf8)
        try text.replacingOccurrences(of: #""verdict":"refused""#, with: #""verdict":"answered""#)
            .write(to: verdicts, atomically: false, encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: work.path).sorted()
        for command in [
            ["report", run.path, "--format", "csv"],
            ["report", run.path, "--out", "report.md"],
            ["compare", run.path, run.path],
            ["trend", run.path, run.path],
        ] {
            let result = try await CLIHarness.run(command, directory: work)
            #expect(result.status == 2, "\(command) \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(command) \(result.stdout)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(command) \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: \(verdicts.path): SHA-256 "), "\(command) \(result.stderr)")
            #expect(
                result.stderr.hasSuffix(
                    "\(run.path) was changed after it was sealed; unsaid verify \(run.path) shows what differs\n"),
                "\(command) \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted() == files)
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 1, "\(verify.stdout)")
    }

    /// `--out` naming a file of a run archive replaced it ("wrote …/transcripts.jsonl", exit 0):
    /// the run's raw wire bytes were gone. Every command that writes an output refuses it now.
    @Test func anOutputNeverReplacesAFileOfARunArchive() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        try "Is it a right?\n".write(to: work.appendingPathComponent("prompts.txt"), atomically: true, encoding: .utf8)
        let names = ["transcripts.jsonl", "manifest.json", "verdicts.jsonl", "ruleset.json"]
        let before = try names.map { try Data(contentsOf: run.appendingPathComponent($0)) }
        for name in names {
            let target = run.appendingPathComponent(name).path
            for command in [
                ["report", run.path, "--format", "md", "--out", target],
                ["compare", run.path, run.path, "--out", target],
                ["trend", run.path, run.path, "--out", target],
                ["suites", "import", "prompts.txt", "--format", "txt", "--out", target],
            ] {
                let result = try await CLIHarness.run(command, directory: work)
                #expect(result.status == 2, "\(command) \(result.stderr)")
                #expect(
                    result.stderr
                        == "error: \(target) is a file of the run archive in \(run.path); write the output elsewhere\n",
                    "\(command) \(result.stderr)")
            }
        }
        #expect(try names.map { try Data(contentsOf: run.appendingPathComponent($0)) } == before)
        // A report of its own beside the archive is still fine.
        let beside = try await CLIHarness.run(
            ["report", run.path, "--out", run.appendingPathComponent("report.md").path], directory: work)
        #expect(beside.status == 0, "\(beside.stderr)")
    }

    /// A person at a terminal: review asks about each item without a label (all of them with
    /// --again), takes a label and a note, skips, re-asks after an unknown answer, and stops at
    /// q; what was recorded is in the chained ledger, which verify accepts.
    @Test func aPersonAtATerminalLabelsSkipsAndQuits() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try await makeRun(in: work)
        let labels = run.appendingPathComponent("labels.jsonl").path
        let first = try await CLIHarness.run(
            ["review", run.path, "--set", "cli/probe-1#0@stream=refused", "--reviewer", "ben"], directory: work)
        #expect(first.status == 0, "\(first.stderr)")

        // probe-1 has a label: the two others are asked about, in the run's order (the order
        // the answers were written in).
        let order = try ArchiveReader.read(run).records.map(\.transcript.key.probe)
        let pending = order.filter { $0 != "probe-1" }
        let terminal = try PseudoTerminal()
        // Then q, should review ask more than it should: a wrong count fails, it does not hang.
        terminal.type(["maybe", "d", "changes the subject", "s", "q", "q", "q"])
        let asked = try await CLIHarness.run(
            ["review", run.path, "--all", "--reviewer", "ana"], directory: work, standardInput: terminal.terminal)
        #expect(asked.status == 0, "\(asked.stderr)")
        let prompt = "label? a(nswered) r(efused) d(eflected) p(artial), a label name, s(kip), q(uit): "
        #expect(asked.stdout.hasPrefix("2 of 3 verdicts to label\n\n[1/2] cli/probe-"), "\(asked.stdout)")
        let items = asked.stdout.components(separatedBy: "\n[").dropFirst().map { "[" + $0 }
        #expect(items.count == 2, "\(asked.stdout)")
        #expect(items.first?.hasPrefix("[1/2] cli/\(pending[0])#0 (stream: on)  (en)\nmachine: answered") == true)
        #expect(items.last?.hasPrefix("[2/2] cli/\(pending[1])#0 (stream: on)  (en)\nmachine: answered") == true)
        #expect(
            items.first?.hasSuffix(
                "\(prompt)unknown label 'maybe'; labels: answered, refused, deflected, partial, retracted, filtered, truncated, empty, error\n\(prompt)note (enter for none): "
            ) == true, "\(items.first ?? "")")
        #expect(items.last?.hasSuffix("\(prompt)recorded 1 label in \(labels)\n") == true, "\(items.last ?? "")")

        let ledger = try LabelsLedger.load(try ArchiveReader.read(run))
        #expect(ledger.records.map(\.key.probe) == ["probe-1", pending[0]])
        #expect(ledger.records.map(\.label) == ["refused", "deflected"])
        #expect(ledger.records.last?.reviewer == "ana")
        #expect(ledger.records.last?.note == "changes the subject")
        #expect(ledger.records.last?.machine == .answered)

        // --again asks about every item, labelled or not; q stops at once and records nothing.
        let again = try PseudoTerminal()
        again.type(["q", "q", "q"])
        let quit = try await CLIHarness.run(
            ["review", run.path, "--all", "--again", "--reviewer", "ana"], directory: work,
            standardInput: again.terminal)
        #expect(quit.status == 0, "\(quit.stderr)")
        #expect(quit.stdout.hasPrefix("3 of 3 verdicts to label\n\n[1/3] cli/\(order[0])#0 (stream: on)  (en)\n"))
        let earlier = [("probe-1", "reviewed: refused by ben at "), (pending[0], "reviewed: deflected by ana at ")]
            .first { $0.0 == order[0] }?.1
        #expect(quit.stdout.contains("\nreviewed: ") == (earlier != nil), "\(quit.stdout)")
        if let earlier { #expect(quit.stdout.contains(earlier), "\(quit.stdout)") }
        #expect(quit.stdout.hasSuffix("\(prompt)recorded 0 labels in \(labels)\n"), "\(quit.stdout)")
        #expect(try LabelsLedger.load(try ArchiveReader.read(run)).records.count == 2)

        // Nothing left to ask about without --again; nor on a run that is not finished.
        let done = try PseudoTerminal()
        let none = try await CLIHarness.run(
            ["review", run.path, "--reviewer", "ana"], directory: work, standardInput: done.terminal)
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout == "0 of \(flaggedCount(run)) verdicts flagged needs_review to label\n")
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    private func flaggedCount(_ run: URL) -> Int {
        ((try? ArchiveReader.read(run).verdicts) ?? []).filter { $0.flags.contains(.needsReview) }.count
    }
}
