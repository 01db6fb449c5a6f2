import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript

/// One recorded exchange as a file: `Tests/Fixtures/<name>.json`. The transcript is the very type
/// an archive stores, so a fixture and a line of `transcripts.jsonl` are interchangeable to the
/// replay server, and a recording can be promoted to a fixture by adding metadata.
package struct Fixture: Codable, Sendable, Equatable {
    package var meta: FixtureMeta
    /// The probe as it was sent; its `expect` is what the verdict's outcome is judged against.
    package var probe: Probe
    package var transcript: Transcript

    /// The file suffix of a golden verdict stored beside a fixture; such files are not fixtures.
    package static let verdictSuffix = ".verdict.json"

    /// The canonical key of the request this fixture answers.
    package var requestKey: FixtureRequestKey {
        get throws { try FixtureRequestKey(body: transcript.request.body) }
    }

    /// The bytes a fixture file holds: key-sorted, pretty-printed, ending in a newline, so a
    /// re-written fixture only differs where its content does.
    package func encoded() throws -> Data {
        try CanonicalJSON.encodePretty(self)
    }

    package static func load(from url: URL) throws -> Fixture {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError.unreadable(path: url.path)
        }
        do {
            return try CanonicalJSON.decode(Fixture.self, from: data)
        } catch {
            throw FixtureError.invalid(path: url.path, reason: Self.describe(error))
        }
    }

    /// A decoding error as one line naming the field, instead of Foundation's debug dump.
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            let keys = CodingPathText.describe(context.codingPath)
            return keys.isEmpty ? "top level" : keys
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "not valid at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}
