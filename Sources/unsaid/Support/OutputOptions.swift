#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import UnsaidSupport

/// `--quiet`, `--verbose` and `--json`, shared by every command that reports a result (`run`,
/// `compare`, `verify`, `runs`).
struct OutputOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print only problems and the result; no progress, no tables.")
    var quiet = false

    @Flag(name: [.short, .long], help: "Print every request as it completes and every problem (lists are not capped).")
    var verbose = false

    @Flag(
        name: .long,
        help: "Print one machine-readable JSON object on standard output; everything else goes to standard error.")
    var json = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose contradict each other; pick one") }
    }
}

/// Where a command's output goes. Results (tables, problem lists) go to standard output, or to
/// standard error under `--json` so standard output carries the JSON object alone; logs
/// (progress, what is being done) go to standard error and are dropped by `--quiet`.
struct Console: Sendable {
    let quiet: Bool
    let verbose: Bool
    let json: Bool
    /// Capabilities of the stream results go to, and of standard error (progress, logs).
    let results: TerminalCapabilities
    let logs: TerminalCapabilities

    init(_ options: OutputOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
        quiet = options.quiet
        verbose = options.verbose
        json = options.json
        logs = TerminalCapabilities(isTerminal: isatty(STDERR_FILENO) == 1, environment: environment)
        results =
            options.json ? logs : TerminalCapabilities(isTerminal: isatty(STDOUT_FILENO) == 1, environment: environment)
    }

    var style: TextStyle { results.style }

    /// A result for people (a table, a list): standard output, or standard error under `--json`.
    func result(_ text: String) {
        guard !text.isEmpty else { return }
        write(
            text.hasSuffix("\n") ? text : text + "\n", to: json ? FileHandle.standardError : FileHandle.standardOutput)
    }

    /// Progress and narration: standard error, not under `--quiet`.
    func log(_ text: String) {
        guard !quiet else { return }
        write(text.hasSuffix("\n") ? text : text + "\n", to: FileHandle.standardError)
    }

    /// The machine-readable object, alone on standard output.
    func emit(json text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n", to: FileHandle.standardOutput)
    }

    /// Part of the machine-readable object, written as it comes (the object ends in its newline).
    func emit(piece text: String) {
        write(text, to: FileHandle.standardOutput)
    }

    private func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }
}
