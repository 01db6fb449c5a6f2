import Foundation

/// A thread of the server's own on which its request handlers run.
///
/// Handlers used to run as ordinary tasks on Swift's cooperative pool, which has one thread per
/// core. Whatever else shares the process — in `make test`, tests decoding 100 MB bodies — can
/// hold every one of those threads for seconds; a request arriving then waited for a thread, the
/// client saw a silent server and cut the attempt as a stall. With this executor as the handler
/// tasks' preference, the server answers however busy the pool is. Work a handler hands to an
/// actor still runs where that actor runs.
final class HandlerExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    /// Guarded by `condition`.
    private var stopping = false
    /// Guarded by `condition`; set by the thread as it leaves.
    private var finished = false

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = condition.withLock {
            guard !finished else { return false }
            jobs.append(job)
            condition.signal()
            return true
        }
        // The thread has gone (the server shut down and a straggler resumed): run it here rather
        // than lose it; the caller's thread is as good as any once nothing else is served.
        if !accepted {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Lets the thread finish the jobs already queued, then end.
    func stop() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func run() {
        while true {
            let batch: [UnownedJob] = condition.withLock {
                while jobs.isEmpty && !stopping {
                    condition.wait()
                }
                if jobs.isEmpty {
                    finished = true
                }
                defer { jobs = [] }
                return jobs
            }
            if batch.isEmpty { return }
            for job in batch {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }
}
