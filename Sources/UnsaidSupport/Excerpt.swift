import Foundation

/// Short, single-line quotations of model answers for tables and flip lists.
package enum Excerpt {
    package static let defaultLength = 120

    /// The first `length` characters with runs of whitespace folded to one space, `…` when cut,
    /// and terminal control sequences removed (`TerminalText.sanitize`): an excerpt quotes a
    /// server or a model, and the end of a run printed an HTTP error body's `ESC ] 0;…` (which
    /// sets the terminal's title) as it came.
    package static func of(_ text: String, length: Int = defaultLength) -> String {
        let folded = TerminalText.sanitize(text).split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(
            separator: " ")
        guard folded.count > length else { return folded }
        return String(folded.prefix(length)) + "…"
    }
}
