import Foundation
import UnsaidVerdict

/// Derives the verdicts of a whole archive from its transcript records. Pure: `unsaid run`
/// writes its final `verdicts.jsonl` with it, `unsaid verify` re-derives and compares
/// byte-for-byte, and `unsaid rescore` runs it with another ruleset.
package enum ArchiveScoring {
    /// The verdicts of a run as read from disk, with its judge's archived opinions if it had a judge.
    package static func verdicts(for contents: ArchiveContents, engine: VerdictEngine) -> [Verdict] {
        verdicts(for: contents.records, engine: engine, judgeContexts: contents.judgeContexts)
    }

    /// - Parameter judgeContexts: one per record, in order, for a run with a judge; nil without.
    package static func verdicts(
        for records: [TranscriptRecord], engine: VerdictEngine,
        judgeContexts: [JudgeContext]? = nil
    ) -> [Verdict] {
        var verdicts = records.enumerated().map { index, record in
            engine.judge(
                record.transcript, probe: record.probe,
                judgeContext: judgeContexts.map { index < $0.count ? $0[index] : JudgeContext(transcript: nil) })
        }

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
            let marked = VerdictEngine.applyingCrossMode(
                streamed: verdicts[streamIndex], nonStreamed: verdicts[jsonIndex])
            verdicts[streamIndex] = marked.streamed
            verdicts[jsonIndex] = marked.nonStreamed
        }
        return verdicts
    }
}
