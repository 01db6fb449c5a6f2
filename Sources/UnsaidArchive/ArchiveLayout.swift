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

    /// Why a command's `--out` may not write `path`, or nil: it names a file a run archive keeps
    /// (in a directory holding a `manifest.json`, or in its `shards/`). `report --out
    /// Results/r/transcripts.jsonl` replaced the run's raw wire bytes with Markdown and said
    /// "wrote"; no output of Unsaid's belongs in one of those names.
    package static func outputProblem(_ path: String) -> String? {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        let directory = url.deletingLastPathComponent()
        func isRun(_ directory: URL) -> Bool {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent(manifestName).path)
        }
        let kept =
            [
                manifestName, transcriptsName, verdictsName, manifestDigestName, signatureName, rulesetName,
                JudgeRecords.fileName, LabelsLedger.fileName, LabelsLedger.headName, ProvenanceRecord.fileName,
                ArchiveLock.fileName,
            ].contains(name) || name.hasPrefix("verdicts.") || name.hasPrefix("metrics.")
        let inShards = directory.lastPathComponent == "shards" && isRun(directory.deletingLastPathComponent())
        guard (kept && isRun(directory)) || inShards else { return nil }
        return "\(path) is a file of the run archive in \(directory.path); write the output elsewhere"
    }

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
