import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidArchive
import UnsaidTestSupport

/// Builds a small complete archive with real verdicts, then damages it in every way an auditor
/// worries about.
@Suite("Archive verification and signatures")
struct ArchiveVerifierTests {
    private func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true).map(
            String.init)
    }

    private func write(_ lines: [String], to url: URL) throws {
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func intactArchiveVerifies() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = ArchiveVerifier.verify(directory: directory)
        #expect(report.passed, "\(report.checks)")
        #expect(
            report.checks.map(\.name) == [
                "manifest", "manifest digest", "transcripts.jsonl", "verdicts.jsonl",
                "ruleset.json", "transcript chain", "unique requests", "verdicts", "counts",
            ])
    }

    /// The files' digests are taken on a thread of their own while the transcripts are walked:
    /// their checks must still come first, in file order, also when the walk stops at a broken line.
    @Test func fileChecksKeepTheirPlaceWhenTheWalkFails() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = ArchiveLayout(directory: directory).transcripts
        var all = try lines(url)
        all[0] = "not a record"
        try write(all, to: url)
        let report = ArchiveVerifier.verify(directory: directory)
        #expect(
            report.checks.map(\.name) == [
                "manifest", "manifest digest", "transcripts.jsonl", "verdicts.jsonl", "ruleset.json",
                "transcript chain",
            ])
        #expect(report.checks.map(\.passed) == [true, true, false, true, true, false])
        #expect(report.firstFailure?.detail.hasPrefix("\(url.path): SHA-256 ") == true)
        #expect(report.checks.last?.detail == "\(url.path):1: not a transcript record")
    }

    /// A ruleset that cannot be read is said the way the file checks say it (not found, or the
    /// system's reason), the same on every run: Foundation's error dump printed its details in a
    /// different order from one run to the next.
    @Test func anUnreadableRulesetIsSaidPlainlyAndAlike() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ruleset = ArchiveLayout(directory: directory).ruleset
        try FileManager.default.removeItem(at: ruleset)
        let missing = (0..<3).map { _ in ArchiveVerifier.verify(directory: directory).checks }
        let said = try #require(missing[0].first { $0.name == "ruleset" }?.detail)
        #expect(said == ArchiveError.missing(path: ruleset.path).description)
        #expect(missing.allSatisfy { $0 == missing[0] })
        try FileManager.default.createDirectory(at: ruleset, withIntermediateDirectories: false)
        let directoryReport = ArchiveVerifier.verify(directory: directory)
        #expect(directoryReport.checks.first { $0.name == "ruleset" }?.detail == "\(ruleset.path): Is a directory")
    }

    @Test(arguments: ["manifest.json", "transcripts.jsonl", "verdicts.jsonl", "ruleset.json", "manifest.sha256"])
    func everySingleFlippedByteIsCaught(file: String) async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(file)
        let original = try Data(contentsOf: url)
        // Flip one bit at a spread of positions, restoring the file between tries.
        let positions = Set(
            [0, original.count / 3, original.count / 2, original.count - 2].filter { $0 >= 0 && $0 < original.count })
        for position in positions {
            var damaged = original
            damaged[position] ^= 0x01
            try damaged.write(to: url)
            let report = ArchiveVerifier.verify(directory: directory)
            #expect(!report.passed, "flipping a bit at \(file):\(position) went unnoticed")
        }
        try original.write(to: url)
        #expect(ArchiveVerifier.verify(directory: directory).passed)
    }

    @Test func deletedTranscriptLineIsCaughtWithItsLine() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = ArchiveLayout(directory: directory).transcripts
        var all = try lines(url)
        all.remove(at: 1)
        try write(all, to: url)
        let failure = ArchiveVerifier.verify(directory: directory).firstFailure
        #expect(failure?.name == "transcripts.jsonl")
        let chain = ArchiveVerifier.verify(directory: directory).checks.first { $0.name == "transcript chain" }
        #expect(chain?.detail == "\(url.path):2: sequence number 3, expected 2")
    }

    @Test func reorderedLinesAreCaught() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = ArchiveLayout(directory: directory).transcripts
        let all = try lines(url)
        try write([all[0], all[2], all[1]], to: url)
        let chain = ArchiveVerifier.verify(directory: directory).checks.first { $0.name == "transcript chain" }
        #expect(chain?.passed == false)
        #expect(chain?.detail == "\(url.path):2: sequence number 3, expected 2")
    }

    @Test func appendedForgedLineWithValidChainIsCaught() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ArchiveLayout(directory: directory)
        let contents = try ArchiveReader.read(directory)
        // A forger who knows the format links a new record correctly to the chain head …
        var forged = contents.records[2]
        forged.seq = 4
        forged.prev = contents.chainHead
        forged.transcript.key.probe = "forged"
        var all = try lines(layout.transcripts)
        all.append(String(decoding: try CanonicalJSON.encode(forged), as: UTF8.self))
        try write(all, to: layout.transcripts)
        // … but the manifest still commits to three records and the old file digest.
        let report = ArchiveVerifier.verify(directory: directory)
        #expect(report.firstFailure?.name == "transcripts.jsonl")
        let chain = report.checks.first { $0.name == "transcript chain" }
        #expect(chain?.passed == false)
    }

    @Test func editedVerdictThatStillMatchesTheDigestIsCaughtByRederivation() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Rewrite a verdict and re-seal the manifest's file digest, as a careless tamperer would.
        let layout = ArchiveLayout(directory: directory)
        var verdictLines = try lines(layout.verdicts)
        verdictLines[1] = verdictLines[1].replacingOccurrences(
            of: #""verdict":"refused""#, with: #""verdict":"answered""#)
        try write(verdictLines, to: layout.verdicts)
        var manifest = try ArchiveReader.readManifest(layout)
        manifest.files[ArchiveLayout.verdictsName] = try FileDigester.digest(layout.verdicts)
        try ManifestFile.write(manifest, layout: layout)

        let report = ArchiveVerifier.verify(directory: directory)
        #expect(report.firstFailure?.name == "verdicts")
        #expect(
            report.firstFailure?.detail.hasSuffix(
                "verdicts.jsonl:2: s/b#0@json: recorded verdict 'answered', transcript gives 'refused'") == true)
    }

    @Test func signatureVerifiesWithTheRightKeyOnly() async throws {
        let directory = try await SampleArchive.make()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: keys) }
        let own = keys.appendingPathComponent("own.key").path
        let other = keys.appendingPathComponent("other.key").path
        _ = try ArchiveSigner.generateKeyPair(privatePath: own, publicPath: own + ".pub")
        _ = try ArchiveSigner.generateKeyPair(privatePath: other, publicPath: other + ".pub")
        let attributes = try FileManager.default.attributesOfItem(atPath: own)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        _ = try ArchiveSigner.sign(directory: directory, key: ArchiveSigner.loadPrivateKey(path: own))
        let trusted = try ArchiveSigner.loadPublicKey(path: own + ".pub")
        #expect(ArchiveVerifier.verify(directory: directory, trustedKey: trusted).passed)

        let stranger = try ArchiveSigner.loadPublicKey(path: other + ".pub")
        let wrongKey = ArchiveVerifier.verify(directory: directory, trustedKey: stranger)
        #expect(wrongKey.firstFailure?.name == "signature")

        // Changing the manifest after signing (and fixing its digest sidecar) breaks the signature.
        let layout = ArchiveLayout(directory: directory)
        var manifest = try ArchiveReader.readManifest(layout)
        manifest.target.model = "another-model"
        try ManifestFile.write(manifest, layout: layout)
        let tampered = ArchiveVerifier.verify(directory: directory, trustedKey: trusted)
        #expect(tampered.firstFailure?.name == "signature")
    }

    @Test func keygenRefusesToOverwrite() throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: keys) }
        let path = keys.appendingPathComponent("k").path
        _ = try ArchiveSigner.generateKeyPair(privatePath: path, publicPath: path + ".pub")
        #expect(throws: ArchiveSigner.KeyError.exists(path: path)) {
            try ArchiveSigner.generateKeyPair(privatePath: path, publicPath: path + ".pub")
        }
    }
}
