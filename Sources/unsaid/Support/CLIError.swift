import ArgumentParser
import Foundation
import UnsaidRun
import UnsaidSupport

/// A problem with what the user asked for (flags, config, suite files). Printed as one line,
/// exit code 2, per the CLI contract (0 done, 1 run finished with errored probes, 2 usage/config).
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Any error that is one line for the user and exit code 2: the CLI's own, and the run stage's
/// refusals (a resume that does not match its archive, a run id that is not a name, …).
protocol UsageProblem: Error, CustomStringConvertible {}
extension ConfigurationError: UsageProblem {}
extension RunSetupError: UsageProblem {}

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
