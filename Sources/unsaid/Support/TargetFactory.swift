import Foundation
import UnsaidCore
import UnsaidTarget

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
            concurrency: entry.concurrency, rateLimit: entry.rateLimit)
    }
}

struct ConfiguredSender {
    var sender: any ChatSender
    /// The base URL as it may be shown and archived (secrets in it replaced).
    var redactedBaseURL: String
    /// The request for an item exactly as it would be sent, redacted (`--dry-run`).
    var preview: @Sendable (WorkItem) throws -> RecordedRequest
}


/// Builds the production sender (the libcurl client) for a target.
func makeSender(_ settings: TargetSettings) throws -> ConfiguredSender {
    guard let url = URL(string: settings.baseURL), let scheme = url.scheme?.lowercased(),
          scheme == "http" || scheme == "https", url.host != nil else {
        throw ConfigurationError("--base-url '\(settings.baseURL)' is not an http(s) URL")
    }
    let config = TargetConfig(
        name: settings.name, baseURL: settings.baseURL, model: settings.model, apiKeyEnv: settings.apiKeyEnv,
        headers: settings.headers, extraBody: settings.extraBody, parameters: settings.parameters,
        timeouts: TargetTimeouts(connect: settings.connectTimeout, total: settings.totalTimeout, stall: settings.stallTimeout),
        retry: RetryPolicy(maxAttempts: settings.attempts), redact: settings.redact)
    let client = ChatClient(config: config)
    return ConfiguredSender(sender: client, redactedBaseURL: client.redactor.redact(url: settings.baseURL),
                            preview: { try client.prepare($0).recorded })
}
