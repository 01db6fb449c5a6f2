import Foundation
import UnsaidSuite
import UnsaidTranscript

/// Writes recorded exchanges as fixture files the replay server and the catalogue tests read.
/// Everything that could identify an account is redacted first: credential and cookie headers,
/// organisation/project ids, secret-looking URL query parameters and body fields, and any literal
/// secret the caller names (an API key's value) wherever it appears, wire bytes included.
/// The fields the request key hashes are never touched, so a redacted fixture still matches.
package enum FixtureWriter {
    package static let redactedValue = RedactionPolicy.placeholder

    /// Writes `<dir>/<meta.name>.json` (creating `dir`), replacing an existing file of that name.
    /// - Parameter secrets: literal values to scrub everywhere (typically the API key in use).
    /// - Returns: the file written.
    @discardableResult
    package static func write(
        probe: Probe, transcript: Transcript, meta: FixtureMeta, to directory: URL,
        secrets: [String] = []
    ) throws -> URL {
        guard isValidName(meta.name) else { throw FixtureError.invalidName(meta.name) }
        let fixture = Fixture(meta: meta, probe: probe, transcript: redact(transcript, secrets: secrets))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(meta.name + ".json")
        try fixture.encoded().write(to: url, options: .atomic)
        return url
    }

    /// A file name for a recorded request: `<probe>-<sample>-<stream|json>`, with characters a
    /// file name should not have replaced by `-`.
    package static func name(for key: WorkKey) -> String {
        let raw = "\(key.probe)-\(key.sample)-\(key.streamed ? "stream" : "json")"
        let slug = String(raw.map { isNameCharacter($0) ? $0 : "-" })
        return slug.hasPrefix(".") ? "_" + slug.dropFirst() : slug
    }

    /// Letters, digits, `.`, `-`, `_`; not starting with a dot; not clashing with a golden file.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.allSatisfy(isNameCharacter)
            && !(name + ".json").hasSuffix(Fixture.verdictSuffix)
    }

    /// The transcript with secrets removed by the same `RedactionPolicy` the archive uses, with
    /// `secrets` as its configured values. The decoded response is re-derived only when wire
    /// bytes had to change, so an untouched recording keeps exactly what the client decoded.
    package static func redact(_ transcript: Transcript, secrets: [String] = []) -> Transcript {
        RedactionPolicy(secrets: secrets).redact(transcript: transcript)
    }

    // MARK: - Rules

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character))
    }
}
