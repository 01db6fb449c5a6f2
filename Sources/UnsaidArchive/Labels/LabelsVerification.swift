import Foundation
import UnsaidSuite

/// The labels check of `unsaid verify`: the chain of `labels.jsonl` from the run's transcript
/// chain head, every record's label, request and transcript hash, and `labels.head`.
enum LabelsVerification {
    /// Nil when the run has no labels (nothing to check).
    static func check(
        directory: URL, manifest: Manifest, records: [TranscriptRecord], hashes: [String]
    )
        -> (passed: Bool, detail: String)?
    {
        check(
            directory: directory, manifest: manifest,
            transcripts: Dictionary(zip(records.map(\.transcript.key), hashes), uniquingKeysWith: { first, _ in first })
        )
    }

    /// - Parameter transcripts: each request key with the hash of its (first) transcript record,
    ///   as gathered by a streamed pass over the archive.
    static func check(
        directory: URL, manifest: Manifest, transcripts: [WorkKey: String]
    ) -> (passed: Bool, detail: String)? {
        guard LabelsLedger.exists(in: directory) else { return nil }
        do {
            let ledger = try LabelsLedger.load(directory: directory, root: manifest.chainHead, transcripts: transcripts)
            if let problem = ledger.headProblem { return (false, problem) }
            let reviewers = Set(ledger.records.map(\.reviewer)).sorted()
            let overrides = ledger.latest.values.filter(\.overrides).count
            return (
                true,
                "\(ledger.records.count) labels by \(reviewers.joined(separator: ", ")), \(overrides) overriding the machine verdict, head \(ledger.chainHead)"
            )
        } catch {
            return (false, "\(error)")
        }
    }
}
