import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM for the whole `run` command. `install()` is called first thing, so a signal
/// that arrives while the archive is being created or resumed is remembered instead of killing
/// the process with the manifest still saying `running`; the work then starts already cancelled
/// and ends as an ordinary interrupt (status `interrupted`, resumable).
enum InterruptSignals {
    private struct State {
        var interrupted = false
        var cancel: (@Sendable () -> Void)?
    }

    private static let state = Mutex(State())
    private static let sources = Mutex<[DispatchSourceSignal]>([])

    /// Idempotent; never undone (the process exits at the end of the command anyway).
    static func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    let cancel = state.withLock { state -> (@Sendable () -> Void)? in
                        // A second signal exits at once.
                        if state.interrupted { Foundation.exit(130) }
                        state.interrupted = true
                        return state.cancel
                    }
                    cancel?()
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Registers what a signal cancels; runs it at once when a signal already came.
    static func onInterrupt(_ cancel: @escaping @Sendable () -> Void) {
        let already = state.withLock { state -> Bool in
            state.cancel = cancel
            return state.interrupted
        }
        if already { cancel() }
    }
}

/// Runs `body`, cancelling it on SIGINT/SIGTERM so in-flight transfers are aborted and what has
/// completed stays archived. A second Ctrl-C exits at once.
func withInterruptHandling<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    InterruptSignals.install()
    let task = Task { try await body() }
    InterruptSignals.onInterrupt { task.cancel() }
    defer { InterruptSignals.onInterrupt {} }
    return try await task.value
}
