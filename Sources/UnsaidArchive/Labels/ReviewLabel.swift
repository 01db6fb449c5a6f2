import Foundation

/// What a person says a request's answer was. The detector's evaluation classes (`answered`,
/// `refused`, `deflected`, `partial`) plus the verdict labels a reviewer may need to confirm or
/// correct a wire-level finding (`retracted`, `filtered`, `truncated`, `empty`, `error`).
package enum ReviewLabel: String, Codable, Sendable, CaseIterable {
    case answered
    case refused
    case deflected
    /// Part of the question answered, part declined.
    case partial
    case retracted
    case filtered
    case truncated
    case empty
    case error

    /// The labels as a reader should see them listed in an error message.
    package static var spelled: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The class `eval-detector` and `detector train` compare against (`DetectorRow.label`), or
    /// nil for labels that say nothing about the answer's text (a cut stream, an empty body, an
    /// error). Mirrors `DetectorPrediction.evaluationClass`: a retraction is `partial`, a
    /// provider block a refusal.
    package var detectorClass: String? {
        switch self {
        case .answered, .refused, .deflected, .partial: return rawValue
        case .retracted: return "partial"
        case .filtered: return "refused"
        case .truncated, .empty, .error: return nil
        }
    }
}
