import Foundation

/// An OpenAI-compatible endpoint on loopback that answers from recordings: a fixture directory,
/// a run's archive, or fixtures handed over in memory. A request is matched by the canonical hash
/// of its body (`FixtureRequestKey`); the recorded bytes go out exactly as recorded, chunk by
/// chunk at the recorded pace scaled by `speed`, with faults from the `X-Unsaid-Fault` header
/// or the fixture's metadata. Built on `LoopbackServer`, so the client path is the real one.
package final class ReplayServer: Sendable {
    package let library: ReplayLibrary
    package let speed: ReplaySpeed
    private let server: LoopbackServer

    package var port: Int { server.port }
    /// The OpenAI-style base URL clients append `/chat/completions` to.
    package var baseURL: String { server.baseURL }

    private init(library: ReplayLibrary, speed: ReplaySpeed, server: LoopbackServer) {
        self.library = library
        self.speed = speed
        self.server = server
    }

    /// Serves the recordings at `path` (see `FixtureCollection.load(from:)`).
    package static func start(
        serving path: URL, host: String = "127.0.0.1", port: Int = 0,
        speed: ReplaySpeed = .recorded
    ) async throws -> ReplayServer {
        try await start(library: ReplayLibrary.load(from: path), host: host, port: port, speed: speed)
    }

    package static func start(
        library: ReplayLibrary, host: String = "127.0.0.1", port: Int = 0,
        speed: ReplaySpeed = .recorded
    ) async throws -> ReplayServer {
        let responder = ReplayResponder(library: library, speed: speed)
        let server = try await LoopbackServer.start(host: host, port: port) { request in
            switch responder.answer(request) {
            case .respond(let response):
                return response
            case .silence:
                // Ends when the server shuts down (the handler task is cancelled).
                try? await Task.sleep(for: .seconds(3_600))
                return ScriptedResponse.json(504, "{}").with(fault: .resetImmediately)
            }
        }
        return ReplayServer(library: library, speed: speed, server: server)
    }

    /// Stops listening and closes every connection; safe to call more than once.
    package func shutdown() async throws {
        try await server.shutdown()
    }
}
