#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import UnsaidCore

/// Shows run progress: a redrawn bar on a terminal, one plain line per request otherwise
/// (so CI logs and pipes stay readable).
final class ProgressReporter: Sendable {
    private struct State {
        var started = ContinuousClock.now
        var lastDraw = ContinuousClock.now - .seconds(1)
    }

    private let isTerminal: Bool
    private let state = Mutex(State())

    init() {
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    func start() {
        state.withLock { $0.started = .now }
    }

    func update(_ progress: RunProgress) {
        let line: String? = state.withLock { state in
            let elapsed = state.started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(progress.completed) / seconds : 0
            if !isTerminal {
                return "[\(progress.completed)/\(progress.total)] \(progress.key) \(progress.verdict.rawValue)\n"
            }
            // Redraw at most ten times a second, and always for the last request.
            let now = ContinuousClock.now
            guard progress.completed == progress.total || state.lastDraw.duration(to: now) > .milliseconds(100) else {
                return nil
            }
            state.lastDraw = now
            let remaining = rate > 0 ? Double(progress.total - progress.completed) / rate : 0
            return "\r" + Self.bar(done: progress.completed, total: progress.total)
                + String(format: " %d/%d  %.2f/s  ETA %@", progress.completed, progress.total, rate,
                         Self.clock(remaining)) + "\u{1B}[K"
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func bar(done: Int, total: Int, width: Int = 30) -> String {
        let filled = total == 0 ? width : min(width, done * width / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    static func clock(_ seconds: Double) -> String {
        let whole = max(0, NumberLimits.clampedInt(seconds.rounded()))
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
