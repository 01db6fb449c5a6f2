import Crypto
import Foundation
import Synchronization
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// The outcome of `unsaid verify`: every check in order, and the first that failed.
package struct VerificationReport: Sendable {
    package struct Check: Sendable, Equatable {
        package var name: String
        package var passed: Bool
        package var detail: String
    }

    package var checks: [Check] = []

    package var passed: Bool { checks.allSatisfy(\.passed) }
    package var firstFailure: Check? { checks.first { !$0.passed } }

    mutating func record(_ name: String, _ passed: Bool, _ detail: String) {
        checks.append(Check(name: name, passed: passed, detail: detail))
    }
}

/// Proves that a run directory is complete, unmodified, and that its verdicts follow from its
/// transcripts under the ruleset recorded with it. Any single changed, deleted, reordered or
/// appended byte makes at least one check fail.
package enum ArchiveVerifier {
    /// - Parameter trustedKey: when given, `manifest.sig` must exist and be made by this key.
    package static func verify(directory: URL, trustedKey: Curve25519.Signing.PublicKey? = nil) -> VerificationReport {
        var report = VerificationReport()
        let layout = ArchiveLayout(directory: directory)
        let fileManager = FileManager.default

        // 1. The manifest, and its own digest.
        let manifest: Manifest
        do {
            manifest = try ArchiveReader.readManifest(layout)
            report.record("manifest", true, "format \(manifest.formatVersion), run \(manifest.runID)")
        } catch {
            report.record("manifest", false, "\(error)")
            return report
        }
        let manifestBytes = fileManager.contents(atPath: layout.manifest.path) ?? Data()
        let actualDigest = SHA256Hex.digest(manifestBytes)
        if let sidecar = fileManager.contents(atPath: layout.manifestDigest.path) {
            // The sidecar must be exactly what ManifestFile writes, so damage anywhere in it shows.
            let expected = ManifestFile.sidecar(for: manifestBytes)
            report.record(
                "manifest digest", sidecar == expected,
                sidecar == expected
                    ? actualDigest
                    : "\(layout.manifestDigest.path): does not read '\(actualDigest)  manifest.json' (the manifest or its digest changed)"
            )
        } else {
            report.record("manifest digest", false, "\(layout.manifestDigest.path): missing")
        }

        // 2. Signature (required when a trusted key is given; checked when present).
        if trustedKey != nil || fileManager.fileExists(atPath: layout.signature.path) {
            switch ArchiveSigner.check(directory: directory, trustedKey: trustedKey) {
            case .success(let file):
                let trust =
                    trustedKey == nil ? " (embedded key only: pass --pubkey to check who signed)" : " (trusted key)"
                report.record("signature", true, "ed25519 by key \(file.keyFingerprint)\(trust)")
            case .failure(let error):
                report.record("signature", false, "\(error)")
            }
        }

        guard manifest.status == .complete else {
            if let live = ArchiveLock.holder(of: directory) {
                report.record(
                    "status", false,
                    "the run is live: another process\(live.pid.map { " (pid \($0))" } ?? "") is still writing it; verify it once that has finished"
                )
                return report
            }
            report.record(
                "status", false,
                "the run is not complete (status \(manifest.status.rawValue)); finish it with unsaid run --resume \(directory.path)"
            )
            return report
        }

        // 3. Every data file is the one the manifest committed to. The transcripts are digested
        // from the lines the streamed pass below reads (`WalkDigest`), the other files on a thread
        // beside it; the checks are recorded in their place, before the pass's own.
        let transcriptsDigest = WalkDigest()
        let fileChecks = BackgroundWork {
            fileDigestChecks(directory: directory, manifest: manifest, skipping: ArchiveLayout.transcriptsName)
        }

        // 4–6 in one streamed pass over the transcripts: the chain record by record, a small
        // index of request keys for duplicates, and every verdict re-derived into a temporary
        // file, so no run is ever held in memory to verify it.
        var ruleset: Ruleset?
        var rulesetProblem: String?
        do {
            // Read as the digests are, so that a missing or unreadable file is said the same way
            // (Foundation's error printed its details in a different order from run to run).
            let data = try FileDigester.contents(of: layout.ruleset)
            let loaded = try Ruleset.load(from: data)
            if loaded.sha256 == manifest.ruleset.sha256 {
                ruleset = loaded
            } else {
                rulesetProblem =
                    "\(layout.ruleset.path): SHA-256 \(loaded.sha256), manifest says \(manifest.ruleset.sha256)"
            }
        } catch let error as ArchiveError {
            rulesetProblem = "\(error)"
        } catch {
            rulesetProblem = "\(layout.ruleset.path): cannot be loaded (\(error))"
        }
        let derivedURL = fileManager.temporaryDirectory.appendingPathComponent(
            "unsaid-verify-\(UUID().uuidString).jsonl")
        defer { try? fileManager.removeItem(at: derivedURL) }
        var seen = RequestKeyIndex()
        var duplicate: String?
        let checkUnique = { (record: TranscriptRecord) in
            guard duplicate == nil else { return }
            if let first = seen.insert(record.transcript.key, line: record.seq) {
                duplicate =
                    "\(layout.transcripts.path):\(record.seq): \(record.transcript.key) already recorded at line \(first)"
            }
        }
        // The judge's exchanges (a run with a judge): one per judged request, so walked and
        // indexed, not held (`JudgeIndex`); each must name a transcript record of this run, which
        // the streamed pass checks as it meets them.
        var judgements: JudgeIndex?
        var judgementsError: String?
        var matchedJudged = Set<Digest128>()
        if manifest.judge != nil {
            do {
                judgements = try JudgeIndex.read(layout.judgements)
            } catch {
                judgementsError = "\(error)"
            }
        }
        // Reviewers' labels name transcript records by key and hash: gathered only when there are labels.
        let hasLabels = LabelsLedger.exists(in: directory)
        var keyHashes: [WorkKey: String] = [:]
        let checkRecord = { (record: TranscriptRecord, hash: String) in
            checkUnique(record)
            if hasLabels, keyHashes[record.transcript.key] == nil { keyHashes[record.transcript.key] = hash }
            if let judgements, judgements.count > 0 {
                let judged = JudgeIndex.digest(ofLineHash: hash)
                if let request = judgements.request(judging: judged), request == RequestDigest(record.transcript.key) {
                    matchedJudged.insert(judged)
                }
            }
        }
        var walked: ArchiveStream.TranscriptsSummary?
        var walkError: (any Error)?
        var scored: ScoredArchive?
        do {
            if let ruleset {
                // Verification compares verdicts and counts, never figures.
                let result = try ArchiveScoring.score(
                    layout, engine: VerdictEngine(ruleset: ruleset), to: derivedURL,
                    judgements: judgements, scoringOnly: true,
                    digesting: transcriptsDigest
                ) { record, hash, _ in
                    checkRecord(record, hash)
                }
                scored = result
                walked = result.transcripts
            } else {
                walked = try ArchiveStream.transcripts(layout, digesting: transcriptsDigest) { record, hash in
                    checkRecord(record, hash)
                }
            }
        } catch {
            walkError = error
        }
        let transcriptsCheck = fileDigestCheck(
            ArchiveLayout.transcriptsName, directory: directory, manifest: manifest
        ) { try transcriptsDigest.finish($0) }
        for check in [transcriptsCheck] + fileChecks.wait() { report.record(check.name, check.passed, check.detail) }
        guard let transcripts = walked else {
            report.record("transcript chain", false, walkError.map { "\($0)" } ?? "not read")
            return report
        }
        if let torn = transcripts.tornTail {
            report.record(
                "transcript chain", false, "\(layout.transcripts.path):\(torn.line): incomplete or unreadable record")
            return report
        }
        let chainProblem = SealedRunCheck.chainProblem(
            path: layout.transcripts.path, records: transcripts.records, head: transcripts.chainHead,
            expectedRecords: manifest.completed, expectedHead: manifest.chainHead)
        report.record(
            "transcript chain", chainProblem == nil,
            chainProblem ?? "\(transcripts.records) records, head \(transcripts.chainHead)")

        // 5. No request recorded twice.
        report.record("unique requests", duplicate == nil, duplicate ?? "\(seen.count) distinct requests")

        // 5b. The judge's exchanges, when the run had a judge: their own chain, the head the
        // manifest names, and a link to a transcript record of this run for each.
        if let judge = manifest.judge {
            if let judgementsError {
                report.record("judge chain", false, judgementsError)
            } else if let judgements {
                var problem: String?
                if let torn = judgements.tornTail {
                    problem = "\(layout.judgements.path):\(torn.line): incomplete or unreadable record"
                } else if let chainProblem = SealedRunCheck.chainProblem(
                    path: layout.judgements.path, records: judgements.count, head: judgements.chainHead,
                    expectedRecords: judge.records, expectedHead: judge.chainHead)
                {
                    problem = chainProblem
                } else if let stray = judgements.firstStray(matched: matchedJudged) {
                    // Its request, for the message, is read back from the file.
                    let key = (try? judgements.record(at: stray.span)).map { "\($0.key)" } ?? "an unreadable request"
                    problem =
                        "\(layout.judgements.path):\(stray.seq): judges \(key), which is not the transcript record it names"
                }
                report.record(
                    "judge chain", problem == nil,
                    problem
                        ?? "\(judgements.count) judge exchanges with \(judge.model) at \(judge.baseURL), head \(judgements.chainHead)"
                )
            }
        }

        // 6. Verdicts re-derived with the archived ruleset match the recorded ones byte for byte.
        guard let ruleset, let scored else {
            report.record("ruleset", false, rulesetProblem ?? "\(layout.ruleset.path): cannot be loaded")
            return report
        }
        let derivedCount = scored.summary.total
        let verdictProblem = compareVerdicts(recorded: layout.verdicts, derived: derivedURL, derivedCount: derivedCount)
        report.record(
            "verdicts", verdictProblem == nil,
            verdictProblem ?? "\(derivedCount) verdicts re-derived with ruleset \(ruleset.version)")

        // 7. The counts in the manifest are the counts of the verdicts.
        let counts = scored.counts
        report.record(
            "counts", counts == manifest.counts,
            counts == manifest.counts
                ? counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                : "manifest counts \(manifest.counts.sorted { $0.key < $1.key }), transcripts give \(counts.sorted { $0.key < $1.key })"
        )

        // 7b. A merged run (`unsaid merge`): every record came from a shard whose own chain holds.
        if let merge = manifest.merge {
            let problem = MergeProvenance.check(layout, manifest: manifest)
            report.record(
                "shard provenance", problem == nil,
                problem
                    ?? "\(merge.shards.count) of \(merge.shardCount) shards, each chain rebuilt from the merged records\(merge.partial ? "; partial, left out: \(merge.missing.joined(separator: "; "))" : "")"
            )
        }

        // 8. Reviewers' labels (labels.jsonl), when there are any.
        if let labels = LabelsVerification.check(directory: directory, manifest: manifest, transcripts: keyHashes) {
            report.record("labels", labels.passed, labels.detail)
        }
        return report
    }

    /// The first difference between the recorded verdicts file and the re-derived one, read
    /// line by line in step; `nil` when they are the same bytes.
    static func compareVerdicts(recorded: URL, derived: URL, derivedCount: Int) -> String? {
        guard let counter = LineReader(path: recorded.path) else {
            return derivedCount == 0 ? nil : "\(recorded.path): 0 verdicts for \(derivedCount) transcripts"
        }
        var recordedCount = 0
        do {
            while let line = try counter.next() {
                if line.terminated { recordedCount += 1 }
            }
        } catch {
            return "\(error)"
        }
        if recordedCount != derivedCount {
            return "\(recorded.path): \(recordedCount) verdicts for \(derivedCount) transcripts"
        }
        guard let left = LineReader(path: recorded.path), let right = LineReader(path: derived.path) else {
            return "\(derived.path): re-derived verdicts are missing"
        }
        do {
            for index in 0..<derivedCount {
                guard let line = try left.next(), let expected = try right.next() else { break }
                guard line.bytes != expected.bytes else { continue }
                let derivedVerdict = try? CanonicalJSON.decode(Verdict.self, from: expected.bytes)
                let recordedVerdict = try? CanonicalJSON.decode(Verdict.self, from: line.bytes)
                let what: String
                if let recordedVerdict, let derivedVerdict {
                    what = describeDifference(recorded: recordedVerdict, derived: derivedVerdict)
                } else {
                    what = "line is not a verdict"
                }
                return "\(recorded.path):\(index + 1): \(what)"
            }
        } catch {
            return "\(error)"
        }
        return nil
    }

    static func describeDifference(recorded: Verdict, derived: Verdict) -> String {
        if recorded.key != derived.key { return "recorded for \(recorded.key), transcript is \(derived.key)" }
        if recorded.verdict != derived.verdict {
            return
                "\(derived.key): recorded verdict '\(recorded.verdict.rawValue)', transcript gives '\(derived.verdict.rawValue)'"
        }
        if recorded.flags != derived.flags {
            return "\(derived.key): flags \(recorded.flags.wire) recorded, \(derived.flags.wire) derived"
        }
        if recorded.outcome != derived.outcome {
            return
                "\(derived.key): outcome '\(recorded.outcome.rawValue)' recorded, '\(derived.outcome.rawValue)' derived"
        }
        return "\(derived.key): evidence or ruleset differs from what the transcript gives"
    }
}

/// Request keys seen so far, as 128-bit digests with the line that first held each: a run of
/// any size is checked for duplicates in a few tens of bytes per request.
struct RequestKeyIndex {
    private var lines: [RequestDigest: Int] = [:]

    var count: Int { lines.count }

    /// The line that already held `key`, or `nil` when it is new (and now recorded at `line`).
    mutating func insert(_ key: WorkKey, line: Int) -> Int? {
        let digest = RequestDigest(key)
        if let first = lines[digest] { return first }
        lines[digest] = line
        return nil
    }
}

extension ArchiveVerifier {
    /// Check 3: each data file's digest against the one the manifest committed to, in the
    /// order they are reported, but for `skipped` (digested elsewhere, see `WalkDigest`).
    static func fileDigestChecks(
        directory: URL, manifest: Manifest, skipping skipped: String? = nil
    ) -> [VerificationReport.Check] {
        let judged = manifest.judge != nil
        let names =
            [ArchiveLayout.transcriptsName, ArchiveLayout.verdictsName, ArchiveLayout.rulesetName]
            + (judged ? [JudgeRecords.fileName] : [])
        return names.filter { $0 != skipped }.map { name in
            fileDigestCheck(name, directory: directory, manifest: manifest, digest: FileDigester.digest)
        }
    }

    /// One file's check 3, with its digest taken by `digest`.
    static func fileDigestCheck(
        _ name: String, directory: URL, manifest: Manifest, digest: (URL) throws -> Manifest.FileDigest
    ) -> VerificationReport.Check {
        let url = directory.appendingPathComponent(name)
        guard let expected = manifest.files[name] else {
            return .init(name: name, passed: false, detail: "manifest lists no digest for \(name)")
        }
        do {
            let actual = try digest(url)
            let problem = SealedRunCheck.digestProblem(url, actual: actual, expected: expected)
            return .init(
                name: name, passed: problem == nil, detail: problem ?? "\(actual.lines) lines, sha256 \(actual.sha256)")
        } catch {
            return .init(name: name, passed: false, detail: "\(error)")
        }
    }
}

/// Work started on a thread of its own, its result taken once with `wait()`. A thread rather
/// than a task or a dispatch queue: the caller blocks until the work is done, and a blocked
/// caller on Swift's pool (one thread per core) must not be what the work waits for.
final class BackgroundWork<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            let value = work()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.name = "unsaid.background"
        thread.start()
    }

    /// The work's value, once it has finished; call it once.
    func wait() -> Value {
        done.wait()
        return result.withLock { value in
            guard let value else { preconditionFailure("BackgroundWork signalled without a value") }
            return value
        }
    }
}
