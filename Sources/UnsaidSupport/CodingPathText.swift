/// A Codable path as people write it: `targets[1].base_url`.
package enum CodingPathText {
    package static func describe(_ path: [CodingKey]) -> String {
        let keys = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return keys.hasPrefix(".") ? String(keys.dropFirst()) : keys
    }
}
