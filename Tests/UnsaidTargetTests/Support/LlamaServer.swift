import Foundation

/// The embedded llama.cpp server (scripts/llama_server.py), started once per test process and
/// shared by every test that needs it.
///
/// The server exits when its standard input closes, so it never outlives the test process: the
/// pipe's write end is held here for the life of the process and the kernel closes it on exit.
actor LlamaServer {
    static let shared = LlamaServer()

    struct Setup: Sendable {
        var python: String
        var model: String
    }

    /// The interpreter and model from `UNSAID_LLAMA_PYTHON` / `UNSAID_LLAMA_MODEL`, if both are set.
    static var setup: Setup? {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["UNSAID_LLAMA_PYTHON"], !python.isEmpty,
            let model = environment["UNSAID_LLAMA_MODEL"], !model.isEmpty
        else { return nil }
        return Setup(python: python, model: model)
    }

    /// `UNSAID_REQUIRE_INTEGRATION=1` turns "not configured" from a skip into a failure.
    static var isRequired: Bool {
        ProcessInfo.processInfo.environment["UNSAID_REQUIRE_INTEGRATION"] == "1"
    }

    /// Whether integration tests run at all (they then fail if required but not configured).
    static var isEnabled: Bool { setup != nil || isRequired }

    /// A running server process; kept only so its pipe and process object stay alive.
    final class Running: @unchecked Sendable {
        let process: Process
        let stdin: Pipe
        let port: Int

        init(process: Process, stdin: Pipe, port: Int) {
            self.process = process
            self.stdin = stdin
            self.port = port
        }
    }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    private var launch: Task<Running, Error>?

    /// The port the server listens on, starting it on first use.
    func port() async throws -> Int {
        if let launch { return try await launch.value.port }
        guard let setup = Self.setup else {
            throw LaunchError(description: "UNSAID_LLAMA_PYTHON and UNSAID_LLAMA_MODEL must be set")
        }
        let task = Task { try await Self.start(setup) }
        launch = task
        return try await task.value.port
    }

    private static var scriptPath: String {
        // Tests/UnsaidTargetTests/Support/LlamaServer.swift → the package root.
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/llama_server.py").path
    }

    private static func start(_ setup: Setup) async throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setup.python)
        process.arguments = [scriptPath, "--model", setup.model]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        // llama.cpp logs a lot; a file keeps it out of the test output but available on failure.
        let logPath = NSTemporaryDirectory() + "unsaid-llama-\(ProcessInfo.processInfo.processIdentifier).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath) ?? FileHandle.nullDevice
        try process.run()

        let port: Int = try await withCheckedThrowingContinuation { continuation in
            // A plain thread, not the cooperative pool: the read blocks for as long as the
            // model takes to load. It keeps draining stdout afterwards so the server never
            // blocks on a full pipe.
            let reader = Thread {
                let handle = stdout.fileHandleForReading
                var buffer = ""
                var resumed = false
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    guard !resumed else { continue }
                    buffer += String(decoding: data, as: UTF8.self)
                    for line in buffer.split(separator: "\n") where line.hasPrefix("READY ") {
                        if let port = Int(line.dropFirst("READY ".count).trimmingCharacters(in: .whitespaces)) {
                            resumed = true
                            continuation.resume(returning: port)
                            break
                        }
                    }
                }
                if !resumed {
                    continuation.resume(
                        throwing: LaunchError(
                            description: "llama_server.py exited before READY; see \(logPath)"))
                }
            }
            reader.start()
        }
        return Running(process: process, stdin: stdin, port: port)
    }
}
