import ArgumentParser
import UnsaidCore

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
            SuitesCommand.self,
        ]
    )
}
