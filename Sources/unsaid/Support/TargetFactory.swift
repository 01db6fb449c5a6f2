import Foundation
import UnsaidTarget
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript

/// Target settings gathered from flags (and from a targets file).
struct TargetSettings {
    var name: String
    var baseURL: String
    var model: String
    var apiKeyEnv: String
    var headers: [String: String]
    var redact: [String]
    var connectTimeout: Double
    var totalTimeout: Double
    var stallTimeout: Double
    var attempts: Int
    var parameters = GenerationParameters()
    var extraBody: [String: JSONValue] = [:]
    /// Per-target overrides of `--concurrency`, and a requests-per-minute cap.
    var concurrency: Int?
    var rateLimit: Double?
    var maxResponseBytes = Attempt.defaultResponseCap
}

extension TargetSettings {
    /// A target from `unsaid.yaml`; values it leaves out come from the command-line defaults.
    init(entry: TargetEntry, defaults: TargetSettings) {
        self.init(
            name: entry.name, baseURL: entry.baseURL, model: entry.model,
            apiKeyEnv: entry.apiKeyEnv ?? defaults.apiKeyEnv,
            headers: defaults.headers.merging(entry.headers ?? [:]) { _, fromFile in fromFile },
            redact: defaults.redact,
            connectTimeout: entry.timeouts?.connect ?? defaults.connectTimeout,
            totalTimeout: entry.timeouts?.total ?? defaults.totalTimeout,
            stallTimeout: entry.timeouts?.stall ?? defaults.stallTimeout,
            attempts: entry.attempts ?? defaults.attempts,
            parameters: entry.parameters?.generation ?? GenerationParameters(),
            extraBody: entry.extraBody ?? [:],
            concurrency: entry.concurrency, rateLimit: entry.rateLimit,
            maxResponseBytes: entry.maxResponseBytes ?? defaults.maxResponseBytes)
    }
}

struct ConfiguredSender {
    var sender: any ChatSender
    /// What counts as secret for this target; every file and terminal line about it goes through it.
    var redaction: RedactionPolicy
    /// The base URL as it may be shown and archived (secrets in it replaced).
    var redactedBaseURL: String { redaction.redact(url: baseURL) }
    fileprivate var baseURL: String
    /// The request for an item exactly as it would be sent, redacted (`--dry-run`).
    var preview: @Sendable (WorkItem) throws -> RecordedRequest
}


/// Builds the production sender (the libcurl client) for a target.
func makeSender(_ settings: TargetSettings) throws -> ConfiguredSender {
    guard let url = URL(string: settings.baseURL), let scheme = url.scheme?.lowercased(),
          scheme == "http" || scheme == "https", url.host != nil else {
        let shown = RedactionPolicy(explicit: settings.redact, apiKey: nil, headers: settings.headers,
                                    baseURL: settings.baseURL).redact(url: settings.baseURL)
        throw ConfigurationError("--base-url '\(TerminalText.sanitize(shown))' is not an http(s) URL")
    }
    let config = TargetConfig(
        name: settings.name, baseURL: settings.baseURL, model: settings.model, apiKeyEnv: settings.apiKeyEnv,
        headers: settings.headers, extraBody: settings.extraBody, parameters: settings.parameters,
        timeouts: TargetTimeouts(connect: settings.connectTimeout, total: settings.totalTimeout, stall: settings.stallTimeout),
        retry: RetryPolicy(maxAttempts: settings.attempts), redact: settings.redact,
        maxResponseBytes: settings.maxResponseBytes)
    let client = ChatClient(config: config)
    return ConfiguredSender(sender: client, redaction: client.redactor, baseURL: settings.baseURL,
                            preview: { try client.prepare($0).recorded })
}
