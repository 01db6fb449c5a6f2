#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidRun
import UnsaidReport
import UnsaidVerdict

/// `unsaid review RUN`: a person labels the verdicts the detector was unsure of. Labels go into
/// the run's hash-chained `labels.jsonl`; the machine verdicts are never changed.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review verdicts flagged needs_review and record a person's label for each (labels.jsonl).",
        discussion: """
            On a terminal, shows each flagged verdict (prompt, answer or withdrawn and replacing text, \
            machine verdict, evidence) and asks for a label: a(nswered) r(efused) d(eflected) \
            p(artial), a full label name, s(kip) or q(uit), then an optional note. Without a terminal \
            (or with --list) it prints the same items and changes nothing. --set KEY=LABEL records \
            labels non-interactively; KEY is a request as printed, SUITE/PROBE#SAMPLE (stream: on|off) \
            (quoted), or as archives spell it, SUITE/PROBE#SAMPLE@stream|json. \
            Labels: answered, refused, deflected, partial, retracted, filtered, truncated, empty, error. \
            Each label is appended to <run>/labels.jsonl, chained to the run's transcripts, and \
            <run>/labels.head moves to it; unsaid verify checks both.
            """)

    @Argument(help: ArgumentHelp("A complete run directory, e.g. Results/<run-id>.", valueName: "run"))
    var runDirectory: String

    @Flag(name: .long, help: "Every verdict of the run, not only those flagged needs_review.")
    var all = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also review verdicts whose deciding layer was less sure than this (0 to 1; the learned classifier's probability for its label).",
            valueName: "p"))
    var minConfidence: Double?

    @Flag(name: .long, help: "Print the items and exit, even on a terminal.")
    var list = false

    @Flag(name: .long, help: "On a terminal, ask again about items that already have a label.")
    var again = false

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Record a label without asking (repeatable).", valueName: "KEY=LABEL"))
    var assignments: [String] = []

    @Option(name: .long, help: ArgumentHelp("A note stored with each label given by --set.", valueName: "text"))
    var note: String?

    @Option(name: .long, help: ArgumentHelp("Who is labelling (default: $USER).", valueName: "name"))
    var reviewer: String?

    func run() throws {
        // Labels are appended and labels.head moved: one writer at a time, like run and rescore.
        // Listing only reads, so it takes no lock.
        let writes = !assignments.isEmpty || !(list || isatty(STDIN_FILENO) == 0)
        let lock = writes ? try RunDirectory.lock(runDirectory) : nil
        defer { withExtendedLifetime(lock) {} }
        // Listing only reads (`--list`, or no terminal to ask on): streamed, whatever the run's size.
        if !writes { return try listStreamed() }
        if !assignments.isEmpty {
            // The requests named are found by walking the run, which is never loaded whole.
            let named = Set(assignments.compactMap { Self.split($0).flatMap { RequestReference(parsing: $0.key) } })
            var (found, ledger) = try ConfigurationError.catching {
                try ReviewListing.find(named, in: URL(fileURLWithPath: runDirectory)) { manifest, tornLine in
                    try checkComplete(manifest, tornLine: tornLine)
                }
            }
            let planned = try plan(assignments, found: found)
            let name = try reviewerName()
            try repair(&ledger)
            for (item, label) in planned {
                try record(&ledger, item: item, label: label, reviewer: name, note: note)
                print(
                    "\(item.reference.displayName): \(item.verdict.verdict.rawValue) -> \(label.rawValue) (by \(name))")
            }
            return
        }

        // Listing took `listStreamed` above: what is left is a person at a terminal. The run is
        // walked, not loaded: each item is read as its question comes.
        let threshold = try confidenceThreshold()
        let walk = try ConfigurationError.catching {
            try ReviewWalk(
                URL(fileURLWithPath: runDirectory), all: all, minConfidence: threshold,
                check: { manifest, tornLine in try checkComplete(manifest, tornLine: tornLine) })
        }
        try interactive(walk: walk, scope: scope(threshold: threshold))
    }

    /// `--list`, or no terminal to ask on: the queue's items printed as the archive is walked,
    /// never the whole run in memory (`ReviewListing`), the same lines as `ReviewQueue` defines.
    private func listStreamed() throws {
        let threshold = try confidenceThreshold()
        let summary = try ConfigurationError.catching {
            try ReviewListing.forEach(
                URL(fileURLWithPath: runDirectory), all: all, minConfidence: threshold,
                check: { manifest, tornLine in try checkComplete(manifest, tornLine: tornLine) }
            ) { item, position, total in
                print(item.render(position: position, of: total))
            }
        }
        print("\(summary.items) \(scope(threshold: threshold)), \(summary.labelled) labelled")
    }

    private func scope(threshold: Int?) -> String {
        all
            ? "verdicts"
            : "verdicts flagged \(VerdictFlag.needsReview.wire)\(threshold.map { " or decided with confidence below \($0)‰" } ?? "")"
    }

    /// Only a finished run is reviewed: its verdicts are final. A complete run whose transcripts
    /// end in a torn record was changed after it was sealed (see `TornRecordAdvice`).
    private func checkComplete(_ manifest: Manifest, tornLine: Int?) throws {
        if let tornLine, manifest.status == .complete {
            throw ConfigurationError(
                TornRecordAdvice.message(
                    transcripts: ArchiveLayout(directory: URL(fileURLWithPath: runDirectory)).transcripts.path,
                    line: tornLine, run: runDirectory, status: manifest.status))
        }
        guard manifest.status == .complete else {
            throw ConfigurationError(
                "\(runDirectory): the run is not complete (status \(manifest.status.rawValue)); finish it with unsaid run --resume before reviewing"
            )
        }
    }

    /// `--min-confidence` as per mille, checked.
    private func confidenceThreshold() throws -> Int? {
        if let minConfidence, !(0...1).contains(minConfidence) {
            throw ConfigurationError("--min-confidence \(minConfidence): give a probability between 0 and 1")
        }
        return minConfidence.map { Int(($0 * 1000).rounded()) }
    }

    /// Every assignment is checked before any is written, so a typo records nothing.
    private func plan(
        _ assignments: [String], found: [RequestReference: ReviewItem]
    ) throws -> [(ReviewItem, ReviewLabel)] {
        try assignments.map { assignment in
            guard let (keyText, labelText) = Self.split(assignment) else {
                throw ConfigurationError(
                    "--set \(assignment): expected KEY=LABEL, e.g. 'starter/probe-1#0 (stream: on)=refused'")
            }
            guard let reference = RequestReference(parsing: keyText) else {
                throw ConfigurationError(
                    "--set \(assignment): '\(keyText)' is not a request key (SUITE/PROBE#SAMPLE (stream: on|off), or SUITE/PROBE#SAMPLE@stream|json)"
                )
            }
            guard let label = ReviewLabel(rawValue: labelText) else {
                throw ConfigurationError(
                    "--set \(assignment): unknown label '\(labelText)' (expected one of \(ReviewLabel.spelled))")
            }
            guard let item = found[reference] else {
                throw ConfigurationError("--set \(assignment): no request \(reference.displayName) in \(runDirectory)")
            }
            return (item, label)
        }
    }

    /// `KEY=LABEL` at its last `=` (a key may hold one).
    private static func split(_ assignment: String) -> (key: String, label: String)? {
        guard let equals = assignment.lastIndex(of: "=") else { return nil }
        return (String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...]))
    }

    private func reviewerName() throws -> String {
        let name = (reviewer ?? ProcessInfo.processInfo.environment["USER"] ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ConfigurationError("who is reviewing? pass --reviewer NAME (or set $USER)") }
        return name
    }

    private func repair(_ ledger: inout LabelsLedger) throws {
        try ConfigurationError.catching { try ledger.repairHeadAfterCrash() }
    }

    private func record(
        _ ledger: inout LabelsLedger, item: ReviewItem, label: ReviewLabel, reviewer: String, note: String?
    ) throws {
        do {
            try ledger.append(
                key: item.key, transcript: item.recordHash, machine: item.verdict, label: label,
                reviewer: reviewer, note: note?.isEmpty == true ? nil : note)
        } catch {
            throw ConfigurationError("cannot record the label: \(error)")
        }
    }

    private func interactive(walk: ReviewWalk, scope: String) throws {
        let pending = again ? walk.items : walk.items - walk.labelledItems
        print("\(pending) of \(walk.items) \(scope) to label")
        guard pending > 0 else { return }
        let name = try reviewerName()
        var ledger = walk.ledger
        try repair(&ledger)
        var recorded = 0
        // A line of the run that cannot be read again is one error; a label that cannot be
        // recorded already is one.
        _ = try ConfigurationError.catching {
            try walk.forEach(unlabelledOnly: !again) { item, position in
                print("")
                print(item.render(position: position, of: pending), terminator: "")
                while true {
                    print(
                        "label? a(nswered) r(efused) d(eflected) p(artial), a label name, s(kip), q(uit): ",
                        terminator: "")
                    guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else {
                        return false
                    }
                    switch answer {
                    case "q", "quit": return false
                    case "s", "skip", "": return true
                    default:
                        guard let label = Self.shortcut(answer) else {
                            print("unknown label '\(answer)'; labels: \(ReviewLabel.spelled)")
                            continue
                        }
                        print("note (enter for none): ", terminator: "")
                        let note = readLine()?.trimmingCharacters(in: .whitespaces)
                        try record(&ledger, item: item, label: label, reviewer: name, note: note)
                        recorded += 1
                        return true
                    }
                }
            }
        }
        print("recorded \(recorded) label\(recorded == 1 ? "" : "s") in \(ledger.file.path)")
    }

    static func shortcut(_ answer: String) -> ReviewLabel? {
        switch answer {
        case "a": return .answered
        case "r": return .refused
        case "d": return .deflected
        case "p": return .partial
        default: return ReviewLabel(rawValue: answer)
        }
    }
}
