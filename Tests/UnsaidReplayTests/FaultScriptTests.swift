import Foundation
import Testing
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidReplay

/// How a recorded attempt becomes the scripted response the server plays: pacing, headers and
/// every body fault, checked on the bytes without a socket.
@Suite struct FaultScriptTests {
    static let first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
    static let second = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    static let done = "data: [DONE]\n\n"

    static let streamAttempt = Attempt(
        index: 0, startedAt: "x", elapsed: 500_000, status: 200,
        headers: [
            HTTPHeader(name: "Content-Type", value: "text/event-stream"),
            HTTPHeader(name: "Transfer-Encoding", value: "chunked"),
            HTTPHeader(name: "Connection", value: "keep-alive"),
            HTTPHeader(name: "x-request-id", value: "r1"),
        ],
        chunks: [
            WireChunk(t: 100_000, bytes: Array(first.utf8)), WireChunk(t: 150_000, bytes: Array(second.utf8)),
            WireChunk(t: 400_000, bytes: Array(done.utf8)),
        ],
        failure: nil, response: DecodedResponse())

    static let jsonBody = #"{"choices":[{"index":0,"message":{"content":"Hi"},"finish_reason":"stop"}]}"#
    static let jsonAttempt = Attempt(
        index: 0, startedAt: "x", elapsed: 90_000, status: 200,
        headers: [
            HTTPHeader(name: "Content-Type", value: "application/json"),
            HTTPHeader(name: "Content-Length", value: "999"),
        ],
        chunks: [WireChunk(t: 80_000, bytes: Array(jsonBody.utf8))], failure: nil, response: DecodedResponse())

    private func make(
        _ faults: String = "", attempt: Attempt = streamAttempt, streamed: Bool = true,
        speed: ReplaySpeed = .max
    ) throws -> ScriptedResponse {
        RecordedResponse.make(
            attempt, streamed: streamed, name: "rec", speed: speed, faults: try ReplayFault.parseList(faults))
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func recordedGapsAreScaledBySpeed() throws {
        let response = try make(speed: .factor(10))
        #expect(response.status == 200)
        #expect(
            response.parts == [
                .bytes(bytes(Self.first), delay: .milliseconds(10)),
                .bytes(bytes(Self.second), delay: .milliseconds(5)),
                .bytes(bytes(Self.done), delay: .milliseconds(25)),
            ])
        #expect(response.fault == nil)
        // Framing headers are the replay's own; the rest is passed on, plus the recording's name.
        #expect(
            response.headers == [
                HTTPHeader(name: "Content-Type", value: "text/event-stream"),
                HTTPHeader(name: "x-request-id", value: "r1"),
                HTTPHeader(name: "X-Unsaid-Recording", value: "rec"),
            ])
    }

    @Test func maxSpeedHasNoDelaysAndRecordedPaceKeepsThem() throws {
        #expect(try make(speed: .max).parts.map(\.delay) == [.zero, .zero, .zero])
        #expect(
            try make(speed: .recorded).parts.map(\.delay) == [
                .milliseconds(100), .milliseconds(50), .milliseconds(250),
            ])
        #expect(ReplaySpeed("10") == .factor(10))
        #expect(ReplaySpeed("MAX") == .max)
        #expect(ReplaySpeed("0") == nil)
        #expect(ReplaySpeed("fast") == nil)
    }

    @Test func noDoneRemovesTheDoneEventOnly() throws {
        let response = try make("no-done")
        #expect(response.parts.map(\.byteCount) == [Self.first.utf8.count, Self.second.utf8.count, 0])
        #expect(BodyParts(response.parts).bytes == bytes(Self.first + Self.second))
    }

    @Test func malformedChunkAddsAnEventThatIsNotJSONAfterTheFirst() throws {
        let response = try make("malformed-chunk")
        let expected =
            Self.first + "data: {\"id\":\"unsaid-fault\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\n\n"
            + Self.second + Self.done
        #expect(BodyParts(response.parts).bytes == bytes(expected))
    }

    @Test func malformedJSONBodyLosesItsLastByteAndKeepsAnHonestLength() throws {
        let response = try make("malformed-chunk", attempt: Self.jsonAttempt, streamed: false)
        #expect(BodyParts(response.parts).bytes == Array(Self.jsonBody.utf8.dropLast()))
        #expect(response.headers.first(named: "Content-Length") == String(Self.jsonBody.utf8.count - 1))
    }

    @Test func invalidUTF8GoesIntoTheFirstContentString() throws {
        let response = try make("invalid-utf8")
        let body = BodyParts(response.parts).bytes
        let expected =
            bytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"") + [0xC3, 0x28]
            + bytes("Hi\"}}]}\n\n" + Self.second + Self.done)
        #expect(body == expected)
    }

    @Test func hugeStreamBodyIsWholeEventsProducedLazily() throws {
        let response = try make("huge-body=1000")
        guard response.parts.count == 4, case .repeated(let unit, let total, _, _) = response.parts[1] else {
            Issue.record("expected a repeated part after the first event: \(response.parts)")
            return
        }
        #expect(
            String(decoding: unit, as: UTF8.self)
                == "data: {\"id\":\"unsaid-fault\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"all work and no play \"},\"finish_reason\":null}]}\n\n"
        )
        #expect(total == (1000 / unit.count) * unit.count)
        #expect(response.parts[0] == .bytes(bytes(Self.first), delay: .zero))
    }

    @Test func hugeJSONBodyIsWhitespaceBeforeTheClosingBrace() throws {
        let response = try make("huge-body=100MB", attempt: Self.jsonAttempt, streamed: false)
        #expect(
            response.parts == [
                ScriptedPart.bytes(Array(Self.jsonBody.utf8.dropLast()), delay: .zero),
                .repeated([UInt8](repeating: 0x20, count: 65_536), totalBytes: 100_000_000),
                .bytes(bytes("}"), delay: .zero),
            ])
        #expect(response.headers.first(named: "Content-Length") == String(Self.jsonBody.utf8.count + 100_000_000))
    }

    @Test func statusFaultReplacesTheAnswerWithAnOpenAIStyleError() throws {
        let response = try make("status=429;retry-after=1")
        #expect(response.status == 429)
        #expect(response.headers.first(named: "Retry-After") == "1")
        #expect(
            BodyParts(response.parts).bytes
                == bytes(
                    #"{"error":{"code":429,"message":"injected by X-Unsaid-Fault: HTTP 429","type":"rate_limit_error"}}"#
                ))
        #expect(try make("status=502").status == 502)
    }

    @Test func connectionFaultsBecomeServerFaults() throws {
        #expect(try make("close-after=5").fault == .closeAfter(bytes: 5))
        #expect(try make("cut").fault == .closeAfter(bytes: Int.max))
        #expect(try make("reset").fault == .resetImmediately)
        #expect(try make("reset=7").fault == .reset(afterBytes: 7))
        #expect(try make("drip=3").fault == .drip(intervalMs: 3))
        #expect(try make("no-final-newline").fault == .noFinalNewline)
        // A stall defaults to "after the first event", i.e. mid-stream.
        #expect(try make("stall=2").fault == .stall(afterBytes: Self.first.utf8.count, seconds: 2))
        #expect(try make("stall=2;after=0").fault == .stall(afterBytes: 0, seconds: 2))
    }

    @Test func howARecordingEndedIsReplayedWhenNoFaultIsAsked() {
        var cut = Self.streamAttempt
        cut.failure = TransportFailure(kind: .network, message: "partial file", curlCode: 18)
        #expect(RecordedResponse.impliedFaults(for: cut) == [ReplayFault(.cut)])
        cut.failure = TransportFailure(kind: .stall, message: "too slow", curlCode: 28)
        #expect(RecordedResponse.impliedFaults(for: cut) == [ReplayFault(.stall(seconds: 3_600, afterBytes: Int.max))])
        #expect(RecordedResponse.impliedFaults(for: Self.streamAttempt) == [])
    }
}
