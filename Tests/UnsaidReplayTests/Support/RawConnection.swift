import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the server ended the connection, as the client saw it.
enum Ending: Sendable, Equatable {
    case eof
    case reset
    case error(String)
}

/// What the client has read so far.
struct RawReply: Sendable {
    /// Everything read, or empty when the connection streams into a `PatternCheck` instead.
    var bytes: [UInt8]
    /// Nil while the connection is still open.
    var ending: Ending?

    var streamed: PatternCheck.Summary?

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A bare TCP client for testing the server without any HTTP client library in between: it
/// sends exactly the bytes it is given and keeps exactly the bytes it gets back.
final class RawConnection: Sendable {
    private let channel: Channel
    private let collector: NIOLoopBound<Collector>

    private init(channel: Channel, collector: NIOLoopBound<Collector>) {
        self.channel = channel
        self.collector = collector
    }

    /// With `streamingCheck`, bytes are de-chunked and checked as they arrive instead of kept.
    static func connect(port: Int, streamingCheck: PatternCheck? = nil) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(check: streamingCheck))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        let collector = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: Collector.self), eventLoop: channel.eventLoop)
        }.get()
        return RawConnection(channel: channel, collector: collector)
    }

    /// Connects, sends `request` and reads until the server ends the connection.
    static func exchange(port: Int, _ request: String) async throws -> RawReply {
        let connection = try await connect(port: port)
        try await connection.send(request)
        return try await connection.waitForEnd()
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(string: text))
    }

    /// Returns once at least `count` bytes have arrived, or the connection has ended.
    func waitFor(atLeast count: Int) async throws -> RawReply {
        let collector = self.collector
        let eventLoop = channel.eventLoop
        return try await eventLoop.flatSubmit {
            collector.value.reply(atLeast: count, on: eventLoop)
        }.get()
    }

    func waitForEnd() async throws -> RawReply {
        try await waitFor(atLeast: Int.max)
    }

    func close() async {
        try? await channel.close()
    }
}

/// Keeps every byte read and wakes waiters once enough bytes have arrived or the socket ended.
private final class Collector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var bytes: [UInt8] = []
    private var received = 0
    private var check: PatternCheck?
    private var ending: Ending?
    private var waiters: [(count: Int, promise: EventLoopPromise<RawReply>)] = []

    init(check: PatternCheck?) {
        self.check = check
    }

    func reply(atLeast count: Int, on eventLoop: EventLoop) -> EventLoopFuture<RawReply> {
        let promise = eventLoop.makePromise(of: RawReply.self)
        waiters.append((count, promise))
        wake()
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let read = buffer.readBytes(length: buffer.readableBytes) {
            received += read.count
            if check != nil {
                check?.feed(read)
            } else {
                bytes.append(contentsOf: read)
            }
        }
        wake()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if ending == nil {
            if let io = error as? IOError, io.errnoCode == ECONNRESET {
                ending = .reset
            } else {
                ending = .error(String(describing: error))
            }
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if ending == nil {
            ending = .eof
        }
        wake()
        context.fireChannelInactive()
    }

    private func wake() {
        waiters.removeAll { waiter in
            guard ending != nil || received >= waiter.count else { return false }
            waiter.promise.succeed(RawReply(bytes: bytes, ending: ending, streamed: check?.summary))
            return true
        }
    }
}
