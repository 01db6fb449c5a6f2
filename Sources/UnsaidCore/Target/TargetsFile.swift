import Foundation
import Yams

/// One endpoint as named in a targets file (`unsaid.yaml`).
public struct TargetEntry: Codable, Sendable, Equatable {
    public struct Timeouts: Codable, Sendable, Equatable {
        public var connect: Double?
        public var total: Double?
        public var stall: Double?
    }

    public var name: String
    public var baseURL: String
    public var model: String
    public var apiKeyEnv: String?
    public var headers: [String: String]?
    public var parameters: Parameters?
    public var extraBody: [String: JSONValue]?
    /// Requests in flight at once for this target.
    public var concurrency: Int?
    /// Requests started per minute at most (providers' rate limits).
    public var rateLimit: Double?
    public var timeouts: Timeouts?
    public var attempts: Int?

    public struct Parameters: Codable, Sendable, Equatable {
        public var temperature: Double?
        public var topP: Double?
        public var maxTokens: Int?
        public var seed: Int?

        enum CodingKeys: String, CodingKey {
            case temperature, seed
            case topP = "top_p"
            case maxTokens = "max_tokens"
        }

        public var generation: GenerationParameters {
            GenerationParameters(temperature: temperature, topP: topP, maxTokens: maxTokens, seed: seed)
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, model, headers, parameters, concurrency, timeouts, attempts
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case extraBody = "extra_body"
        case rateLimit = "rate_limit"
    }
}

/// `unsaid.yaml`: the endpoints a team compares.
///
/// ```yaml
/// targets:
///   - name: local
///     base_url: http://127.0.0.1:8080/v1
///     model: gemma3-270m
///     api_key_env: LOCAL_KEY        # default OPENAI_API_KEY
///     headers: {X-Team: audit}
///     parameters: {temperature: 0, max_tokens: 512}
///     concurrency: 4
///     rate_limit: 60                # requests per minute
///     timeouts: {connect: 10, total: 300, stall: 60}
///     attempts: 3
/// ```
public struct TargetsFile: Codable, Sendable, Equatable {
    public var targets: [TargetEntry]

    public static func load(path: String) throws -> TargetsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SuiteError(file: path, message: "cannot read the targets file")
        }
        let file: TargetsFile
        do {
            file = try YAMLDecoder().decode(TargetsFile.self, from: String(decoding: data, as: UTF8.self))
        } catch let DecodingError.keyNotFound(key, context) {
            throw SuiteError(file: path, field: CodingPathText.describe(context.codingPath + [key]), message: "required field is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw SuiteError(file: path, field: CodingPathText.describe(context.codingPath), message: "has the wrong type")
        } catch let DecodingError.dataCorrupted(context) {
            throw SuiteError(file: path, field: CodingPathText.describe(context.codingPath), message: context.debugDescription)
        } catch {
            throw SuiteError(file: path, message: "not a valid targets file: \(error)")
        }
        var seen = Set<String>()
        for (index, target) in file.targets.enumerated() {
            guard seen.insert(target.name).inserted else {
                throw SuiteError(file: path, field: "targets[\(index)].name", message: "duplicate target name '\(target.name)'")
            }
            if let rate = target.rateLimit, rate <= 0 {
                throw SuiteError(file: path, field: "targets[\(index)].rate_limit", message: "must be a positive number of requests per minute")
            }
            if let concurrency = target.concurrency, concurrency < 1 {
                throw SuiteError(file: path, field: "targets[\(index)].concurrency", message: "must be at least 1")
            }
        }
        return file
    }

    /// The named targets, in the order asked; an unknown name is an error listing the known ones.
    public func select(_ names: [String], file: String) throws -> [TargetEntry] {
        try names.map { name in
            guard let target = targets.first(where: { $0.name == name }) else {
                throw SuiteError(file: file, message: "no target named '\(name)' (known: \(targets.map(\.name).joined(separator: ", ")))")
            }
            return target
        }
    }
}
