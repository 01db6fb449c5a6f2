import ArgumentParser
import Foundation
import UnsaidCore

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

    @Option(name: .long, help: ArgumentHelp("A rule directory to score with instead of the bundled rules.", valueName: "dir"))
    var rules: String?

    @Flag(name: .long, help: "Score without the judge's archived opinions (see what the other layers say alone).")
    var noJudge = false

    func run() throws {
        let directory = URL(fileURLWithPath: runDirectory)
        let contents: ArchiveContents
        do {
            contents = try ArchiveReader.read(directory)
        } catch {
            throw ConfigurationError("\(error)")
        }
        if let torn = contents.tornTail {
            throw ConfigurationError("\(contents.layout.transcripts.path):\(torn.line): torn record; resume or repair the run first")
        }
        let ruleset: Ruleset
        do {
            ruleset = try rules.map { try Ruleset.load(directory: URL(fileURLWithPath: $0)) } ?? Ruleset.bundled()
        } catch {
            throw ConfigurationError("cannot load rules: \(error)")
        }
        let verdicts = ArchiveScoring.verdicts(for: contents.records, engine: VerdictEngine(ruleset: ruleset),
                                               judgeContexts: noJudge ? nil : contents.judgeContexts)
        // Scores without the judge of a judged run go beside, not over, the judged ones.
        let variant = noJudge && contents.judgements != nil ? "\(ruleset.version).no-judge" : ruleset.version
        let verdictsURL = directory.appendingPathComponent("verdicts.\(variant).jsonl")
        let metricsURL = directory.appendingPathComponent("metrics.\(variant).json")
        do {
            try VerdictFile.encode(verdicts).write(to: verdictsURL)
            try CanonicalJSON.encodePretty(RunMetrics(records: contents.records, verdicts: verdicts)).write(to: metricsURL)
        } catch {
            throw ConfigurationError("cannot write rescored files: \(error)")
        }
        let changed = zip(contents.verdicts, verdicts).filter { $0.verdict != $1.verdict || $0.flags != $1.flags }
        print(VerdictSummary(verdicts).renderTable(), terminator: "")
        print("ruleset \(ruleset.version) (\(ruleset.sha256.prefix(12))); recorded with \(contents.manifest.ruleset.version) (\(contents.manifest.ruleset.sha256.prefix(12)))")
        print("\(changed.count) of \(verdicts.count) verdicts differ from the recorded ones")
        for (old, new) in changed.prefix(20) {
            print("  \(new.key): \(old.verdict.rawValue) \(old.flags) -> \(new.verdict.rawValue) \(new.flags)")
        }
        print("wrote \(verdictsURL.path)")
        print("wrote \(metricsURL.path)")
    }
}
