import Foundation

/// Detection rules as data. The verdict is a pure function of (transcript, ruleset); the
/// ruleset's version and SHA-256 go into every archive so a run can be re-scored exactly.
public struct Ruleset: Codable, Sendable {
    public struct Phrase: Codable, Sendable {
        public var id: String
        public var language: String
        public var text: String
    }

    public struct CannedText: Codable, Sendable {
        public var id: String
        public var text: String
    }

    public var version: String
    /// Below this many characters of (trimmed) text, content is not "substantive".
    public var substantiveCharacters: Int
    /// A refusal phrase only counts when it starts within this many characters of the answer.
    public var openingWindowCharacters: Int
    public var moderationFinishReasons: [String]
    public var refusalPhrases: [Phrase]
    public var cannedTexts: [CannedText]

    /// SHA-256 of the file the ruleset was read from.
    public private(set) var sha256: String = ""
    /// The exact bytes the ruleset was read from; archives keep a copy (`ruleset.json`) so
    /// `unsaid verify` can re-derive verdicts with the rules that produced them.
    public private(set) var snapshot = Data()

    private enum CodingKeys: String, CodingKey {
        case version, substantiveCharacters, openingWindowCharacters, moderationFinishReasons,
             refusalPhrases, cannedTexts
    }

    public static func load(from data: Data) throws -> Ruleset {
        var ruleset = try JSONDecoder().decode(Ruleset.self, from: data)
        ruleset.sha256 = SHA256Hex.digest(data)
        ruleset.snapshot = data
        return ruleset
    }

    /// The ruleset shipped with this build.
    public static func bundled() throws -> Ruleset {
        guard let url = Bundle.module.url(forResource: "ruleset", withExtension: "json", subdirectory: "Rules") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try load(from: Data(contentsOf: url))
    }
}
