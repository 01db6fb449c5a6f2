import ArgumentParser
import Foundation
import UnsaidRun
import UnsaidSuite
import UnsaidSupport
import UnsaidTarget
import UnsaidTranscript

/// Throws for the first flag with a problem, as one line naming it (exit 2). Range checks come
/// before anything starts: `nan` would silently disable a timeout and `1e300` trap converting it.
func checkRanges(_ checks: [(flag: String, problem: String?)]) throws {
    for case let (flag, problem?) in checks {
        throw ConfigurationError("\(flag) \(problem)")
    }
}

/// `--base-url`, `--model`, `--api-key-env`: the endpoint when no targets file names it.
struct EndpointOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Endpoint base URL, e.g. http://127.0.0.1:8080/v1 (default: $OPENAI_BASE_URL).", valueName: "url"))
    var baseURL: String?

    @Option(
        name: .long, help: ArgumentHelp("Model name sent in each request (default: $OPENAI_MODEL).", valueName: "name"))
    var model: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Environment variable holding the API key, sent as a Bearer token when set.", valueName: "name"))
    var apiKeyEnv: String = TargetConfig.defaultAPIKeyEnv

    var isSet: Bool { baseURL != nil || model != nil }

    /// The endpoint from the flags or, failing them, `$OPENAI_BASE_URL` and `$OPENAI_MODEL`.
    func resolve(
        _ flags: TargetFlags, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws
        -> ResolvedTarget
    {
        guard let baseURL = baseURL ?? environment["OPENAI_BASE_URL"], !baseURL.isEmpty else {
            throw ConfigurationError(
                "no endpoint: pass --base-url URL, set OPENAI_BASE_URL, or use --target with a targets file")
        }
        guard let model = model ?? environment["OPENAI_MODEL"], !model.isEmpty else {
            throw ConfigurationError("no model: pass --model NAME or set OPENAI_MODEL")
        }
        return flags.resolve(name: model, baseURL: baseURL, model: model)
    }
}

/// `--max-tokens`, `--temperature`, `--top-p`, `--seed`: win over the target's and the suite's.
struct ParameterOptions: ParsableArguments {
    @Option(name: .long, help: "Override max_tokens for every probe.")
    var maxTokens: Int?

    @Option(name: .long, help: "Override temperature for every probe.")
    var temperature: Double?

    @Option(name: .long, help: "Override top_p for every probe.")
    var topP: Double?

    @Option(name: .long, help: "Override the seed for every probe (samples of a repeated probe add their index).")
    var seed: Int?

    var overrides: GenerationParameters {
        GenerationParameters(temperature: temperature, topP: topP, maxTokens: maxTokens, seed: seed)
    }

    var isSet: Bool { maxTokens != nil || temperature != nil || topP != nil || seed != nil }

    /// Range problems, flag by flag, in the order they are reported.
    var problems: [(String, String?)] {
        [
            ("--max-tokens", maxTokens.flatMap(NumberLimits.maxTokens)),
            ("--temperature", temperature.flatMap(NumberLimits.temperature)),
            ("--top-p", topP.flatMap(NumberLimits.topP)),
        ]
    }
}

/// Headers, secrets, timeouts, attempts and the response cap: how every target is talked to.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Extra request header 'Name: value' (repeatable).", valueName: "header"))
    var header: [String] = []

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "A string that must never appear in the archive, e.g. a token embedded in a URL (repeatable).",
            valueName: "secret"))
    var redact: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds allowed to establish a connection (default: \(Int(TargetTimeouts.standard.connect))).",
            valueName: "seconds"))
    var connectTimeout: Double?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds allowed for a whole request (default: \(Int(TargetTimeouts.standard.total))).",
            valueName: "seconds"))
    var timeout: Double?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds without a byte after which a stream counts as stalled (default: \(Int(TargetTimeouts.standard.stall))); streamed requests only, a non-streamed answer is bounded by --timeout.",
            valueName: "seconds"))
    var stallTimeout: Double?

    @Option(
        name: .long,
        help:
            "Attempts per request on connection errors, HTTP 429 and 5xx; 1 = no retry (default: \(RetryPolicy.standard.maxAttempts))."
    )
    var attempts: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Body bytes kept per answer; past it the transfer is stopped, what arrived is kept and scored (flag response_too_large).",
            valueName: "bytes"))
    var maxResponseBytes: Int = Attempt.defaultResponseCap

    /// Range problems, flag by flag, in the order they are reported.
    var problems: [(String, String?)] {
        [
            ("--attempts", attempts.flatMap(NumberLimits.attempts)),
            ("--connect-timeout", connectTimeout.flatMap(NumberLimits.seconds)),
            ("--timeout", timeout.flatMap(NumberLimits.seconds)),
            ("--stall-timeout", stallTimeout.flatMap(NumberLimits.seconds)),
        ]
    }

    /// The flags for `TargetFlags.resolve`; `apiKeyEnv` nil on a resume (the archive's holds).
    func flags(apiKeyEnv: String?, headers: [String: String]) -> TargetFlags {
        TargetFlags(
            apiKeyEnv: apiKeyEnv, headers: headers, redact: redact, connectTimeout: connectTimeout,
            totalTimeout: timeout, stallTimeout: stallTimeout, attempts: attempts, maxResponseBytes: maxResponseBytes)
    }

    /// `--header` values by name; a malformed one is a usage error.
    func headers() throws -> [String: String] {
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

/// `--target`, `--all-targets`, `--config`: endpoints from the targets file.
struct TargetsFileOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Run against this target from the targets file (repeatable); one archive per target, then a comparison.",
            valueName: "name"))
    var target: [String] = []

    @Flag(name: .long, help: "Run against every target in the targets file.")
    var allTargets = false

    @Option(name: .long, help: ArgumentHelp("Targets file (default: ./unsaid.yaml).", valueName: "file"))
    var config: String?

    var isSet: Bool { !target.isEmpty || allTargets }

    var path: String { config ?? "unsaid.yaml" }

    /// The named targets (every one with `--all-targets`), resolved with `flags`.
    func resolve(_ flags: TargetFlags) throws -> [ResolvedTarget] {
        let entries = try Self.load(path) { file in allTargets ? file.targets : try file.select(target, file: path) }
        guard !entries.isEmpty else { throw ConfigurationError("\(path): no targets defined") }
        return entries.map { flags.resolve($0) }
    }

    /// `--judge-target NAME`: that target of the file, with the run's flags but none of its
    /// `--header`s (they are for the target under test). Read when the run asks for it.
    func judge(_ name: String?, flags: TargetFlags) -> JudgeChoice? {
        guard let name else { return nil }
        var flags = flags
        flags.headers = [:]
        let path = path
        return JudgeChoice(name: name) { [flags] in
            do {
                return flags.resolve(
                    try Self.load(path) { file in
                        guard let entry = try file.select([name], file: path).first else {
                            throw ConfigurationError("no target '\(name)' in \(path)")
                        }
                        return entry
                    })
            } catch let error as ConfigurationError {
                throw ConfigurationError("--judge-target: \(error.description)")
            }
        }
    }

    private static func load<T>(_ path: String, _ pick: (TargetsFile) throws -> T) throws -> T {
        do {
            return try pick(TargetsFile.load(path: path))
        } catch let error as SuiteError {
            throw ConfigurationError(error.description)
        }
    }
}
