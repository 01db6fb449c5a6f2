import Dispatch
import Foundation

/// Runs `body`, cancelling it on SIGINT/SIGTERM so in-flight transfers are aborted and what has
/// completed stays archived. A second Ctrl-C exits at once.
func withInterruptHandling<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task { try await body() }
    var sources: [DispatchSourceSignal] = []
    for signalNumber in [SIGINT, SIGTERM] {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            if task.isCancelled { Foundation.exit(130) }
            task.cancel()
        }
        source.resume()
        sources.append(source)
    }
    defer {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
    return try await task.value
}
