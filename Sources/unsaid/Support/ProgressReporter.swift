#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import UnsaidRun
import UnsaidSuite
import UnsaidSupport

/// Shows run progress: a bar redrawn in place on a terminal that can do it, one plain line per
/// request otherwise (pipes, CI logs, `TERM=dumb`, `--verbose`), nothing under `--quiet`.
final class ProgressReporter: Sendable {
    private struct State {
        var started = ContinuousClock.now
        var lastDraw = ContinuousClock.now - .seconds(1)
        var eta: ETAEstimator
        var drewBar = false
    }

    private enum Mode { case silent, lines, bar }

    private let mode: Mode
    private let style: TextStyle
    private let state: Mutex<State>

    init(console: Console, total: Int, alreadyDone: Int) {
        if console.quiet {
            mode = .silent
        } else if console.logs.redraw && !console.verbose {
            mode = .bar
        } else {
            mode = .lines
        }
        style = console.logs.style
        state = Mutex(State(eta: ETAEstimator(total: total, alreadyDone: alreadyDone)))
    }

    func start() {
        state.withLock { $0.started = .now }
    }

    func update(_ progress: RunProgress) {
        let line: String? = state.withLock { state in
            let now = ContinuousClock.now
            state.eta.record(at: Self.seconds(state.started.duration(to: now)))
            switch mode {
            case .silent:
                return nil
            case .lines:
                return
                    "[\(progress.completed)/\(progress.total)] \(progress.key.displayName) \(paint(progress.verdict))\n"
            case .bar:
                // Redraw at most ten times a second, and always for the last request.
                guard progress.completed == progress.total || state.lastDraw.duration(to: now) > .milliseconds(100)
                else {
                    return nil
                }
                state.lastDraw = now
                state.drewBar = true
                let eta = state.eta.remaining.map(Self.clock) ?? "--:--"
                return "\r" + Self.bar(done: progress.completed, total: progress.total)
                    + String(format: " %d/%d  %.2f/s  ETA %@", progress.completed, progress.total, state.eta.rate, eta)
                    + "\u{1B}[K"
            }
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        let drew = state.withLock { $0.drewBar }
        if mode == .bar && drew { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func paint(_ verdict: VerdictLabel) -> String {
        switch verdict {
        case .answered: verdict.rawValue
        case .error: style.red(verdict.rawValue)
        default: style.yellow(verdict.rawValue)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
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
