import Foundation

/// Short, single-line quotations of model answers for tables and flip lists.
package enum Excerpt {
    package static let defaultLength = 120

    /// The first `length` characters with runs of whitespace folded to one space, `…` when cut.
    package static func of(_ text: String, length: Int = defaultLength) -> String {
        let folded = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        guard folded.count > length else { return folded }
        return String(folded.prefix(length)) + "…"
    }
}
