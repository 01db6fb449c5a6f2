import NIOCore
import NIOHTTP1

import UnsaidTranscript
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The I/O side of one server connection: collects requests from the HTTP decoder, asks the
/// script handler what to answer, and carries out the `ResponseScript` steps on the event loop —
/// waits are scheduled tasks, writes pause while the channel is not writable (backpressure).
/// Requests pipelined behind a response in progress are queued and answered in order.
/// Everything here runs on the channel's event loop.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private struct QueuedRequest {
        var request: ReceivedRequest
        var keepAlive: Bool
    }

    private let respond: @Sendable (ReceivedRequest) async -> ScriptedResponse
    private let handlerTasks: HandlerTasks
    private var incoming: (head: HTTPRequestHead, body: [UInt8])?
    private var queue: [QueuedRequest] = []
    private var awaitingScript = false
    private var script: ResponseScript?
    private var waitingForWritability = false
    private var pendingWait: Scheduled<Void>?
    private var lastWrite: EventLoopFuture<Void>?
    private var isOpen = true

    init(respond: @escaping @Sendable (ReceivedRequest) async -> ScriptedResponse, handlerTasks: HandlerTasks) {
        self.respond = respond
        self.handlerTasks = handlerTasks
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            incoming = (head, [])
            if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                // Without this a client holding back its body (libcurl does for large uploads)
                // would wait a second for us before sending it.
                write(context, context.channel.allocator.buffer(string: "HTTP/1.1 100 Continue\r\n\r\n"))
            }
        case .body(var chunk):
            if let bytes = chunk.readBytes(length: chunk.readableBytes) {
                incoming?.body.append(contentsOf: bytes)
            }
        case .end:
            guard let (head, body) = incoming else { return }
            incoming = nil
            let request = ReceivedRequest(
                method: head.method.rawValue,
                uri: head.uri,
                headers: head.headers.map { HTTPHeader(name: $0.name, value: $0.value) },
                body: body
            )
            queue.append(QueuedRequest(request: request, keepAlive: head.isKeepAlive))
            answerNextIfIdle(context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if waitingForWritability && context.channel.isWritable {
            waitingForWritability = false
            pump(context)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client went away (or we closed): drop whatever was still to be sent.
        isOpen = false
        pendingWait?.cancel()
        pendingWait = nil
        script = nil
        queue.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A client resetting or sending garbage is an expected event here, not a server failure:
        // answer a malformed request if nothing else is in flight, then drop the connection.
        if error is HTTPParserError, isOpen, script == nil, !awaitingScript, queue.isEmpty {
            let answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            write(context, context.channel.allocator.buffer(string: answer))
            closeAfterWrites(context)
            return
        }
        close(context)
    }

    private func answerNextIfIdle(_ context: ChannelHandlerContext) {
        guard isOpen, script == nil, !awaitingScript, !queue.isEmpty else { return }
        let next = queue.removeFirst()
        awaitingScript = true
        let respond = self.respond
        let request = next.request
        let promise = context.eventLoop.makePromise(of: ScriptedResponse.self)
        let started = handlerTasks.run {
            promise.succeed(await respond(request))
        }
        if !started {
            // The server is shutting down; this connection is about to be closed anyway.
            promise.fail(ChannelError.ioOnClosedChannel)
        }
        promise.futureResult.assumeIsolated().whenComplete { result in
            self.awaitingScript = false
            guard self.isOpen else { return }
            guard case .success(let response) = result else {
                self.close(context)
                return
            }
            self.script = ResponseScript(response, keepAlive: next.keepAlive)
            self.pump(context)
        }
    }

    /// Runs script steps until one has to wait: for a timer, for the socket to drain, or for the end.
    private func pump(_ context: ChannelHandlerContext) {
        while isOpen, !waitingForWritability, pendingWait == nil, let step = script?.next() {
            switch step {
            case .write(let buffer):
                write(context, buffer)
                if !context.channel.isWritable {
                    waitingForWritability = true
                }
            case .wait(let duration):
                pendingWait = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) {
                    self.pendingWait = nil
                    self.pump(context)
                }
            case .finish:
                script = nil
                answerNextIfIdle(context)
            case .close:
                script = nil
                closeAfterWrites(context)
            case .reset:
                script = nil
                resetAfterWrites(context)
            }
        }
    }

    private func write(_ context: ChannelHandlerContext, _ buffer: ByteBuffer) {
        lastWrite = context.writeAndFlush(wrapOutboundOut(buffer))
    }

    /// Closing fails writes still queued in NIO, so a clean close waits for the last one.
    private func closeAfterWrites(_ context: ChannelHandlerContext) {
        isOpen = false
        guard let lastWrite else {
            context.close(promise: nil)
            return
        }
        lastWrite.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// SO_LINGER with a zero timeout turns the close into a RST, which is how a proxy or a
    /// crashing upstream usually cuts a stream.
    private func resetAfterWrites(_ context: ChannelHandlerContext) {
        isOpen = false
        let written = lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
        written.assumeIsolated().whenComplete { _ in
            guard let provider = context.channel as? SocketOptionProvider else {
                context.close(promise: nil)
                return
            }
            provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                .assumeIsolated()
                .whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func close(_ context: ChannelHandlerContext) {
        isOpen = false
        pendingWait?.cancel()
        pendingWait = nil
        script = nil
        context.close(promise: nil)
    }
}
