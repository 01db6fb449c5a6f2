import Foundation

/// The script handler calls still running. Each one ends by completing a promise on a
/// connection's event loop, so `shutdown()` must let them finish before the loops stop —
/// completing a promise on a stopped loop is an error in SwiftNIO. The tasks prefer the server's
/// own `HandlerExecutor`, so a busy cooperative pool cannot keep the server from answering.
final class HandlerTasks: @unchecked Sendable {
    private let executor = HandlerExecutor(name: "unsaid.loopback.handlers")
    private let lock = NSLock()
    private var tasks: [UInt64: Task<Void, Never>] = [:]
    private var nextID: UInt64 = 0
    private var isClosed = false

    /// Runs `body` in a new task unless shutdown has begun; returns false if it was refused.
    func run(_ body: @escaping @Sendable () async -> Void) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return false }
        let id = nextID
        nextID += 1
        // Registered under the lock, so the task's own removal can never come first.
        let work: @Sendable () async -> Void = {
            await body()
            self.remove(id)
        }
        if #available(macOS 15, *) {
            tasks[id] = Task(executorPreference: executor, operation: work)
        } else {
            tasks[id] = Task(operation: work)
        }
        return true
    }

    /// Refuses new work, cancels what is running and waits for it to end.
    func closeAndDrain() async {
        let running: [Task<Void, Never>] = lock.withLock {
            isClosed = true
            return Array(tasks.values)
        }
        for task in running {
            task.cancel()
        }
        for task in running {
            await task.value
        }
        executor.stop()
    }

    private func remove(_ id: UInt64) {
        lock.withLock {
            _ = tasks.removeValue(forKey: id)
        }
    }
}
