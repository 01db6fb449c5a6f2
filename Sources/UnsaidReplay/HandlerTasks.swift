import Foundation
import Synchronization

/// The script handler calls still running. Each one ends by completing a promise on a
/// connection's event loop, so `shutdown()` must let them finish before the loops stop —
/// completing a promise on a stopped loop is an error in SwiftNIO. The tasks prefer the server's
/// own `HandlerExecutor`, so a busy cooperative pool cannot keep the server from answering.
final class HandlerTasks: Sendable {
    private let executor = HandlerExecutor(name: "unsaid.loopback.handlers")
    private struct Running {
        var tasks: [UInt64: Task<Void, Never>] = [:]
        var nextID: UInt64 = 0
        var isClosed = false
    }
    private let running = Mutex(Running())

    /// Runs `body` in a new task unless shutdown has begun; returns false if it was refused.
    func run(_ body: @escaping @Sendable () async -> Void) -> Bool {
        running.withLock { running in
            guard !running.isClosed else { return false }
            let id = running.nextID
            running.nextID += 1
            // Registered under the lock, so the task's own removal can never come first.
            let work: @Sendable () async -> Void = {
                await body()
                self.remove(id)
            }
            running.tasks[id] = Task(executorPreference: executor, operation: work)
            return true
        }
    }

    /// Refuses new work, cancels what is running and waits for it to end.
    func closeAndDrain() async {
        let started: [Task<Void, Never>] = running.withLock { running in
            running.isClosed = true
            return Array(running.tasks.values)
        }
        for task in started {
            task.cancel()
        }
        for task in started {
            await task.value
        }
        executor.stop()
    }

    private func remove(_ id: UInt64) {
        running.withLock { running in
            _ = running.tasks.removeValue(forKey: id)
        }
    }
}
