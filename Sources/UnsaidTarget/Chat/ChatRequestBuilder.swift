import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript

/// Builds the exact bytes and headers of a chat-completions request. Pure: the same config, key
/// and work item always give the same request, byte for byte (keys sorted by `CanonicalJSON`).
package enum ChatRequestBuilder {
    /// The body as a JSON object: `model`, `messages`, the sampling parameters that are set
    /// (the work item's, falling back to the target's defaults), `stream`, `stream_options`, then
    /// the target's extra fields.
    package static func bodyObject(config: TargetConfig, item: WorkItem) -> [String: JSONValue] {
        let streamed = item.key.streamed
        let parameters = item.parameters.overriding(config.parameters)
        var object: [String: JSONValue] = [
            "model": .string(config.model),
            "messages": .array(
                item.probe.messages.map {
                    .object(["role": .string($0.role), "content": .string($0.content)])
                }),
            "stream": .bool(streamed),
        ]
        if let temperature = parameters.temperature { object["temperature"] = .double(temperature) }
        if let topP = parameters.topP { object["top_p"] = .double(topP) }
        if let maxTokens = parameters.maxTokens { object["max_tokens"] = .int(Int64(maxTokens)) }
        if let seed = parameters.seed { object["seed"] = .int(Int64(seed)) }
        if streamed, config.includeUsage {
            object["stream_options"] = .object(["include_usage": .bool(true)])
        }
        for (key, value) in config.extraBody where key != "stream" {
            object[key] = value
        }
        return object
    }

    /// The body bytes. Throws only for values JSON cannot express (a NaN temperature).
    package static func body(config: TargetConfig, item: WorkItem) throws -> [UInt8] {
        [UInt8](try CanonicalJSON.encode(JSONValue.object(bodyObject(config: config, item: item))))
    }

    /// Default headers, then the target's extra headers (sorted by name, so the order is stable);
    /// an extra header replaces a default of the same name.
    package static func headers(config: TargetConfig, apiKey: String?, streamed: Bool) -> [HTTPHeader] {
        var headers = [
            HTTPHeader(name: "Content-Type", value: "application/json"),
            HTTPHeader(name: "Accept", value: streamed ? "text/event-stream" : "application/json"),
            HTTPHeader(name: "User-Agent", value: "unsaid/\(UnsaidVersion.string)"),
        ]
        if let apiKey, !apiKey.isEmpty {
            headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(apiKey)"))
        }
        for name in config.headers.keys.sorted() {
            guard let value = config.headers[name] else { continue }
            headers.removeAll { $0.name.lowercased() == name.lowercased() }
            headers.append(HTTPHeader(name: name, value: value))
        }
        return headers
    }
}
