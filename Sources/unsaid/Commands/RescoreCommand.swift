import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidReport
import UnsaidRun
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

struct RescoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rescore",
        abstract: "Re-derive verdicts and metrics of an archived run offline with the current ruleset.",
        discussion: """
            Reads only the archive (never the network): a run made with --judge-target is rescored \
            with the judge's archived answers, replayed byte for byte (--no-judge leaves them out). Writes verdicts.<ruleset-version>.jsonl and \
            metrics.<ruleset-version>.json beside the recorded files, which stay untouched, and says \
            how many verdicts changed. With an unchanged ruleset the new verdicts file is \
            byte-identical to verdicts.jsonl.
            """)

    @Argument(help: ArgumentHelp("A run directory, e.g. Results/<run-id>.", valueName: "run"))
    var runDirectory: String

    @Option(
        name: .long,
        help: ArgumentHelp("A rule directory to score with instead of the bundled rules.", valueName: "dir"))
    var rules: String?

    @Flag(name: .long, help: "Score without the judge's archived opinions (see what the other layers say alone).")
    var noJudge = false

    func run() throws {
        let directory = URL(fileURLWithPath: runDirectory)
        let lock = try RunDirectory.lock(runDirectory)
        defer { withExtendedLifetime(lock) {} }
        let layout = ArchiveLayout(directory: directory)
        let manifest = try ConfigurationError.catching { try ArchiveReader.readManifest(layout) }
        let ruleset = try ConfigurationError.catching("cannot load rules: ") {
            try rules.map { try Ruleset.load(directory: URL(fileURLWithPath: $0)) } ?? Ruleset.bundled()
        }
        // The archive is read as a stream: the recorded verdicts are kept as labels and flags
        // only, the transcripts one at a time.
        var recorded: [(VerdictLabel, [VerdictFlag])] = []
        try ConfigurationError.catching {
            try ArchiveStream.verdicts(layout.verdicts) { verdict, _ in
                recorded.append((verdict.verdict, verdict.flags))
            }
        }
        let judgements = try ConfigurationError.catching {
            try manifest.judge.map { _ in try JudgeIndex.read(layout.judgements) }
        }
        // Scores without the judge of a judged run go beside, not over, the judged ones.
        let variant = noJudge && judgements != nil ? "\(ruleset.version).no-judge" : ruleset.version
        let verdictsURL = directory.appendingPathComponent("verdicts.\(variant).jsonl")
        let metricsURL = directory.appendingPathComponent("metrics.\(variant).json")
        // Compared with the recorded verdicts as they are judged. These are the verdicts written,
        // line for line, unless a cross-mode mark rewrote some afterwards; then they are read back
        // from the file below instead. Reading back the whole file decoded every verdict once
        // more, about 2% of a rescore.
        var comparison = VerdictComparison(recorded: recorded)
        let scored = try ConfigurationError.catching {
            try ArchiveScoring.score(
                layout, engine: VerdictEngine(ruleset: ruleset), to: verdictsURL,
                judgements: noJudge ? nil : judgements, scoringOnly: true
            ) { _, _, verdict in
                comparison.add(verdict)
            }
        }
        if let torn = scored.transcripts.tornTail {
            try? FileManager.default.removeItem(at: verdictsURL)
            throw ConfigurationError(
                TornRecordAdvice.message(
                    transcripts: layout.transcripts.path, line: torn.line, run: runDirectory, status: manifest.status))
        }
        try ConfigurationError.catching("cannot write rescored files: ") {
            // `score` always gathers the tally.
            try CanonicalJSON.encodePretty(RunMetrics(tally: scored.tally ?? MetricTally())).write(to: metricsURL)
        }
        // Compare with the final (cross-mode marked) verdicts just written, in order.
        if scored.crossModeMarked > 0 {
            comparison = VerdictComparison(recorded: recorded)
            try ConfigurationError.catching {
                try ArchiveStream.verdicts(verdictsURL) { verdict, _ in comparison.add(verdict) }
            }
        }
        let (changed, changedCount) = (comparison.changed, comparison.changedCount)
        print(scored.summary.renderTable(), terminator: "")
        print(
            "ruleset \(ruleset.version) (\(ruleset.sha256.prefix(12))); recorded with \(manifest.ruleset.version) (\(manifest.ruleset.sha256.prefix(12)))"
        )
        print("\(changedCount) of \(scored.summary.total) verdicts differ from the recorded ones")
        for (old, new) in changed {
            print(
                "  \(new.key.displayName): \(old.0.rawValue) \(old.1.wire) -> \(new.verdict.rawValue) \(new.flags.wire)"
            )
        }
        print("wrote \(verdictsURL.path)")
        print("wrote \(metricsURL.path)")
    }
}

/// The verdicts that differ from the recorded ones (label or flags), in archive order: how many,
/// and the first 20 to show.
private struct VerdictComparison {
    let recorded: [(VerdictLabel, [VerdictFlag])]
    private(set) var changed: [(old: (VerdictLabel, [VerdictFlag]), new: Verdict)] = []
    private(set) var changedCount = 0
    private var position = 0

    init(recorded: [(VerdictLabel, [VerdictFlag])]) {
        self.recorded = recorded
    }

    mutating func add(_ verdict: Verdict) {
        defer { position += 1 }
        guard position < recorded.count else { return }
        let old = recorded[position]
        guard old.0 != verdict.verdict || old.1 != verdict.flags else { return }
        changedCount += 1
        if changed.count < 20 { changed.append((old, verdict)) }
    }
}
