import Foundation
import UnsaidSupport
import UnsaidTranscript
import UnsaidReplay

/// Runs the `unsaid` binary built beside the tests.
enum CLIHarness {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["UNSAID_BINARY"] { return URL(fileURLWithPath: override) }
        return packageRoot.appendingPathComponent(".build/debug/unsaid")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A started child whose output goes to files, not pipes: a pipe's write end can be
    /// inherited by another child the test process starts at the same moment (the llama.cpp
    /// server, say), and then reading to end-of-file would never return.
    final class Launched: Sendable {
        let process: Process
        let stdoutURL: URL
        let stderrURL: URL

        init(process: Process, stdoutURL: URL, stderrURL: URL) {
            self.process = process
            self.stdoutURL = stdoutURL
            self.stderrURL = stderrURL
        }

        /// Waits for exit on a dedicated thread. Neither Swift's cooperative pool nor GCD's
        /// global queues may block: on a 2-core machine they share two worker threads, and the
        /// in-process servers the child talks to need them.
        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let process = self.process
                Thread {
                    process.waitUntilExit(); continuation.resume()
                }.start()
            }
        }

        var result: Result {
            let stdout = (try? Data(contentsOf: stdoutURL)) ?? Data()
            let stderr = (try? Data(contentsOf: stderrURL)) ?? Data()
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
            return Result(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    /// Starts the binary; the caller waits or kills.
    /// - Parameter standardInput: what the child reads (a terminal's side, say); nothing when nil.
    static func launch(
        _ arguments: [String], environment: [String: String] = [:], directory: URL,
        executable: URL? = nil, standardInput: FileHandle? = nil
    ) throws -> Launched {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["OPENAI_API_KEY"] = nil
        env["OPENAI_BASE_URL"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-cli-out-\(UUID().uuidString)")
        let stdoutURL = base.appendingPathExtension("stdout")
        let stderrURL = base.appendingPathExtension("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = standardInput ?? FileHandle.nullDevice
        try process.run()
        return Launched(process: process, stdoutURL: stdoutURL, stderrURL: stderrURL)
    }

    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: URL,
        executable: URL? = nil, standardInput: FileHandle? = nil
    ) async throws -> Result {
        let launched = try launch(
            arguments, environment: environment, directory: directory, executable: executable,
            standardInput: standardInput)
        await launched.wait()
        return launched.result
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A suite file with `count` probes that expect an answer.
    static func writeSuite(in directory: URL, count: Int, name: String = "suite.yaml") throws -> String {
        var yaml =
            "id: cli\nname: CLI test suite\ndefaults:\n  category: censorship\n  expect: answer\n  max_tokens: 32\nprobes:\n"
        for index in 0..<count {
            yaml += "  - id: probe-\(index)\n    prompt: \"Question number \(index)?\"\n"
        }
        try yaml.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return name
    }

    /// SSE events of an ordinary answer, optionally with some text of the caller's in it.
    static func answerEvents(_ text: String) -> [String] {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return [
            #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Here is a factual answer. "},"finish_reason":null}]}"#
                + "\n\n",
            #"data: {"choices":[{"index":0,"delta":{"content":"\#(escaped)"},"finish_reason":null}]}"# + "\n\n",
            #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
            "data: [DONE]\n\n",
        ]
    }

    static func runDirectory(in results: URL) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: results.path).filter { !$0.hasPrefix(".") }
        guard let name = names.first, names.count == 1 else {
            throw CocoaError(.fileNoSuchFile)
        }
        return results.appendingPathComponent(name)
    }
}

/// Counts what the loopback server was asked, keyed by the probe's question.
actor RequestLog {
    private(set) var prompts: [String] = []
    private(set) var headers: [[HTTPHeader]] = []
    private(set) var uris: [String] = []

    func record(_ request: ReceivedRequest) {
        uris.append(request.uri)
        headers.append(request.headers)
        let body = JSONValue.parse(Data(request.body))
        let prompt = body?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
        prompts.append(prompt)
    }
}
