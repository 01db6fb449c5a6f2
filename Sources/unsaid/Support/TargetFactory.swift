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
}

struct ConfiguredSender {
    var sender: any ChatSender
    /// The base URL as it may be shown and archived (secrets in it replaced).
    var redactedBaseURL: String
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
    return ConfiguredSender(sender: client, redactedBaseURL: client.redactor.redact(url: settings.baseURL))
}
