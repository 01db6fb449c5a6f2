// unsaid-bench: throughput and memory of the full pipeline, measured, never asserted.
//
// A loopback SwiftNIO server streams a fixed answer in SSE events; N probes go through the real
// path (libcurl multi loop → SSE parser → decoder → verdict engine → hash-chained archive with
// group-committed fsync → streamed end-of-run scoring). Then the archive is re-scored and
// verified as `unsaid rescore` and `unsaid verify` do. The probes come from a suite file the
// bench writes and loads as `unsaid run --suite` does (its own phase: at 100,000 probes the file
// is 6 MB, and loading one was the peak of a run). Every phase prints probes/s, MB/s and its
// own peak RSS (the kernel's high-water mark is reset between phases), at two scales: the
// default 1,000 probes with ~38 KB answers, and 100,000 probes with small answers, so memory
// growth with run size shows as a figure.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import UnsaidReplay
import UnsaidTarget
import UnsaidArchive
import UnsaidReport
import UnsaidRun
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

struct Scale {
    /// Requests sent (distinct probes times `repeats`).
    var probes: Int
    var events: Int
    var answerBytes: Int
    /// Samples per probe (`repeat:` in a suite): the same number of requests from fewer probes,
    /// which shows what grows with the suite and what with the requests.
    var repeats = 1
}

struct Options {
    var scales = [
        Scale(probes: 1_000, events: 200, answerBytes: 38_000), Scale(probes: 100_000, events: 4, answerBytes: 400),
    ]
    var concurrency = 16

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        var custom = Scale(probes: 1_000, events: 200, answerBytes: 38_000)
        var isCustom = false
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init), value > 0 else {
                FileHandle.standardError.write(
                    Data("usage: unsaid-bench [--probes N --events E --bytes B --repeat R] [--concurrency C]\n".utf8))
                exit(2)
            }
            switch flag {
            case "--probes": custom.probes = value; isCustom = true
            case "--events": custom.events = value; isCustom = true
            case "--bytes": custom.answerBytes = value; isCustom = true
            case "--repeat": custom.repeats = value; isCustom = true
            case "--concurrency": concurrency = value
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
        if isCustom { scales = [custom] }
    }
}

/// The SSE events of the fixed answer: `events` content deltas, a finish chunk, a usage chunk, [DONE].
func streamedAnswer(events: Int, answerBytes: Int) -> [String] {
    let piece = String(repeating: "Freedom of expression is protected on paper. ", count: answerBytes / events / 46 + 1)
    let delta = String(piece.prefix(max(1, answerBytes / events)))
    var out: [String] = []
    for index in 0..<events {
        out.append(
            #"data: {"id":"bench","object":"chat.completion.chunk","model":"bench","choices":[{"index":0,"delta":{"content":"\#(delta)"},"finish_reason":null}],"n":\#(index)}"#
                + "\n\n")
    }
    out.append(
        #"data: {"id":"bench","object":"chat.completion.chunk","model":"bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
            + "\n\n")
    out.append(
        #"data: {"id":"bench","object":"chat.completion.chunk","model":"bench","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":9500,"total_tokens":9512}}"#
            + "\n\n")
    out.append("data: [DONE]\n\n")
    return out
}

/// Peak resident set since the last `resetPeakRSS()` (Linux `VmHWM`), in MB.
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
    return 0
}

/// Writing 5 to clear_refs resets the kernel's peak-RSS mark, so each phase shows its own peak;
/// the heap's free pages are handed back first, or what earlier phases freed would count too.
func resetPeakRSS() {
    AllocatorSettings.releaseFreeMemory()
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

struct Figure {
    var label: String
    var probes: Int
    var bytes: Int
    var elapsed: Duration
    var peakRSS: Double

    func line() -> String {
        let time = seconds(elapsed)
        return label.padding(toLength: 26, withPad: " ", startingAt: 0)
            + String(
                format: " %9.1f probes/s  %7.1f MB/s  peak RSS %6.1f MB  (%d probes, %.1f MB in %.2f s)",
                Double(probes) / time, Double(bytes) / 1e6 / time, peakRSS, probes, Double(bytes) / 1e6, time)
    }
}

AllocatorSettings.apply()
let options = Options(arguments: CommandLine.arguments)
let ruleset = try Ruleset.bundled()
let engine = VerdictEngine(ruleset: ruleset)
let clock = ContinuousClock()
var summary: [(Scale, [Figure], Int)] = []

/// A suite file of the scale's probes, written as `unsaid suites import` writes one: a one-line
/// prompt each, `repeat:` when the scale samples probes more than once.
func writeSuiteFile(scale: Scale, to path: String) throws {
    var text = "id: bench\nname: bench\ndefaults:\n  category: censorship\n  expect: answer\n"
    if scale.repeats > 1 { text += "  repeat: \(scale.repeats)\n" }
    text += "probes:\n"
    for index in 0..<max(1, scale.probes / scale.repeats) {
        text += "- id: p\(index)\n  prompt: Is freedom of speech a legal right? (\(index))\n"
    }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// Plans, sends and archives the suite's requests as `unsaid run --suite … --base-url …
/// --model bench` would. The plan lives only in here, so the phases after it measure what
/// `rescore` and `verify` hold, not the bench's own plan.
func runPhase(
    suite: Suite, layout: ArchiveLayout, client: ChatClient, target: ResolvedTarget, baseURL: String
) async throws -> ScoredArchive {
    // Planned as `unsaid run` plans: requests built as they are sent, not held.
    let items = try RunPlanning.plan(
        [suite], overrides: GenerationParameters(), streamMode: nil, selection: RunSelection())
    let manifest = Manifest(
        runID: "bench", tool: .init(gitCommit: nil), host: "bench", startedAt: Timestamp.now(),
        target: .init(
            name: "bench", baseURL: baseURL, model: "bench", parameters: .init(), streamMode: "stream"),
        suites: [],
        arguments: .init(suitePaths: [], streamOverride: true, apiKeyEnv: target.config.apiKeyEnv, headerNames: []),
        ruleset: .init(version: ruleset.version, sha256: ruleset.sha256), planned: items.count)
    let archive = try ArchiveWriter(
        creating: layout, manifest: manifest, ruleset: ruleset.snapshot,
        gathering: GroupCommit.Gathering(concurrency: options.concurrency))
    let runEngine = RunEngine(sender: client, verdicts: engine, archive: archive, concurrency: options.concurrency)
    _ = try await runEngine.run(items)
    // As a new `unsaid run` does without --fail-under: the verdicts judged as records were
    // archived get the whole-run findings; nothing of the run is held to finish it.
    let scored =
        try ArchiveScoring.finalise(
            layout, transcripts: await archive.written, tally: nil, pairingModes: items.mixesModes)
        ?? ArchiveScoring.score(layout, engine: engine, to: layout.verdicts)
    try await archive.finish(scored: scored)
    return scored
}

for scale in options.scales {
    let events = streamedAnswer(events: scale.events, answerBytes: scale.answerBytes)
    let server = try await LoopbackServer.start { _ in .sse(events: events, interval: .zero) }
    // Reached as `unsaid run --base-url … --model bench` would reach it, with no other flag.
    let target = TargetFlags().resolve(name: "bench", baseURL: server.baseURL, model: "bench")
    let client = ChatClient(config: target.config)
    let wirePerAnswer = events.reduce(0) { $0 + $1.utf8.count }
    print(
        "unsaid-bench: \(scale.probes) probes\(scale.repeats > 1 ? " (\(scale.probes / scale.repeats) probes × \(scale.repeats) samples)" : ""), concurrency \(options.concurrency), \(scale.events) events, ~\(wirePerAnswer) B per answer"
    )

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let layout = ArchiveLayout(directory: directory)
    var figures: [Figure] = []

    // 1. load: the suite file read, checked and packed as `unsaid run --suite` reads it.
    let suiteDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "unsaid-bench-suite-\(UUID().uuidString)")
    // A directory of its own inside one of its own: the loader also reads the suite files beside
    // the one named and in their parent (for `include:`), which must not be the whole temp folder.
    let suiteFolder = suiteDirectory.appendingPathComponent("suite")
    try FileManager.default.createDirectory(at: suiteFolder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: suiteDirectory) }
    let suitePath = suiteFolder.appendingPathComponent("bench.yaml").path
    try writeSuiteFile(scale: scale, to: suitePath)
    let suiteBytes = (try? FileManager.default.attributesOfItem(atPath: suitePath)[.size] as? Int) ?? 0
    // The suite is let go with this block, so the phases after the run do not hold it.
    let runStart: ContinuousClock.Instant
    let scored: ScoredArchive
    do {
        resetPeakRSS()
        let loadStart = clock.now
        let suite = try SuiteLoader.load(path: suitePath)
        figures.append(
            Figure(
                label: "load suite file", probes: suite.probes.count * scale.repeats, bytes: suiteBytes,
                elapsed: loadStart.duration(to: clock.now), peakRSS: peakRSSMegabytes()))

        // 2. run: the full pipeline with the archive and the streamed end-of-run scoring, the
        // loaded suite held throughout as a run holds it.
        resetPeakRSS()
        runStart = clock.now
        scored = try await runPhase(
            suite: suite, layout: layout, client: client, target: target, baseURL: server.baseURL)
    }
    let planned = scored.transcripts.records
    figures.append(
        Figure(
            label: "run (full pipeline)", probes: planned, bytes: wirePerAnswer * planned,
            elapsed: runStart.duration(to: clock.now), peakRSS: peakRSSMegabytes()))
    try await server.shutdown()
    let archiveBytes = (try? FileDigester.digest(layout.transcripts).bytes) ?? 0

    // 3. rescore: re-derive every verdict and the metrics from the archive alone.
    resetPeakRSS()
    let rescoreStart = clock.now
    let rescored = try ArchiveScoring.score(
        layout, engine: engine, to: directory.appendingPathComponent("verdicts.bench.jsonl"))
    _ = try CanonicalJSON.encodePretty(rescored.metrics)
    figures.append(
        Figure(
            label: "rescore", probes: planned, bytes: archiveBytes,
            elapsed: rescoreStart.duration(to: clock.now), peakRSS: peakRSSMegabytes()))

    // 4. verify: digests, chain, duplicates, verdicts re-derived and compared.
    resetPeakRSS()
    let verifyStart = clock.now
    let report = ArchiveVerifier.verify(directory: directory)
    figures.append(
        Figure(
            label: "verify (\(report.passed ? "passed" : "FAILED"))", probes: planned, bytes: archiveBytes,
            elapsed: verifyStart.duration(to: clock.now), peakRSS: peakRSSMegabytes()))

    for figure in figures { print("  " + figure.line()) }
    print(
        String(
            format: "  archive: %.1f KB per probe for %.1f KB on the wire (%.2fx); %d/%d answered",
            Double(archiveBytes) / 1024 / Double(max(1, planned)), Double(wirePerAnswer) / 1024,
            Double(archiveBytes) / Double(max(1, wirePerAnswer * planned)),
            scored.summary.counts[.answered] ?? 0, scored.summary.total))
    summary.append((scale, figures, archiveBytes))
}

if summary.count > 1 {
    print("memory growth (peak RSS, MB):")
    for (index, label) in ["load", "run", "rescore", "verify"].enumerated() {
        let cells = summary.map { String(format: "%.1f at %d probes", $0.1[index].peakRSS, $0.0.probes) }
        print("  \(label.padding(toLength: 8, withPad: " ", startingAt: 0)) " + cells.joined(separator: "  →  "))
    }
}
