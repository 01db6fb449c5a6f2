import ArgumentParser
import Foundation
import UnsaidCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run probe suites against an OpenAI-compatible endpoint and archive the results.",
        discussion: """
            Sends every probe of the given suites to <base-url>/chat/completions, keeps the raw \
            response bytes with arrival times, scores each answer, and writes \
            <out>/<run-id>/manifest.json, transcripts.jsonl and verdicts.jsonl.

            Exit codes: 0 the run finished; 1 the run finished but some requests ended in an error \
            (dead endpoint, HTTP error, garbage); 2 usage or configuration error.
            """
    )

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("A suite file or a directory of suite files (repeatable).", valueName: "path"))
    var suite: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Endpoint base URL, e.g. http://127.0.0.1:8080/v1 (default: $OPENAI_BASE_URL).", valueName: "url"))
    var baseURL: String?

    @Option(name: .long, help: ArgumentHelp("Model name sent in each request (default: $OPENAI_MODEL).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp(
        "Environment variable holding the API key, sent as a Bearer token when set.", valueName: "name"))
    var apiKeyEnv: String = "OPENAI_API_KEY"

    @Option(name: .long, help: "Requests in flight at once (all share one libcurl event loop).")
    var concurrency: Int = 4

    @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp(
        "Force streamed (--stream) or non-streamed (--no-stream) requests for every probe; default: each probe's own setting."))
    var stream: Bool?

    @Option(name: .long, help: ArgumentHelp("Directory that receives the run archive.", valueName: "dir"))
    var out: String = "Results"

    @Option(name: .long, help: ArgumentHelp("Name of the run directory (default: <date>-<time>-<model>-<random>).", valueName: "id"))
    var runID: String?

    @Option(name: .long, help: "Override max_tokens for every probe.")
    var maxTokens: Int?

    @Option(name: .long, help: "Override temperature for every probe.")
    var temperature: Double?

    @Option(name: .long, help: "Override top_p for every probe.")
    var topP: Double?

    @Option(name: .long, help: "Override the seed for every probe (samples of a repeated probe add their index).")
    var seed: Int?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Extra request header 'Name: value' (repeatable).", valueName: "header"))
    var header: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "A string that must never appear in the archive, e.g. a token embedded in a URL (repeatable).", valueName: "secret"))
    var redact: [String] = []

    @Option(name: .long, help: ArgumentHelp("Seconds allowed to establish a connection.", valueName: "seconds"))
    var connectTimeout: Double = 10

    @Option(name: .long, help: ArgumentHelp("Seconds allowed for a whole request.", valueName: "seconds"))
    var timeout: Double = 300

    @Option(name: .long, help: ArgumentHelp("Seconds without a byte after which a stream counts as stalled.", valueName: "seconds"))
    var stallTimeout: Double = 60

    @Option(name: .long, help: "Attempts per request on connection errors, HTTP 429 and 5xx (1 = no retry).")
    var attempts: Int = 3

    func validate() throws {
        if suite.isEmpty { throw ValidationError("give at least one --suite (a file or a directory)") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if attempts < 1 { throw ValidationError("--attempts must be at least 1") }
        for value in [connectTimeout, timeout, stallTimeout] where value <= 0 {
            throw ValidationError("timeouts must be positive")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let baseURL = baseURL ?? environment["OPENAI_BASE_URL"], !baseURL.isEmpty else {
            throw ConfigurationError("no endpoint: pass --base-url URL or set OPENAI_BASE_URL")
        }
        guard let model = model ?? environment["OPENAI_MODEL"], !model.isEmpty else {
            throw ConfigurationError("no model: pass --model NAME or set OPENAI_MODEL")
        }
        let suites = try loadSuites()
        let ruleset: Ruleset
        do {
            ruleset = try Ruleset.bundled()
        } catch {
            throw ConfigurationError("the bundled ruleset cannot be read: \(error)")
        }
        let overrides = GenerationParameters(temperature: temperature, topP: topP, maxTokens: maxTokens, seed: seed)
        let items = suites.flatMap { suite in
            RunPlan.items(for: suite, streamOverride: stream).map { item in
                var item = item
                item.parameters = overrides.overriding(item.parameters)
                return item
            }
        }
        let headers = try parseHeaders()
        let target = TargetSettings(
            name: model, baseURL: baseURL, model: model, apiKeyEnv: apiKeyEnv, headers: headers,
            redact: redact, connectTimeout: connectTimeout, totalTimeout: timeout, stallTimeout: stallTimeout,
            attempts: attempts)
        let sender = try makeSender(target)

        let runID = runID ?? ArchiveLayout.makeRunID(model: model)
        let layout = ArchiveLayout(directory: URL(fileURLWithPath: out).appendingPathComponent(runID))
        let manifest = Manifest(
            runID: runID, tool: .init(gitCommit: BuildInfo.gitCommit()), host: BuildInfo.host,
            startedAt: Timestamp.now(),
            target: .init(name: target.name, baseURL: sender.redactedBaseURL, model: model, parameters: overrides,
                          streamMode: stream.map { $0 ? "stream" : "no-stream" } ?? "per-probe"),
            suites: suites.map { .init(id: $0.id, version: $0.version, probes: $0.probes.count, sources: $0.sources) },
            ruleset: .init(version: ruleset.version, sha256: ruleset.sha256), planned: items.count)
        let archive: ArchiveWriter
        do {
            archive = try ArchiveWriter(creating: layout, manifest: manifest, ruleset: ruleset.snapshot)
        } catch {
            throw ConfigurationError("\(error)")
        }

        FileHandle.standardError.write(Data("run \(runID): \(items.count) requests to \(sender.redactedBaseURL) (model \(model)), concurrency \(concurrency)\n".utf8))
        let reporter = ProgressReporter()
        reporter.start()
        let engine = RunEngine(sender: sender.sender, verdicts: VerdictEngine(ruleset: ruleset), archive: archive,
                               concurrency: concurrency)
        let verdicts: [Verdict]
        do {
            verdicts = try await withInterruptHandling {
                try await engine.run(items) { reporter.update($0) }
            }
        } catch is CancellationError {
            reporter.finish()
            try await archive.checkpoint(status: .interrupted)
            FileHandle.standardError.write(Data("interrupted; completed requests are archived in \(layout.directory.path)\n".utf8))
            throw ExitCode(130)
        }
        reporter.finish()
        try await archive.finish(verdicts: ArchiveScoring.verdicts(for: ArchiveReader.read(layout.directory).records, engine: VerdictEngine(ruleset: ruleset)))

        let summary = VerdictSummary(verdicts)
        print(summary.renderTable(), terminator: "")
        print("archive: \(layout.directory.path)")
        if summary.hasErrors {
            throw ExitCode(ExitCodes.finishedWithErrors)
        }
    }

    private func loadSuites() throws -> [Suite] {
        var suites: [Suite] = []
        for path in suite {
            do {
                suites.append(try SuiteLoader.load(path: path))
            } catch let error as SuiteError {
                throw ConfigurationError(error.description)
            }
        }
        return suites
    }

    private func parseHeaders() throws -> [String: String] {
        var headers: [String: String] = [:]
        for line in header {
            guard let colon = line.firstIndex(of: ":") else {
                throw ValidationError("--header '\(line)' is not of the form 'Name: value'")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ValidationError("--header '\(line)' has no name") }
            headers[name] = value
        }
        return headers
    }
}
