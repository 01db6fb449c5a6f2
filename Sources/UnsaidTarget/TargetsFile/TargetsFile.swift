import Foundation
import Yams
import UnsaidSuite
import UnsaidSupport

/// One endpoint as named in a targets file (`unsaid.yaml`).
package struct TargetEntry: Codable, Sendable, Equatable {
    package struct Timeouts: Codable, Sendable, Equatable {
        package var connect: Double?
        package var total: Double?
        package var stall: Double?
    }

    package var name: String
    package var baseURL: String
    package var model: String
    package var apiKeyEnv: String?
    package var headers: [String: String]?
    package var parameters: Parameters?
    package var extraBody: [String: JSONValue]?
    /// Requests in flight at once for this target.
    package var concurrency: Int?
    /// Requests started per minute at most (providers' rate limits).
    package var rateLimit: Double?
    package var timeouts: Timeouts?
    package var attempts: Int?
    /// Body bytes kept per answer before the transfer is stopped (`--max-response-bytes`).
    package var maxResponseBytes: Int?

    package struct Parameters: Codable, Sendable, Equatable {
        package var temperature: Double?
        package var topP: Double?
        package var maxTokens: Int?
        package var seed: Int?

        enum CodingKeys: String, CodingKey {
            case temperature, seed
            case topP = "top_p"
            case maxTokens = "max_tokens"
        }

        package var generation: GenerationParameters {
            GenerationParameters(temperature: temperature, topP: topP, maxTokens: maxTokens, seed: seed)
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, model, headers, parameters, concurrency, timeouts, attempts
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case extraBody = "extra_body"
        case rateLimit = "rate_limit"
        case maxResponseBytes = "max_response_bytes"
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
package struct TargetsFile: Codable, Sendable, Equatable {
    package var targets: [TargetEntry]

    package static func load(path: String) throws -> TargetsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SuiteError(file: path, message: "cannot read the targets file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let root = try TargetsFileShape.compose(text, path: path)
        /// An error positioned at the YAML node of `codingPath` (or its nearest existing parent).
        func error(_ codingPath: [CodingKey], _ message: String) -> SuiteError {
            let mark = Self.node(at: codingPath, in: root)?.mark
            return SuiteError(
                file: path, line: mark?.line, column: mark?.column,
                field: CodingPathText.describe(codingPath), message: message)
        }
        let file: TargetsFile
        do {
            file = try YAMLDecoder().decode(TargetsFile.self, from: text)
        } catch let DecodingError.keyNotFound(key, context) {
            let base = error(context.codingPath, "")
            throw SuiteError(
                file: path, line: base.line, column: base.column,
                field: CodingPathText.describe(context.codingPath + [key]), message: "required field is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw error(context.codingPath, "has the wrong type")
        } catch let DecodingError.dataCorrupted(context) {
            throw error(context.codingPath, context.debugDescription)
        } catch let yamlError as YamlError {
            throw SuiteError(file: path, message: "not valid YAML: \(yamlError)")
        } catch {
            throw SuiteError(file: path, message: "not a valid targets file: \(error)")
        }
        var seen = Set<String>()
        for (index, target) in file.targets.enumerated() {
            let entry: [CodingKey] = [TargetsKey("targets"), TargetsKey(index)]
            guard seen.insert(target.name).inserted else {
                throw error(entry + [TargetsKey("name")], "duplicate target name '\(target.name)'")
            }
            // Every number is range-checked here, at its line and column, not trusted downstream.
            var problems: [([String], String?)] = [
                (["rate_limit"], target.rateLimit.flatMap(NumberLimits.rateLimit)),
                (["concurrency"], target.concurrency.flatMap(NumberLimits.concurrency)),
                (["attempts"], target.attempts.flatMap(NumberLimits.attempts)),
                (["timeouts", "connect"], target.timeouts?.connect.flatMap(NumberLimits.seconds)),
                (["timeouts", "total"], target.timeouts?.total.flatMap(NumberLimits.seconds)),
                (["timeouts", "stall"], target.timeouts?.stall.flatMap(NumberLimits.seconds)),
            ]
            if let parameters = target.parameters {
                problems += [
                    (["parameters", "temperature"], parameters.temperature.flatMap(NumberLimits.temperature)),
                    (["parameters", "top_p"], parameters.topP.flatMap(NumberLimits.topP)),
                    (["parameters", "max_tokens"], parameters.maxTokens.flatMap(NumberLimits.maxTokens)),
                ]
            }
            for case let (keys, problem?) in problems {
                throw error(entry + keys.map { TargetsKey($0) }, problem)
            }
            if let cap = target.maxResponseBytes, cap < 1 {
                throw error(entry + [TargetsKey("max_response_bytes")], "must be at least 1 byte")
            }
        }
        return file
    }

    /// The named targets, in the order asked; an unknown name is an error listing the known ones.
    package func select(_ names: [String], file: String) throws -> [TargetEntry] {
        try names.map { name in
            guard let target = targets.first(where: { $0.name == name }) else {
                throw SuiteError(
                    file: file,
                    message: "no target named '\(name)' (known: \(targets.map(\.name).joined(separator: ", ")))")
            }
            return target
        }
    }

    /// The node a coding path points at, or the deepest one that exists on the way.
    private static func node(at path: [CodingKey], in root: Node?) -> Node? {
        var current = root
        for key in path {
            guard let node = current else { return nil }
            if let index = key.intValue, let sequence = node.sequence, index < sequence.count {
                current = sequence[index]
            } else if let mapping = node.mapping, let child = mapping[Node(key.stringValue)] {
                current = child
            } else {
                return node
            }
        }
        return current
    }
}

/// A coding path element built by hand, for positioning checks done after decoding.
private struct TargetsKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init(_ index: Int) {
        stringValue = "\(index)"
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(intValue) }
}
