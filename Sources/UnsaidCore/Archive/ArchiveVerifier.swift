import Crypto
import Foundation

/// The outcome of `unsaid verify`: every check in order, and the first that failed.
public struct VerificationReport: Sendable {
    public struct Check: Sendable, Equatable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    public var checks: [Check] = []

    public var passed: Bool { checks.allSatisfy(\.passed) }
    public var firstFailure: Check? { checks.first { !$0.passed } }

    mutating func record(_ name: String, _ passed: Bool, _ detail: String) {
        checks.append(Check(name: name, passed: passed, detail: detail))
    }
}

/// Proves that a run directory is complete, unmodified, and that its verdicts follow from its
/// transcripts under the ruleset recorded with it. Any single changed, deleted, reordered or
/// appended byte makes at least one check fail.
public enum ArchiveVerifier {
    /// - Parameter trustedKey: when given, `manifest.sig` must exist and be made by this key.
    public static func verify(directory: URL, trustedKey: Curve25519.Signing.PublicKey? = nil) -> VerificationReport {
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
            let expected = Data((actualDigest + "  manifest.json\n").utf8)
            report.record("manifest digest", sidecar == expected, sidecar == expected ? actualDigest
                          : "\(layout.manifestDigest.path): does not read '\(actualDigest)  manifest.json' (the manifest or its digest changed)")
        } else {
            report.record("manifest digest", false, "\(layout.manifestDigest.path): missing")
        }

        // 2. Signature (required when a trusted key is given; checked when present).
        if trustedKey != nil || fileManager.fileExists(atPath: layout.signature.path) {
            switch ArchiveSigner.check(directory: directory, trustedKey: trustedKey) {
            case .success(let file):
                let trust = trustedKey == nil ? " (embedded key only: pass --pubkey to check who signed)" : " (trusted key)"
                report.record("signature", true, "ed25519 by key \(file.keyFingerprint)\(trust)")
            case .failure(let error):
                report.record("signature", false, "\(error)")
            }
        }

        guard manifest.status == .complete else {
            report.record("status", false, "the run is not complete (status \(manifest.status.rawValue)); finish it with unsaid run --resume \(directory.path)")
            return report
        }

        // 3. Every data file is the one the manifest committed to.
        let judged = manifest.judge != nil
        for name in [ArchiveLayout.transcriptsName, ArchiveLayout.verdictsName, ArchiveLayout.rulesetName]
            + (judged ? [JudgeRecords.fileName] : []) {
            let url = directory.appendingPathComponent(name)
            guard let expected = manifest.files[name] else {
                report.record(name, false, "manifest lists no digest for \(name)")
                continue
            }
            do {
                let actual = try FileDigester.digest(url)
                let same = actual == expected
                report.record(name, same, same ? "\(actual.lines) lines, sha256 \(actual.sha256)"
                              : "\(url.path): SHA-256 \(actual.sha256) (\(actual.bytes) bytes), manifest says \(expected.sha256) (\(expected.bytes) bytes)")
            } catch {
                report.record(name, false, "\(error)")
            }
        }

        // 4. The transcript chain, record by record.
        let records: [TranscriptRecord]
        let hashes: [String]
        do {
            let (readRecords, readHashes, torn) = try ArchiveReader.readTranscripts(layout)
            if let torn {
                report.record("transcript chain", false, "\(layout.transcripts.path):\(torn.line): incomplete or unreadable record")
                return report
            }
            records = readRecords
            hashes = readHashes
            let head = hashes.last ?? ArchiveChain.genesis
            let headMatches = head == manifest.chainHead && records.count == manifest.completed
            report.record("transcript chain", headMatches, headMatches
                          ? "\(records.count) records, head \(head)"
                          : "\(layout.transcripts.path): \(records.count) records ending in \(head); manifest says \(manifest.completed) ending in \(manifest.chainHead)")
        } catch {
            report.record("transcript chain", false, "\(error)")
            return report
        }

        // 5. No request recorded twice.
        var seen: [WorkKey: Int] = [:]
        var duplicate: String?
        for record in records {
            if let first = seen[record.transcript.key] {
                duplicate = "\(layout.transcripts.path):\(record.seq): \(record.transcript.key) already recorded at line \(first)"
                break
            }
            seen[record.transcript.key] = record.seq
        }
        report.record("unique requests", duplicate == nil, duplicate ?? "\(seen.count) distinct requests")

        // 5b. The judge's exchanges, when the run had a judge: their own chain, the head the
        // manifest names, and a link to a transcript record of this run for each.
        var judgeContexts: [JudgeContext]?
        if let judge = manifest.judge {
            do {
                let judgements = try JudgeRecords.read(layout.judgements)
                let known = Dictionary(zip(hashes, records.map(\.transcript.key)), uniquingKeysWith: { first, _ in first })
                var problem: String?
                if let torn = judgements.tornTail {
                    problem = "\(layout.judgements.path):\(torn.line): incomplete or unreadable record"
                } else if judgements.chainHead != judge.chainHead || judgements.records.count != judge.records {
                    problem = "\(layout.judgements.path): \(judgements.records.count) records ending in \(judgements.chainHead); manifest says \(judge.records) ending in \(judge.chainHead)"
                } else if let stray = judgements.records.first(where: { known[$0.judged] != $0.key }) {
                    problem = "\(layout.judgements.path):\(stray.seq): judges \(stray.key), which is not the transcript record it names"
                }
                report.record("judge chain", problem == nil,
                              problem ?? "\(judgements.records.count) judge exchanges with \(judge.model) at \(judge.baseURL), head \(judgements.chainHead)")
                judgeContexts = judgements.contexts(recordHashes: hashes)
            } catch {
                report.record("judge chain", false, "\(error)")
            }
        }

        // 6. Verdicts re-derived with the archived ruleset match the recorded ones byte for byte.
        let ruleset: Ruleset
        do {
            let data = try Data(contentsOf: layout.ruleset)
            ruleset = try Ruleset.load(from: data)
            guard ruleset.sha256 == manifest.ruleset.sha256 else {
                report.record("ruleset", false, "\(layout.ruleset.path): SHA-256 \(ruleset.sha256), manifest says \(manifest.ruleset.sha256)")
                return report
            }
        } catch {
            report.record("ruleset", false, "\(layout.ruleset.path): cannot be loaded (\(error))")
            return report
        }
        let derived = ArchiveScoring.verdicts(for: records, engine: VerdictEngine(ruleset: ruleset), judgeContexts: judgeContexts)
        let recordedLines = (fileManager.contents(atPath: layout.verdicts.path) ?? Data())
            .split(separator: 0x0A, omittingEmptySubsequences: false)
            .dropLast() // the file ends with a newline
        var verdictProblem: String?
        if recordedLines.count != derived.count {
            verdictProblem = "\(layout.verdicts.path): \(recordedLines.count) verdicts for \(derived.count) transcripts"
        } else {
            for (index, (line, verdict)) in zip(recordedLines, derived).enumerated() {
                guard let expected = try? CanonicalJSON.encode(verdict), Data(line) != expected else { continue }
                let recorded = try? CanonicalJSON.decode(Verdict.self, from: Data(line))
                let what = recorded.map { describeDifference(recorded: $0, derived: verdict) } ?? "line is not a verdict"
                verdictProblem = "\(layout.verdicts.path):\(index + 1): \(what)"
                break
            }
        }
        report.record("verdicts", verdictProblem == nil,
                      verdictProblem ?? "\(derived.count) verdicts re-derived with ruleset \(ruleset.version)")

        // 7. The counts in the manifest are the counts of the verdicts.
        let counts = Manifest.counts(of: derived)
        report.record("counts", counts == manifest.counts,
                      counts == manifest.counts ? counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                      : "manifest counts \(manifest.counts.sorted { $0.key < $1.key }), transcripts give \(counts.sorted { $0.key < $1.key })")

        // 8. Reviewers' labels (labels.jsonl), when there are any.
        if let labels = LabelsVerification.check(directory: directory, manifest: manifest, records: records, hashes: hashes) {
            report.record("labels", labels.passed, labels.detail)
        }
        return report
    }

    static func describeDifference(recorded: Verdict, derived: Verdict) -> String {
        if recorded.key != derived.key { return "recorded for \(recorded.key), transcript is \(derived.key)" }
        if recorded.verdict != derived.verdict {
            return "\(derived.key): recorded verdict '\(recorded.verdict.rawValue)', transcript gives '\(derived.verdict.rawValue)'"
        }
        if recorded.flags != derived.flags { return "\(derived.key): flags \(recorded.flags) recorded, \(derived.flags) derived" }
        if recorded.outcome != derived.outcome { return "\(derived.key): outcome '\(recorded.outcome.rawValue)' recorded, '\(derived.outcome.rawValue)' derived" }
        return "\(derived.key): evidence or ruleset differs from what the transcript gives"
    }
}
