import Foundation
import UnsaidSupport

/// How fast recorded bytes are replayed: the recorded gaps between chunks divided by a factor
/// (1 = recorded pace, 10 = ten times faster), or no delays at all (`max`, for tests and benchmarks).
package enum ReplaySpeed: Sendable, Equatable, CustomStringConvertible {
    case factor(Double)
    case max

    package static let recorded = ReplaySpeed.factor(1)

    /// Parses `max` or a positive number (`1`, `10`, `0.5`).
    package init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "max" {
            self = .max
        } else if let factor = Double(text), factor.isFinite, factor > 0 {
            self = .factor(factor)
        } else {
            return nil
        }
    }

    /// A recorded gap in microseconds at this speed; negative gaps (clock noise) count as zero.
    package func scaled(micros: Int64) -> Duration {
        switch self {
        case .max:
            return .zero
        case .factor(let factor):
            let scaled = Double(Swift.max(0, micros)) / factor
            return .microseconds(NumberLimits.clampedInt64(scaled.rounded()))
        }
    }

    package var description: String {
        switch self {
        case .max: return "max"
        case .factor(let factor):
            return factor.rounded() == factor ? String(Int(factor)) : String(factor)
        }
    }
}
