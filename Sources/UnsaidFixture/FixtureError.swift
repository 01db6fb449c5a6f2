import Foundation

/// Why fixtures could not be read or written, phrased for the person at the terminal.
package enum FixtureError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case invalid(path: String, reason: String)
    /// A directory with neither fixture files nor a run's `transcripts.jsonl`.
    case nothingToServe(path: String)
    case invalidName(String)

    package var description: String {
        switch self {
        case .unreadable(let path):
            return "cannot read \(path)"
        case .invalid(let path, let reason):
            return "\(path) is not a fixture: \(reason)"
        case .nothingToServe(let path):
            return "\(path) holds no recordings: expected fixture files (*.json) or a run's transcripts.jsonl"
        case .invalidName(let name):
            return "'\(name)' cannot be a fixture name: use letters, digits, '.', '-' and '_'"
        }
    }
}
