import Foundation

/// Derives the verdicts of a whole archive from its transcript records. Pure: `unsaid run`
/// writes its final `verdicts.jsonl` with it, `unsaid verify` re-derives and compares
/// byte-for-byte, and `unsaid rescore` runs it with another ruleset.
public enum ArchiveScoring {
    public static func verdicts(for records: [TranscriptRecord], engine: VerdictEngine) -> [Verdict] {
        var verdicts = records.map { engine.judge($0.transcript, probe: $0.probe) }

        // Probes run in both modes: a streamed answer that disagrees with the non-streamed one is
        // itself a finding (the stream may have been withdrawn where the JSON answer was not).
        struct Pair: Hashable {
            var suite: String
            var probe: String
            var probeHash: String
            var sample: Int
        }
        var streamed: [Pair: Int] = [:]
        var nonStreamed: [Pair: Int] = [:]
        for (index, record) in records.enumerated() {
            let key = record.transcript.key
            let pair = Pair(suite: key.suite, probe: key.probe, probeHash: key.probeHash, sample: key.sample)
            if key.streamed { streamed[pair] = index } else { nonStreamed[pair] = index }
        }
        for (pair, streamIndex) in streamed {
            guard let jsonIndex = nonStreamed[pair] else { continue }
            let marked = VerdictEngine.applyingCrossMode(streamed: verdicts[streamIndex], nonStreamed: verdicts[jsonIndex])
            verdicts[streamIndex] = marked.streamed
            verdicts[jsonIndex] = marked.nonStreamed
        }
        return verdicts
    }
}
