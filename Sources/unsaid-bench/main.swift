// unsaid-bench: throughput and memory of the full pipeline, measured, never asserted.
//
// A loopback SwiftNIO server streams a fixed ~38 KB answer in 200 SSE events; N probes go
// through the real path (libcurl multi loop → SSE parser → decoder → verdict engine → hash-
// chained archive with fsync per record) at concurrency C. A second pass skips the archive to
// show its cost per probe, and a third decodes and judges one recorded transcript repeatedly
// to isolate the CPU work from the network.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import UnsaidCore
import UnsaidReplay
import UnsaidTarget

struct Options {
    var probes = 400
    var concurrency = 16
    var events = 200
    var answerBytes = 38_000

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init), value > 0 else {
                FileHandle.standardError.write(Data("usage: unsaid-bench [--probes N] [--concurrency C] [--events E] [--bytes B]\n".utf8))
                exit(2)
            }
            switch flag {
            case "--probes": probes = value
            case "--concurrency": concurrency = value
            case "--events": events = value
            case "--bytes": answerBytes = value
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

/// The SSE events of the fixed answer: `events` content deltas, a finish chunk, a usage chunk, [DONE].
func streamedAnswer(events: Int, answerBytes: Int) -> [String] {
    let piece = String(repeating: "Freedom of expression is protected on paper. ", count: answerBytes / events / 46 + 1)
    let delta = String(piece.prefix(max(1, answerBytes / events)))
    var out: [String] = []
    for index in 0..<events {
        out.append(#"data: {"id":"bench","object":"chat.completion.chunk","model":"bench","choices":[{"index":0,"delta":{"content":"\#(delta)"},"finish_reason":null}],"n":\#(index)}"# + "\n\n")
    }
    out.append(#"data: {"id":"bench","object":"chat.completion.chunk","model":"bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n")
    out.append(#"data: {"id":"bench","object":"chat.completion.chunk","model":"bench","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":9500,"total_tokens":9512}}"# + "\n\n")
    out.append("data: [DONE]\n\n")
    return out
}

func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
    return 0
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func report(_ label: String, probes: Int, bytes: Int, elapsed: Duration) {
    let time = seconds(elapsed)
    let padded = label.padding(toLength: 30, withPad: " ", startingAt: 0)
    print(padded + String(format: " %8.1f probes/s  %7.1f MB/s  (%d probes, %.1f MB in %.2f s)",
                 Double(probes) / time, Double(bytes) / 1e6 / time, probes, Double(bytes) / 1e6, time))
}

let options = Options(arguments: CommandLine.arguments)
let events = streamedAnswer(events: options.events, answerBytes: options.answerBytes)
let server = try await LoopbackServer.start { _ in .sse(events: events, interval: .zero) }
let ruleset = try Ruleset.bundled()
let engine = VerdictEngine(ruleset: ruleset)
let client = ChatClient(config: TargetConfig(name: "bench", baseURL: server.baseURL, model: "bench"))
let probes = (0..<options.probes).map { index in
    Probe(id: "p\(index)", messages: [ChatMessage(role: "user", content: "Is freedom of speech a legal right? (\(index))")],
          category: .censorship, expect: .answer)
}
let items = RunPlan.items(for: Suite(id: "bench", name: "bench", probes: probes))
print("unsaid-bench: \(options.probes) probes, concurrency \(options.concurrency), \(options.events) events of ~\(options.answerBytes / options.events) B per answer, server \(server.baseURL)")

// 1. Full pipeline with the archive.
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-bench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
let manifest = Manifest(
    runID: "bench", tool: .init(gitCommit: nil), host: "bench", startedAt: Timestamp.now(),
    target: .init(name: "bench", baseURL: server.baseURL, model: "bench", parameters: .init(), streamMode: "stream"),
    suites: [], arguments: .init(suitePaths: [], streamOverride: true, apiKeyEnv: "OPENAI_API_KEY", headerNames: []),
    ruleset: .init(version: ruleset.version, sha256: ruleset.sha256), planned: items.count)
let archive = try ArchiveWriter(creating: ArchiveLayout(directory: directory), manifest: manifest, ruleset: ruleset.snapshot)
let runEngine = RunEngine(sender: client, verdicts: engine, archive: archive, concurrency: options.concurrency)
let clock = ContinuousClock()
let fullStart = clock.now
let verdicts = try await runEngine.run(items)
let records = try ArchiveReader.read(directory, tolerateBrokenVerdicts: true).records
try await archive.finish(verdicts: ArchiveScoring.verdicts(for: records, engine: engine))
let fullElapsed = fullStart.duration(to: clock.now)
let wireBytes = records.reduce(0) { $0 + ($1.transcript.finalAttempt?.chunks.reduce(0) { $0 + $1.byteCount } ?? 0) }
let answered = verdicts.filter { $0.verdict == .answered }.count
report("full pipeline (with archive)", probes: items.count, bytes: wireBytes, elapsed: fullElapsed)

// 2. The same requests without the archive: client, decoder and verdicts only.
let bareStart = clock.now
await withTaskGroup(of: Void.self) { group in
    var next = 0
    func launch() {
        guard next < items.count else { return }
        let item = items[next]
        next += 1
        group.addTask { _ = engine.judge(await client.send(item), probe: item.probe) }
    }
    for _ in 0..<min(options.concurrency, items.count) { launch() }
    while await group.next() != nil { launch() }
}
let bareElapsed = bareStart.duration(to: clock.now)
report("without archive", probes: items.count, bytes: wireBytes, elapsed: bareElapsed)

// 3. CPU only: decode, then judge, one recorded transcript again and again.
if let sample = records.first, let attempt = sample.transcript.attempts.last {
    let repetitions = 100
    let perAnswer = attempt.chunks.reduce(0) { $0 + $1.byteCount }
    let decodeStart = clock.now
    var decoded = attempt.response
    for _ in 0..<repetitions {
        decoded = ChatResponseDecoder.decode(chunks: attempt.chunks, streamed: true)
    }
    report("decode only (no network)", probes: repetitions, bytes: perAnswer * repetitions, elapsed: decodeStart.duration(to: clock.now))
    var transcript = sample.transcript
    transcript.attempts[transcript.attempts.count - 1].response = decoded
    let judgeStart = clock.now
    for _ in 0..<repetitions {
        _ = engine.judge(transcript, probe: sample.probe)
    }
    report("judge only (no network)", probes: repetitions, bytes: perAnswer * repetitions, elapsed: judgeStart.duration(to: clock.now))
}

let archiveBytes = (try? FileDigester.digest(ArchiveLayout(directory: directory).transcripts).bytes) ?? 0
let overheadMs = (seconds(fullElapsed) - seconds(bareElapsed)) * 1000 / Double(max(1, items.count))
print(String(format: "archive overhead: %.2f ms and %.1f KB per probe (transcripts.jsonl %.1f MB for %.1f MB on the wire)",
             overheadMs, Double(archiveBytes) / 1024 / Double(max(1, items.count)), Double(archiveBytes) / 1e6, Double(wireBytes) / 1e6))
print(String(format: "verdicts: %d/%d answered; peak RSS %.1f MB", answered, verdicts.count, peakRSSMegabytes()))
try await server.shutdown()
