import ArgumentParser
import Foundation
import UnsaidSupport

@main
struct Unsaid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsaid",
        abstract: "Probe language models for refusals, deflections and retracted answers.",
        discussion: """
            Unsaid sends prompt suites to any OpenAI-compatible chat-completions endpoint, keeps the \
            raw wire bytes of every answer, and scores what the model refused, deflected or streamed \
            and then withdrew. Runs are archived under Results/ and can be verified and re-scored offline.
            """,
        version: UnsaidVersion.string,
        subcommands: [
            RunCommand.self,
            VerifyCommand.self,
            SignCommand.self,
            KeygenCommand.self,
            RunsCommand.self,
            MergeCommand.self,
            RescoreCommand.self,
            TargetsCommand.self,
            EvalDetectorCommand.self,
            DetectorCommand.self,
            SuitesCommand.self,
            ReportCommand.self,
            CompareCommand.self,
            TrendCommand.self,
            ReplayCommand.self,
            ReviewCommand.self,
        ]
    )

    /// Parses and runs like ArgumentParser's own `main`, but maps usage and configuration
    /// errors to exit code 2 as the CLI documents (ArgumentParser alone would use 64).
    static func main() async {
        AllocatorSettings.apply()
        do {
            var command = try parseAsRoot(BareStreamFlag.normalized(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as any UsageProblem {
            printError(error.description)
            Foundation.exit(ExitCodes.usage)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitCodes.usage)
            }
            exit(withError: error)
        }
    }
}
