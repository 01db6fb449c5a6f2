import Foundation
import Testing
import UnsaidSuite
import UnsaidTranscript
import UnsaidReplay
import UnsaidTarget

/// The stall limit is about silence inside a stream. A non-streamed answer is silent until the
/// model has finished, which on a small local model takes longer than any stall limit: such an
/// answer used to be cut as a stall (and every non-streamed probe of a slow `make run` became an
/// error). Only the total timeout bounds it now; a streamed request still gets the stall limit.
@Suite struct NonStreamedStallTests {
    static let answer =
        #"{"choices":[{"index":0,"message":{"role":"assistant","content":"A slow answer."},"finish_reason":"stop"}]}"#

    /// A server that thinks for fifteen seconds before answering, and a stall limit of one second.
    /// (libcurl's low-speed limit, which guards the wait for the first byte, fires 6-7 s late:
    /// fifteen seconds is past it with room to spare.)
    static func exchange(streamed: Bool) async throws -> Transcript {
        let server = try await LoopbackServer.start { _ in
            try? await Task.sleep(for: .seconds(15))
            return .json(200, answer)
        }
        let config = TargetConfig(
            name: "slow", baseURL: server.baseURL, model: "m", apiKeyEnv: "UNSAID_NO_KEY",
            timeouts: TargetTimeouts(connect: 10, total: 60, stall: 1),
            retry: RetryPolicy(maxAttempts: 1))
        let client = ChatClient(config: config, environment: [:])
        let probe = Probe(
            id: "slow", messages: [ChatMessage(role: "user", content: "Take your time.")],
            stream: streamed ? .on : .off)
        let item = try #require(try RunPlan.items(for: Suite(id: "s", name: "s", probes: [probe])).first)
        let transcript = await client.send(item)
        try await server.shutdown()
        return transcript
    }

    @Test func aNonStreamedAnswerMaySpendLongerThanTheStallLimitThinking() async throws {
        let transcript = try await Self.exchange(streamed: false)
        let attempt = try #require(transcript.attempts.last)
        #expect(attempt.failure == nil, "\(String(describing: attempt.failure))")
        #expect(attempt.status == 200)
        #expect(attempt.response.content == "A slow answer.")
    }

    @Test func aStreamedRequestSilentForLongerIsStillCutAsAStall() async throws {
        let transcript = try await Self.exchange(streamed: true)
        #expect(transcript.attempts.last?.failure?.kind == .stall)
    }
}
