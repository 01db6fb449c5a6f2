import Foundation

/// Derives the verdicts of a whole archive from its transcript records. Pure: `unsaid run`
/// writes its final `verdicts.jsonl` with it, `unsaid verify` re-derives and compares
/// byte-for-byte, and `unsaid rescore` runs it with a newer ruleset.
public enum ArchiveScoring {
    public static func verdicts(for records: [TranscriptRecord], engine: VerdictEngine) -> [Verdict] {
        records.map { record in
            engine.judge(record.transcript, expect: record.probe.expect)
        }
    }
}
