import Foundation

/// The file formats `unsaid suites import` reads.
package enum ImportFormat: String, CaseIterable, Sendable {
    /// A header row with a `prompt` column (any case); other columns become `column:value` tags.
    case csv
    /// One JSON object per line with a `prompt` field; other scalar fields become tags.
    case jsonl
    /// One prompt per non-empty line.
    case txt
}

/// Choices the person importing makes for the whole suite.
package struct ImportOptions: Sendable {
    package var suiteID: String
    package var name: String?
    package var category: ProbeCategory?
    package var expect: Expectation?
    package var language: String?
    /// The column or field holding the prompt (`prompt` by default; compared case-insensitively).
    package var promptField: String

    package init(
        suiteID: String, name: String? = nil, category: ProbeCategory? = nil,
        expect: Expectation? = nil, language: String? = nil, promptField: String = "prompt"
    ) {
        self.suiteID = suiteID
        self.name = name
        self.category = category
        self.expect = expect
        self.language = language
        self.promptField = promptField
    }
}

/// The imported suite and notes about records that were skipped.
package struct ImportResult: Sendable {
    package var draft: SuiteDraft
    /// `file:line: …` for each record left out (an empty prompt, say), for the terminal.
    package var notes: [String]
}
