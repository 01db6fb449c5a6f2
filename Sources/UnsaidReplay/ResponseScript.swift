import NIOCore
import NIOHTTP1
import UnsaidSupport
import UnsaidTranscript

/// The protocol side of the loopback server: turns one `ScriptedResponse` into the exact sequence
/// of socket actions — writes, waits, and one terminal step — with chunk framing and faults
/// applied. It knows nothing of sockets, so every fault can be tested by reading the steps; the
/// connection handler only carries them out. Bodies are produced lazily, one write at a time.
package struct ResponseScript {
    enum Step: Equatable {
        /// Bytes to put on the wire as one write (already framed).
        case write(ByteBuffer)
        /// Pause before the next step.
        case wait(Duration)
        /// The response is complete; the connection may serve the next request.
        case finish
        /// Close the connection cleanly (FIN); terminal.
        case close
        /// Abort the connection with a TCP reset; terminal.
        case reset
    }

    private enum Phase {
        case head, body, end, terminal, done
    }

    private let status: Int
    private let headers: [HTTPHeader]
    private let parts: [ScriptedPart]
    private let fault: Fault?
    private let chunked: Bool
    private let closeWhenDone: Bool
    private let allocator = ByteBufferAllocator()

    private var phase = Phase.head
    private var partIndex = 0
    private var offsetInPart = 0
    private var partDelayDone = false
    private var sentBodyBytes = 0
    private var faultFired = false
    private var owesDripWait = false

    /// - Parameter keepAlive: whether the request allows the connection to be reused; the script
    ///   ends in `.close` instead of `.finish` when it doesn't or the response says `Connection: close`.
    init(_ response: ScriptedResponse, keepAlive: Bool) {
        let response = response.fault == .noFinalNewline ? Self.droppingFinalNewline(response) : response
        self.status = response.status
        self.parts = response.parts
        self.fault = response.fault
        self.closeWhenDone = !keepAlive || response.closesConnection
        let hasLength = response.headers.first(named: "Content-Length") != nil
        self.chunked = !hasLength
        var headers = response.headers
        if !hasLength && headers.first(named: "Transfer-Encoding") == nil {
            headers.append(HTTPHeader(name: "Transfer-Encoding", value: "chunked"))
        }
        self.headers = headers
    }

    mutating func next() -> Step? {
        switch phase {
        case .head:
            if fault == .resetImmediately {
                phase = .done
                return .reset
            }
            phase = .body
            return .write(encodeHead())
        case .body:
            return nextBodyStep()
        case .end:
            if let step = fireFaultIfDue(bodyFinished: true) {
                return step
            }
            phase = .terminal
            if chunked {
                return .write(allocator.buffer(string: "0\r\n\r\n"))
            }
            return next()
        case .terminal:
            phase = .done
            return closeWhenDone ? .close : .finish
        case .done:
            return nil
        }
    }

    private mutating func nextBodyStep() -> Step? {
        if let step = fireFaultIfDue(bodyFinished: false) {
            return step
        }
        while partIndex < parts.count {
            let part = parts[partIndex]
            if !partDelayDone {
                partDelayDone = true
                if part.delay > .zero {
                    return .wait(part.delay)
                }
            }
            let remaining = part.byteCount - offsetInPart
            if remaining <= 0 {
                partIndex += 1
                offsetInPart = 0
                partDelayDone = false
                continue
            }
            if owesDripWait, case .drip(let intervalMs) = fault {
                owesDripWait = false
                return .wait(.milliseconds(min(max(0, intervalMs), Int(NumberLimits.maximumSeconds) * 1_000)))
            }
            var count = remaining
            if case .repeated(_, _, let chunkSize, _) = part {
                count = min(count, max(1, chunkSize))
            }
            if case .drip = fault {
                count = 1
                owesDripWait = true
            }
            if let limit = faultLimit, !faultFired, limit > sentBodyBytes {
                count = min(count, limit - sentBodyBytes)
            }
            let buffer = frame(part, from: offsetInPart, count: count)
            offsetInPart += count
            sentBodyBytes += count
            return .write(buffer)
        }
        phase = .end
        return next()
    }

    /// The body offset at which a cut or stall happens, if the fault has one.
    private var faultLimit: Int? {
        switch fault {
        case .closeAfter(let bytes): return max(0, bytes)
        case .reset(let afterBytes), .stall(let afterBytes, _): return max(0, afterBytes)
        default: return nil
        }
    }

    /// Acts out a cut or stall once its byte count is reached, or at the end of a body that was
    /// shorter than the count (so `closeAfter(bytes: .max)` means "everything but the terminator").
    private mutating func fireFaultIfDue(bodyFinished: Bool) -> Step? {
        guard let limit = faultLimit, !faultFired, bodyFinished || sentBodyBytes >= limit else {
            return nil
        }
        faultFired = true
        switch fault {
        case .closeAfter:
            phase = .done
            return .close
        case .reset:
            phase = .done
            return .reset
        case .stall(_, let seconds):
            // Clamped: a fault built in code is not range-checked like a parsed header.
            return .wait(.seconds(min(max(0, seconds), NumberLimits.maximumSeconds)))
        default:
            return nil
        }
    }

    private func encodeHead() -> ByteBuffer {
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        var buffer = allocator.buffer(capacity: 256)
        buffer.writeString("HTTP/1.1 \(status) \(reason)\r\n")
        for header in headers {
            buffer.writeString("\(header.name): \(header.value)\r\n")
        }
        buffer.writeString("\r\n")
        return buffer
    }

    /// `count` bytes of `part` starting at `offset`, wrapped in chunk framing when chunked.
    private func frame(_ part: ScriptedPart, from offset: Int, count: Int) -> ByteBuffer {
        let sizeLine = String(count, radix: 16, uppercase: true) + "\r\n"
        var buffer = allocator.buffer(capacity: count + (chunked ? sizeLine.utf8.count + 2 : 0))
        if chunked {
            buffer.writeString(sizeLine)
        }
        switch part {
        case .bytes(let bytes, _):
            buffer.writeBytes(bytes[offset..<(offset + count)])
        case .repeated(let unit, _, _, _):
            var position = offset % unit.count
            var left = count
            while left > 0 {
                let take = min(left, unit.count - position)
                buffer.writeBytes(unit[position..<(position + take)])
                left -= take
                position = 0
            }
        }
        if chunked {
            buffer.writeString("\r\n")
        }
        return buffer
    }

    private static func droppingFinalNewline(_ response: ScriptedResponse) -> ScriptedResponse {
        var copy = response
        guard let lastIndex = copy.parts.lastIndex(where: { $0.byteCount > 0 }),
            case .bytes(let bytes, let delay) = copy.parts[lastIndex],
            bytes.suffix(2) == [0x0A, 0x0A]
        else {
            return copy
        }
        copy.parts[lastIndex] = .bytes(Array(bytes.dropLast(2)), delay: delay)
        if let index = copy.headers.firstIndex(where: { $0.name.lowercased() == "content-length" }) {
            copy.headers[index].value = String(copy.bodyByteCount)
        }
        return copy
    }
}
