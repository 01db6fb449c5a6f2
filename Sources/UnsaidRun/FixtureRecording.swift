import Foundation
import UnsaidArchive
import UnsaidFixture
import UnsaidVerdict

/// `run --record DIR`: each exchange of a finished run as a fixture the replay server can serve,
/// with the verdict it got as the fixture's expectation, so a user's CI can pin today's behaviour.
enum FixtureRecording {
    /// Writes one fixture per archived exchange (redacted with `secrets`); returns how many.
    static func write(_ layout: ArchiveLayout, to directory: URL, provider: String, secrets: [String]) throws -> Int {
        var count = 0
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // The final verdicts are small; the records are streamed past them one at a time.
            var verdicts: [Verdict] = []
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in verdicts.append(verdict) }
            _ = try ArchiveStream.transcripts(layout) { record, _ in
                guard count < verdicts.count else { return }
                let verdict = verdicts[count]
                count += 1
                let key = record.transcript.key
                let meta = FixtureMeta(
                    name: FixtureWriter.name(for: key), description: "recorded by unsaid run: \(key)",
                    provider: provider, source: "recorded", expectedVerdict: verdict.verdict,
                    expectedFlags: verdict.flags)
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
