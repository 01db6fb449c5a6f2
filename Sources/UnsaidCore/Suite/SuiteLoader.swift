import Foundation
import Yams

/// A suite file that cannot be used, with where and why, written for the person at the terminal.
public struct SuiteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        if let field { return "\(location): \(field): \(message)" }
        return "\(location): \(message)"
    }
}

/// Reads suite files (YAML, or JSON which is YAML too).
public enum SuiteLoader {
    private struct SuiteFile: Decodable {
        var id: String
        var name: String?
        var description: String?
        var version: String?
        var defaults: Defaults?
        var probes: [ProbeFile]
    }

    private struct Defaults: Decodable {
        var system: String?
        var temperature: Double?
        var top_p: Double?
        var max_tokens: Int?
        var seed: Int?
        var stream: StreamMode?
        var language: String?
        var category: ProbeCategory?
        var expect: Expectation?
    }

    private struct ProbeFile: Decodable {
        var id: String
        var prompt: String?
        var messages: [ChatMessage]?
        var system: String?
        var language: String?
        var topic: String?
        var tags: [String]?
        var category: ProbeCategory?
        var expect: Expectation?
        var stream: StreamMode?
        var `repeat`: Int?
        var group: String?
        var temperature: Double?
        var top_p: Double?
        var max_tokens: Int?
        var seed: Int?
    }

    public static func load(path: String) throws -> Suite {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SuiteError(file: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SuiteError(file: path, message: "the file is not UTF-8 text")
        }
        let file: SuiteFile
        do {
            file = try YAMLDecoder().decode(SuiteFile.self, from: text)
        } catch let error as DecodingError {
            throw suiteError(path: path, decodingError: error)
        } catch let error as YamlError {
            throw SuiteError(file: path, message: "not valid YAML: \(error)")
        }
        let defaults = file.defaults
        let defaultParameters = GenerationParameters(
            temperature: defaults?.temperature, topP: defaults?.top_p,
            maxTokens: defaults?.max_tokens, seed: defaults?.seed)
        var seen = Set<String>()
        var probes: [Probe] = []
        for (index, entry) in file.probes.enumerated() {
            guard seen.insert(entry.id).inserted else {
                throw SuiteError(file: path, field: "probes[\(index)].id", message: "duplicate probe id '\(entry.id)'")
            }
            var messages: [ChatMessage] = []
            if let system = entry.system ?? defaults?.system {
                messages.append(ChatMessage(role: "system", content: system))
            }
            if let given = entry.messages, !given.isEmpty {
                messages.append(contentsOf: given)
            } else if let prompt = entry.prompt {
                messages.append(ChatMessage(role: "user", content: prompt))
            } else {
                throw SuiteError(file: path, field: "probes[\(index)]", message: "probe '\(entry.id)' has neither 'prompt' nor 'messages'")
            }
            let parameters = GenerationParameters(
                temperature: entry.temperature, topP: entry.top_p,
                maxTokens: entry.max_tokens, seed: entry.seed
            ).overriding(defaultParameters)
            probes.append(Probe(
                id: entry.id,
                messages: messages,
                language: entry.language ?? defaults?.language ?? "en",
                topic: entry.topic,
                tags: entry.tags ?? [],
                category: entry.category ?? defaults?.category ?? .control,
                expect: entry.expect ?? defaults?.expect ?? .any,
                stream: entry.stream ?? defaults?.stream ?? .on,
                repeatCount: entry.repeat ?? 1,
                group: entry.group,
                parameters: parameters))
        }
        return Suite(
            id: file.id, name: file.name ?? file.id, description: file.description ?? "",
            version: file.version ?? "1", probes: probes,
            sources: [SuiteSource(path: path, sha256: SHA256Hex.digest(data))])
    }

    private static func suiteError(path: String, decodingError: DecodingError) -> SuiteError {
        func field(_ path: [CodingKey]) -> String {
            path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                .joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch decodingError {
        case .keyNotFound(let key, let context):
            return SuiteError(file: path, field: field(context.codingPath + [key]), message: "required field is missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return SuiteError(file: path, field: field(context.codingPath), message: context.debugDescription)
        case .dataCorrupted(let context):
            return SuiteError(file: path, field: field(context.codingPath), message: context.debugDescription)
        @unknown default:
            return SuiteError(file: path, message: "\(decodingError)")
        }
    }
}
