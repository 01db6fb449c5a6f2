import Foundation
import UnsaidArchive
import UnsaidFixture
import UnsaidSuite
import UnsaidVerdict

/// `run --record DIR`: each exchange of a finished run as a fixture the replay server can serve,
/// with the verdict it got as the fixture's expectation, so a user's CI can pin today's behaviour.
enum FixtureRecording {
    /// Writes one fixture per archived exchange (redacted with `secrets`); returns how many.
    static func write(_ layout: ArchiveLayout, to directory: URL, provider: String, secrets: [String]) throws -> Int {
        var count = 0
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Of each final verdict, only what its fixture expects: the label and which of the
            // (few) distinct sets of flags it has, about 8 bytes. Whole verdicts, about a kilobyte
            // each with their keys and evidence, made a 20,000-request run peak at 64.6 MB against
            // 48.4 MB at 2,000. The records are then streamed past them one at a time.
            var expected = ExpectedVerdicts()
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in expected.append(verdict) }
            _ = try ArchiveStream.transcripts(layout) { record, _ in
                guard count < expected.count else { return }
                let expectation = expected[count]
                count += 1
                let key = record.transcript.key
                let meta = FixtureMeta(
                    name: FixtureWriter.name(for: key), description: "recorded by unsaid run: \(key)",
                    provider: provider, source: "recorded", expectedVerdict: expectation.verdict,
                    expectedFlags: expectation.flags)
                _ = try FixtureWriter.write(
                    probe: record.probe, transcript: record.transcript, meta: meta, to: directory,
                    secrets: secrets)
            }
        } catch {
            throw RunSetupError("cannot write fixtures to \(directory.path): \(error)")
        }
        return count
    }
}

/// The label and flags of each verdict in archive order, the flags kept once per distinct set.
private struct ExpectedVerdicts {
    private var labels: [VerdictLabel] = []
    private var flagSetOf: [Int32] = []
    private var flagSets: [[VerdictFlag]] = []
    private var flagSetIndex: [[VerdictFlag]: Int32] = [:]

    var count: Int { labels.count }

    mutating func append(_ verdict: Verdict) {
        let index =
            flagSetIndex[verdict.flags]
            ?? {
                let index = Int32(flagSets.count)
                flagSets.append(verdict.flags)
                flagSetIndex[verdict.flags] = index
                return index
            }()
        labels.append(verdict.verdict)
        flagSetOf.append(index)
    }

    subscript(position: Int) -> (verdict: VerdictLabel, flags: [VerdictFlag]) {
        (labels[position], flagSets[Int(flagSetOf[position])])
    }
}
