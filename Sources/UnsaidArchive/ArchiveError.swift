import Foundation

/// Something wrong with an archive on disk, phrased for the person at the terminal.
package enum ArchiveError: Error, CustomStringConvertible, Equatable {
    case io(path: String, reason: String)
    case alreadyExists(path: String)
    case missing(path: String)
    case corrupt(file: String, line: Int, reason: String)
    case unsupportedFormat(found: Int, supported: Int)
    case mismatch(String)
    /// A sealed run whose files no longer match its manifest (`SealedRunCheck`).
    case changedAfterSealing(run: String, problem: String)

    package var description: String {
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .alreadyExists(let path): return "\(path): already exists; choose another --out or run id"
        case .missing(let path): return "\(path): not found (is this a Results/<run> directory?)"
        case .corrupt(let file, let line, let reason): return "\(file):\(line): \(reason)"
        case .unsupportedFormat(let found, let supported):
            return "manifest format version \(found) is newer than this unsaid supports (\(supported)); upgrade unsaid"
        case .mismatch(let reason): return reason
        case .changedAfterSealing(let run, let problem):
            return "\(problem): \(run) was changed after it was sealed; unsaid verify \(run) shows what differs"
        }
    }
}
