/// Waiting in tests for something another thread or task does, without a test that hangs when it
/// never happens.
package enum Polling {
    /// Polls until `condition` holds, for at most ten seconds; whether it held.
    package static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<1_000 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
