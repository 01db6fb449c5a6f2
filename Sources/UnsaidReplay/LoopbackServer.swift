import Foundation
import NIOCore
import Synchronization
import NIOHTTP1
import NIOPosix

/// A scripted HTTP/1.1 server on the loopback interface: every request is handed to an async
/// handler, whose `ScriptedResponse` is played back byte for byte — delays, chunking and faults
/// included. It is what tests, fault drills, replay and the benchmark talk to instead of a
/// real provider. It owns its event loops, so `shutdown()` leaves nothing running.
package final class LoopbackServer: Sendable {
    package let port: Int
    /// The OpenAI-style base URL clients append `/chat/completions` to.
    package let baseURL: String

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let handlerTasks: HandlerTasks
    private let shutdownState = ShutdownState()
    private let accepted: AcceptedConnections

    /// Connections accepted so far: how a test tells whether a client kept its connections open
    /// between requests or opened new ones.
    package var acceptedConnections: Int { accepted.count.load(ordering: .relaxed) }

    private init(
        group: MultiThreadedEventLoopGroup,
        channel: Channel,
        handlerTasks: HandlerTasks,
        accepted: AcceptedConnections,
        port: Int,
        urlHost: String
    ) {
        self.group = group
        self.accepted = accepted
        self.handlerTasks = handlerTasks
        self.channel = channel
        self.port = port
        self.baseURL = "http://\(urlHost):\(port)/v1"
    }

    /// Starts listening. `port` 0 picks a free port (read it back from `port`).
    /// - Throws: `LoopbackServerError.nonLoopbackHost` for any host that is not loopback.
    package static func start(
        host: String = "127.0.0.1",
        port: Int = 0,
        handler: @escaping @Sendable (ReceivedRequest) async -> ScriptedResponse
    ) async throws -> LoopbackServer {
        let host = try LoopbackHost(host)
        guard (0...65535).contains(port) else {
            throw LoopbackServerError.invalidPort(port)
        }
        // Two loops keep a benchmark's server side off the critical path without
        // crowding small machines.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: min(2, System.coreCount))
        let handlerTasks = HandlerTasks()
        let accepted = AcceptedConnections()
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 256)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                // SSE timing is the point of many scripts: never let Nagle merge events.
                .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    accepted.count.add(1, ordering: .relaxed)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
                        )
                        try channel.pipeline.syncOperations.addHandler(
                            ConnectionHandler(respond: handler, handlerTasks: handlerTasks))
                    }
                }
                .bind(host: host.address, port: port)
                .get()
            guard let boundPort = channel.localAddress?.port else {
                try? await channel.close()
                throw LoopbackServerError.noBoundPort
            }
            return LoopbackServer(
                group: group,
                channel: channel,
                handlerTasks: handlerTasks,
                accepted: accepted,
                port: boundPort,
                urlHost: host.urlHost
            )
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening, waits for handler calls in flight (they are cancelled, so a handler that
    /// honours cancellation returns promptly), then closes every open connection.
    /// Safe to call more than once.
    package func shutdown() async throws {
        guard shutdownState.claim() else { return }
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // Nothing to do: the listener is already gone.
        }
        // Handler calls in flight complete promises on the loops: let them land first.
        await handlerTasks.closeAndDrain()
        // Shutting the loops down closes every connection still registered on them.
        try await group.shutdownGracefully()
    }
}

/// The server's count of accepted connections, shared with the channel initializer.
private final class AcceptedConnections: Sendable {
    let count = Atomic<Int>(0)
}

/// Makes `shutdown()` idempotent across tasks.
private final class ShutdownState: Sendable {
    private let claimed = Mutex(false)

    /// True for the first caller only.
    func claim() -> Bool {
        claimed.withLock { claimed in
            if claimed { return false }
            claimed = true
            return true
        }
    }
}
