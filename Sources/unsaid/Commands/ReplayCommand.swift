import ArgumentParser
import Foundation
import UnsaidReplay
import UnsaidFixture

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Serve recorded answers as an OpenAI-compatible endpoint on loopback.",
        subcommands: [ReplayServeCommand.self])
}

struct ReplayServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer /v1/chat/completions from fixtures or a run archive, byte for byte, at the recorded pace.",
        discussion: """
            PATH is a fixture directory (Tests/Fixtures), a run directory (Results/<run>), or one \
            fixture or transcripts.jsonl file. A request is matched to its recording by a canonical \
            hash of model, messages, temperature, top_p, max_tokens, seed and stream; an unmatched one \
            gets a 404 naming the nearest recording. Faults are asked for per request with the header \
            X-Unsaid-Fault, e.g. 'close-after=100', 'reset', 'stall=2', 'drip=5', \
            'status=429;retry-after=1', 'malformed-chunk', 'invalid-utf8', 'huge-body=100MB', 'no-done', \
            'no-final-newline' (see docs/replay.md). Runs until interrupted.
            """)

    @Argument(
        help: ArgumentHelp("Fixture directory, run directory, fixture file or transcripts.jsonl.", valueName: "path"))
    var path: String

    @Option(name: .long, help: ArgumentHelp("Port to listen on; 0 picks a free one.", valueName: "port"))
    var port: Int = 8_088

    @Option(
        name: .long, help: ArgumentHelp("Loopback address to bind (127.0.0.1, ::1 or localhost).", valueName: "host"))
    var host: String = "127.0.0.1"

    @Option(
        name: .long,
        help: ArgumentHelp("1 = recorded pace, 10 = ten times faster, max = no delays.", valueName: "speed"))
    var speed: ReplaySpeed = .recorded

    func run() async throws {
        let library: ReplayLibrary
        do {
            library = try ReplayLibrary.load(from: URL(fileURLWithPath: path))
        } catch let error as FixtureError {
            throw ConfigurationError(error.description)
        }
        let server: ReplayServer
        do {
            server = try await ReplayServer.start(library: library, host: host, port: port, speed: speed)
        } catch let error as LoopbackServerError {
            throw ConfigurationError(error.description)
        } catch {
            throw ConfigurationError("cannot listen on \(host):\(port): \(error)")
        }
        let count = library.fixtures.count
        // Written straight to the file handle so a script piping the output sees it at once.
        let banner =
            "serving \(count) recording\(count == 1 ? "" : "s") from \(path) at \(server.baseURL) (speed \(speed)); Ctrl-C stops\n"
        FileHandle.standardOutput.write(Data(banner.utf8))
        _ = try? await withInterruptHandling {
            // Sleeps until Ctrl-C cancels it.
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(3_600))
            }
        }
        try await server.shutdown()
    }
}

extension ReplaySpeed: ExpressibleByArgument {
    package init?(argument: String) {
        self.init(argument)
    }
}
