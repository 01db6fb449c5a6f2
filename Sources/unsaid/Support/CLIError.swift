import ArgumentParser
import Foundation
import UnsaidArchive
import UnsaidRun
import UnsaidSupport

/// A problem with what the user asked for (flags, config, suite files). Printed as one line,
/// exit code 2, per the CLI contract (0 done, 1 run finished with errored probes, 2 usage/config).
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// What `body` returns; whatever it throws becomes one line for the user (exit 2), after
    /// `context` when there is one (`cannot load rules: …`).
    static func catching<T>(_ context: String = "", _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw ConfigurationError(context + "\(error)") }
    }
}

/// Any error that is one line for the user and exit code 2: the CLI's own, and the run stage's
/// refusals (a resume that does not match its archive, a run id that is not a name, …).
protocol UsageProblem: Error, CustomStringConvertible {}
extension ConfigurationError: UsageProblem {}
extension RunSetupError: UsageProblem {}
/// A key file that is missing, unreadable, not a key, or one `keygen` would overwrite.
extension ArchiveSigner.KeyError: UsageProblem {}

enum ExitCodes {
    static let done: Int32 = 0
    static let finishedWithErrors: Int32 = 1
    static let usage: Int32 = 2
}

/// Error messages can quote server text or file contents: escape sequences are stripped so they
/// cannot rewrite the terminal.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(TerminalText.sanitize(message))\n".utf8))
}
