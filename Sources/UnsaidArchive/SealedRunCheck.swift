import Foundation
import UnsaidSupport

/// What a reader that shows a sealed run (`report`, `compare`, `trend`) checks of it before
/// showing it: that its files are still the ones its manifest committed to when the run was
/// sealed.
///
/// Those readers walk the transcripts (hashing every line for the chain) and the judge exchanges
/// anyway, so most checks cost them nothing: the manifest against `manifest.sha256`, the walk's
/// record count and chain head against the manifest's (an appended, torn or edited last record)
/// and the judge chain's count and head. One costs a read: the SHA-256 of `verdicts.jsonl` (a
/// verdict label edited by hand, the likeliest change of all: verdicts have no chain), a small
/// file beside the transcripts. Without them a report of an
/// altered run read as if the run had produced it, while `verify` and `sign` refused the run.
/// `unsaid verify` stays the whole proof: it also re-derives every verdict from the transcripts.
///
/// A run that is not sealed is not checked: its manifest counts only what its last checkpoint
/// saw, and a run still going has records its manifest does not name yet.
package enum SealedRunCheck {
    /// The first way a complete run's files differ from its manifest, as one line naming the file
    /// (for `ArchiveError.changedAfterSealing`); nil when they agree or the run is not sealed.
    /// - Parameter transcripts: the caller's walk of `transcripts.jsonl`.
    /// - Parameter judgements: the caller's walk of `judgements.jsonl`, for a run with a judge.
    package static func problem(
        layout: ArchiveLayout, manifest: Manifest, transcripts: ArchiveStream.TranscriptsSummary,
        judgements: JudgeIndex?
    ) throws -> String? {
        guard manifest.status == .complete else { return nil }
        if let problem = manifestDigestProblem(layout) { return problem }
        if let torn = transcripts.tornTail { return "\(layout.transcripts.path):\(torn.line): torn record" }
        if let problem = chainProblem(
            path: layout.transcripts.path, records: transcripts.records, head: transcripts.chainHead,
            expectedRecords: manifest.completed, expectedHead: manifest.chainHead)
        {
            return problem
        }
        if let expected = manifest.files[ArchiveLayout.verdictsName],
            let problem = digestProblem(
                layout.verdicts, actual: try FileDigester.digest(layout.verdicts), expected: expected)
        {
            return problem
        }
        if let judge = manifest.judge, let judgements {
            if let torn = judgements.tornTail { return "\(layout.judgements.path):\(torn.line): torn record" }
            return chainProblem(
                path: layout.judgements.path, records: judgements.count, head: judgements.chainHead,
                expectedRecords: judge.records, expectedHead: judge.chainHead)
        }
        return nil
    }

    /// Why `manifest.sha256` does not vouch for `manifest.json`, or nil when it does. A run
    /// without the sidecar (none is written but by `ManifestFile`) is not held to it here;
    /// `verify` reports it missing.
    static func manifestDigestProblem(_ layout: ArchiveLayout) -> String? {
        guard let sidecar = FileManager.default.contents(atPath: layout.manifestDigest.path) else { return nil }
        let manifest = FileManager.default.contents(atPath: layout.manifest.path) ?? Data()
        guard sidecar != ManifestFile.sidecar(for: manifest) else { return nil }
        return "\(layout.manifestDigest.path): does not match manifest.json (the manifest or its digest changed)"
    }

    /// A chain's walk against what the manifest says of it, as `verify` words it.
    static func chainProblem(
        path: String, records: Int, head: String, expectedRecords: Int, expectedHead: String
    ) -> String? {
        guard records != expectedRecords || head != expectedHead else { return nil }
        return
            "\(path): \(records) records ending in \(head); manifest says \(expectedRecords) ending in \(expectedHead)"
    }

    /// A file's SHA-256, size and line count against the manifest's, as `verify` words it.
    static func digestProblem(_ url: URL, actual: Manifest.FileDigest, expected: Manifest.FileDigest) -> String? {
        guard actual != expected else { return nil }
        return
            "\(url.path): SHA-256 \(actual.sha256) (\(actual.bytes) bytes), manifest says \(expected.sha256) (\(expected.bytes) bytes)"
    }
}
