import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidRun
import UnsaidReport
import UnsaidSupport

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Prove that a run archive is complete, unmodified, and that its verdicts follow from its transcripts.",
        discussion: """
            Checks the manifest digest, the signature (when present, or required with --pubkey), the \
            SHA-256 of every data file, the transcript hash chain record by record, that no request \
            is recorded twice, re-derives every verdict with the ruleset archived with the run, and checks \
            the chain of reviewers' labels (labels.jsonl, labels.head) when there are any. \
            Exit 0 when everything holds; 1 with the first broken check (file, line, what differs).
            """)

    @Argument(help: ArgumentHelp("A run directory, e.g. Results/<run-id>.", valueName: "run"))
    var runDirectory: String

    @Option(
        name: .long,
        help: ArgumentHelp("Public key the manifest must be signed with (from unsaid keygen).", valueName: "file"))
    var pubkey: String?

    @OptionGroup(title: "Output")
    var output: OutputOptions

    /// `verify --json`: the verdict and every check.
    struct Summary: Encodable {
        var schema = "unsaid.verify/1"
        var run: String
        var verified: Bool
        var checks: [Check]

        struct Check: Encodable {
            var name: String
            var passed: Bool
            var detail: String
        }
    }

    func run() throws {
        let console = Console(output)
        let trusted = try pubkey.map { try ArchiveSigner.loadPublicKey(path: $0) }
        let report = ArchiveVerifier.verify(directory: URL(fileURLWithPath: runDirectory), trustedKey: trusted)
        let style = console.style
        if !console.quiet {
            for check in report.checks {
                console.result(
                    "\(check.passed ? style.green("ok  ") : style.red("FAIL")) \(check.name): \(check.detail)")
            }
        }
        if console.json {
            let summary = Summary(
                run: runDirectory, verified: report.firstFailure == nil,
                checks: report.checks.map {
                    Summary.Check(name: $0.name, passed: $0.passed, detail: $0.detail)
                })
            console.emit(json: String(decoding: try CanonicalJSON.encodePretty(summary), as: UTF8.self))
        }
        if let failure = report.firstFailure {
            printError("verification failed: \(failure.detail)")
            throw ExitCode(1)
        }
        console.result("verified: \(runDirectory)")
    }
}

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a run's manifest with an Ed25519 key (writes manifest.sig).")

    @Argument(help: ArgumentHelp("A run directory.", valueName: "run"))
    var runDirectory: String

    @Option(name: .long, help: ArgumentHelp("Private key file from unsaid keygen.", valueName: "file"))
    var key: String

    func run() throws {
        let directory = URL(fileURLWithPath: runDirectory)
        let lock = try RunDirectory.lock(runDirectory)
        defer { withExtendedLifetime(lock) {} }
        // Sign only what verifies: a signature over a broken archive would vouch for the damage.
        let report = ArchiveVerifier.verify(directory: directory)
        if let failure = report.firstFailure, failure.name != "signature" {
            throw ConfigurationError("refusing to sign an archive that does not verify: \(failure.detail)")
        }
        let privateKey = try ArchiveSigner.loadPrivateKey(path: key)
        let signature = try ArchiveSigner.sign(directory: directory, key: privateKey)
        print("signed \(runDirectory) with key \(signature.keyFingerprint)")
    }
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair for signing archives (private key mode 0600).")

    @Option(
        name: .long,
        help: ArgumentHelp("Path of the private key; the public key goes to <path>.pub.", valueName: "file"))
    var out: String = "unsaid-signing.key"

    func run() throws {
        let fingerprint = try ArchiveSigner.generateKeyPair(privatePath: out, publicPath: out + ".pub")
        print("private key: \(out) (mode 0600, keep it secret)")
        print("public key:  \(out).pub (give it to auditors)")
        print("fingerprint: \(fingerprint)")
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List archived runs with target, model, suites, date and verdict counts.")

    @Option(name: .long, help: ArgumentHelp("Directory holding run archives.", valueName: "dir"))
    var results: String = "Results"

    @OptionGroup(title: "Output")
    var output: OutputOptions

    /// One archived run as `runs --json` lists it.
    struct Listed: Encodable {
        var run: String
        var directory: String
        var status: String
        var startedAt: String
        var baseURL: String
        var model: String
        var suites: [String]
        var planned: Int
        /// Transcripts on disk (for a run still going or stopped, more than the manifest's last checkpoint).
        var completed: Int
        var counts: [String: Int]
    }

    func run() throws {
        let console = Console(output)
        let root = URL(fileURLWithPath: results)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        var listed: [Listed] = []
        for name in names {
            let layout = ArchiveLayout(directory: root.appendingPathComponent(name))
            guard let manifest = try? ArchiveReader.readManifest(layout) else { continue }
            // The manifest's count is as of its last checkpoint; a running or stopped run has
            // archived more since, one line of transcripts.jsonl per request.
            let completed =
                manifest.status == .complete
                ? manifest.completed
                : max(manifest.completed, RecordCount.lines(in: layout.transcripts))
            // A merged run that left shards out is listed as partial (its manifest names them).
            let status = manifest.merge?.partial == true ? "partial" : manifest.status.rawValue
            listed.append(
                Listed(
                    run: manifest.runID, directory: layout.directory.path, status: status,
                    startedAt: manifest.startedAt, baseURL: manifest.target.baseURL, model: manifest.target.model,
                    suites: manifest.suites.map(\.id), planned: manifest.planned, completed: completed,
                    counts: manifest.counts))
        }
        if console.json {
            struct Listing: Encodable { var schema = "unsaid.runs/1"; var results: String; var runs: [Listed] }
            console.emit(
                json: String(
                    decoding: try CanonicalJSON.encodePretty(Listing(results: root.path, runs: listed)), as: UTF8.self))
            return
        }
        if listed.isEmpty {
            console.result("no runs in \(root.path)")
            return
        }
        if console.quiet {
            console.result(listed.map(\.run).joined(separator: "\n"))
            return
        }
        var rows: [[String]] = [["run", "status", "started", "target", "model", "suites", "verdicts"]]
        for run in listed {
            let counts = run.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            rows.append([
                run.run, run.status, run.startedAt, run.baseURL, run.model, run.suites.joined(separator: ","),
                "\(run.completed)/\(run.planned) \(counts)".trimmingCharacters(in: .whitespaces),
            ])
        }
        console.result(TextTable.render(rows))
    }
}

/// Counts records without parsing them: complete lines of an append-only JSONL file.
enum RecordCount {
    static func lines(in file: URL) -> Int {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return 0 }
        defer { try? handle.close() }
        var count = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            count += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        return count
    }
}
