import Foundation

/// The file formats `unsaid suites import` reads.
public enum ImportFormat: String, CaseIterable, Sendable {
    /// A header row with a `prompt` column (any case); other columns become `column:value` tags.
    case csv
    /// One JSON object per line with a `prompt` field; other scalar fields become tags.
    case jsonl
    /// One prompt per non-empty line.
    case txt
}

/// Choices the person importing makes for the whole suite.
public struct ImportOptions: Sendable {
    public var suiteID: String
    public var name: String?
    public var category: ProbeCategory?
    public var expect: Expectation?
    public var language: String?
    /// The column or field holding the prompt (`prompt` by default; compared case-insensitively).
    public var promptField: String

    public init(suiteID: String, name: String? = nil, category: ProbeCategory? = nil,
                expect: Expectation? = nil, language: String? = nil, promptField: String = "prompt") {
        self.suiteID = suiteID
        self.name = name
        self.category = category
        self.expect = expect
        self.language = language
        self.promptField = promptField
    }
}

/// The imported suite and notes about records that were skipped.
public struct ImportResult: Sendable {
    public var draft: SuiteDraft
    /// `file:line: …` for each record left out (an empty prompt, say), for the terminal.
    public var notes: [String]
}
