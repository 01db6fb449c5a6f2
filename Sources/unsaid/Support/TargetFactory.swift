import Foundation
import UnsaidCore

/// Target settings gathered from flags (and later from a targets file).
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
}

struct ConfiguredSender {
    var sender: any ChatSender
    var redactedBaseURL: String
}

/// Builds the production sender (the libcurl client) for a target.
func makeSender(_ settings: TargetSettings) throws -> ConfiguredSender {
    throw ConfigurationError("transport not wired yet")
}
