import ArgumentParser
import Foundation
import UnsaidCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove that a run archive is complete, unmodified, and that its verdicts follow from its transcripts.",
        discussion: """
            Checks the manifest digest, the signature (when present, or required with --pubkey), the \
            SHA-256 of every data file, the transcript hash chain record by record, that no request \
            is recorded twice, re-derives every verdict with the ruleset archived with the run, and checks \
            the chain of reviewers' labels (labels.jsonl, labels.head) when there are any. \
            Exit 0 when everything holds; 1 with the first broken check (file, line, what differs).
            """)

    @Argument(help: ArgumentHelp("A run directory, e.g. Results/<run-id>.", valueName: "run"))
    var runDirectory: String

    @Option(name: .long, help: ArgumentHelp("Public key the manifest must be signed with (from unsaid keygen).", valueName: "file"))
    var pubkey: String?

    func run() throws {
        let trusted = try pubkey.map { path in
            do { return try ArchiveSigner.loadPublicKey(path: path) } catch { throw ConfigurationError("\(error)") }
        }
        let report = ArchiveVerifier.verify(directory: URL(fileURLWithPath: runDirectory), trustedKey: trusted)
        for check in report.checks {
            print("\(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)")
        }
        if let failure = report.firstFailure {
            printError("verification failed: \(failure.detail)")
            throw ExitCode(1)
        }
        print("verified: \(runDirectory)")
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
        // Sign only what verifies: a signature over a broken archive would vouch for the damage.
        let report = ArchiveVerifier.verify(directory: directory)
        if let failure = report.firstFailure, failure.name != "signature" {
            throw ConfigurationError("refusing to sign an archive that does not verify: \(failure.detail)")
        }
        do {
            let privateKey = try ArchiveSigner.loadPrivateKey(path: key)
            let signature = try ArchiveSigner.sign(directory: directory, key: privateKey)
            print("signed \(runDirectory) with key \(signature.keyFingerprint)")
        } catch let error as ArchiveSigner.KeyError {
            throw ConfigurationError(error.description)
        }
    }
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair for signing archives (private key mode 0600).")

    @Option(name: .long, help: ArgumentHelp("Path of the private key; the public key goes to <path>.pub.", valueName: "file"))
    var out: String = "unsaid-signing.key"

    func run() throws {
        do {
            let fingerprint = try ArchiveSigner.generateKeyPair(privatePath: out, publicPath: out + ".pub")
            print("private key: \(out) (mode 0600, keep it secret)")
            print("public key:  \(out).pub (give it to auditors)")
            print("fingerprint: \(fingerprint)")
        } catch let error as ArchiveSigner.KeyError {
            throw ConfigurationError(error.description)
        }
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List archived runs with target, model, suites, date and verdict counts.")

    @Option(name: .long, help: ArgumentHelp("Directory holding run archives.", valueName: "dir"))
    var results: String = "Results"

    func run() throws {
        let root = URL(fileURLWithPath: results)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        var rows: [[String]] = [["run", "status", "started", "target", "model", "suites", "verdicts"]]
        for name in names {
            let layout = ArchiveLayout(directory: root.appendingPathComponent(name))
            guard let manifest = try? ArchiveReader.readManifest(layout) else { continue }
            let counts = manifest.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            rows.append([manifest.runID, manifest.status.rawValue, manifest.startedAt, manifest.target.baseURL,
                         manifest.target.model, manifest.suites.map(\.id).joined(separator: ","),
                         "\(manifest.completed)/\(manifest.planned) \(counts)"])
        }
        if rows.count == 1 {
            print("no runs in \(root.path)")
            return
        }
        print(TextTable.render(rows), terminator: "")
    }
}
