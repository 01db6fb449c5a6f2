import Foundation

/// Where the files of one run live: `Results/<run-id>/…`.
public struct ArchiveLayout: Sendable {
    public static let manifestName = "manifest.json"
    public static let transcriptsName = "transcripts.jsonl"
    public static let verdictsName = "verdicts.jsonl"
    public static let manifestDigestName = "manifest.sha256"
    public static let signatureName = "manifest.sig"
    public static let rulesetName = "ruleset.json"

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public var manifest: URL { directory.appendingPathComponent(Self.manifestName) }
    public var transcripts: URL { directory.appendingPathComponent(Self.transcriptsName) }
    public var verdicts: URL { directory.appendingPathComponent(Self.verdictsName) }
    public var manifestDigest: URL { directory.appendingPathComponent(Self.manifestDigestName) }
    public var signature: URL { directory.appendingPathComponent(Self.signatureName) }
    public var ruleset: URL { directory.appendingPathComponent(Self.rulesetName) }
    public var judgements: URL { directory.appendingPathComponent(JudgeRecords.fileName) }

    /// A sortable, readable run id: `20261123-045012-gemma3-270m-1a2b`.
    public static func makeRunID(model: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let slug = model.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
            .reduce(into: "") { result, character in
                if character == "-" && result.hasSuffix("-") { return }
                result.append(character)
            }
            .trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return "\(formatter.string(from: date))-\(slug.prefix(40))-\(suffix)"
    }
}

/// ISO 8601 UTC timestamps with milliseconds, as written in archives.
public enum Timestamp {
    public static func now() -> String { string(from: Date()) }

    public static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
