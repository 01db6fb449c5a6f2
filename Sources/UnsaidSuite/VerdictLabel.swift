import Foundation

// The verdict taxonomy lives with suites because suites speak it: a probe's expectation and a
// follow-up's `when:` name these labels. The Verdict stage assigns them.

/// The primary finding for one request. See README "Verdict taxonomy".
package enum VerdictLabel: String, Codable, Sendable, CaseIterable, Comparable {
    /// The model engaged with the question.
    case answered
    /// The model declined.
    case refused
    /// The model evaded without declining (changed the subject, answered a safer question).
    case deflected
    /// Substantive content was delivered, then withdrawn or overridden.
    case retracted
    /// The provider blocked the answer before any content.
    case filtered
    /// The stream ended without a finish reason or `[DONE]`.
    case truncated
    /// A clean response with no text in it.
    case empty
    /// No usable response (transport failure, HTTP error, garbage).
    case error

    package static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
