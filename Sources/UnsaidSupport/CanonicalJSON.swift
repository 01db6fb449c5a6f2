import Foundation

/// One way to turn values into JSON bytes everywhere Unsaid writes evidence.
///
/// Keys are sorted and slashes left alone so the same value always produces the same bytes on
/// every run; hash chains, golden files and `unsaid verify` depend on that.
package enum CanonicalJSON {
    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Human-facing files (manifest, goldens) are pretty-printed but still key-sorted.
    package static func encodePretty<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
