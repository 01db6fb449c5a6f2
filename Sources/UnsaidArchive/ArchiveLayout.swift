import Foundation
import UnsaidSupport

/// Where the files of one run live: `Results/<run-id>/…`.
package struct ArchiveLayout: Sendable {
    package static let manifestName = "manifest.json"
    package static let transcriptsName = "transcripts.jsonl"
    package static let verdictsName = "verdicts.jsonl"
    package static let manifestDigestName = "manifest.sha256"
    package static let signatureName = "manifest.sig"
    package static let rulesetName = "ruleset.json"

    package let directory: URL

    package init(directory: URL) {
        self.directory = directory
    }

    package var manifest: URL { directory.appendingPathComponent(Self.manifestName) }
    package var transcripts: URL { directory.appendingPathComponent(Self.transcriptsName) }
    package var verdicts: URL { directory.appendingPathComponent(Self.verdictsName) }
    package var manifestDigest: URL { directory.appendingPathComponent(Self.manifestDigestName) }
    package var signature: URL { directory.appendingPathComponent(Self.signatureName) }
    package var ruleset: URL { directory.appendingPathComponent(Self.rulesetName) }
    package var judgements: URL { directory.appendingPathComponent(JudgeRecords.fileName) }

    /// A sortable, readable run id: `20261123-045012-gemma3-270m-1a2b`.
    package static func makeRunID(model: String, date: Date = Date()) -> String {
        let slug = model.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
            .reduce(into: "") { result, character in
                if character == "-" && result.hasSuffix("-") { return }
                result.append(character)
            }
            .trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(UTCTimestamp.compact(from: date))-\(slug.prefix(40))-\(suffix)"
    }
}

/// ISO 8601 UTC timestamps with milliseconds, as written in archives.
package enum Timestamp {
    package static func now() -> String { string(from: Date()) }

    package static func string(from date: Date) -> String { UTCTimestamp.string(from: date) }
}
