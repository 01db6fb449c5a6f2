import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidTarget

/// Round trips through the real llama.cpp server. Skipped unless UNSAID_LLAMA_PYTHON and
/// UNSAID_LLAMA_MODEL are set; with UNSAID_REQUIRE_INTEGRATION=1 a missing setup fails instead.
/// Serialized: the machine is small and the server has four slots.
@Suite(.serialized, .enabled(if: LlamaServer.isEnabled))
struct LlamaIntegrationTests {
    func server() async throws -> Int? {
        guard LlamaServer.setup != nil else {
            Issue.record("UNSAID_REQUIRE_INTEGRATION=1 but UNSAID_LLAMA_PYTHON / UNSAID_LLAMA_MODEL are not set")
            return nil
        }
        return try await LlamaServer.shared.port()
    }

    /// Generous deadlines: they only matter when the machine is slow, and on a loaded machine
    /// (load average ~12 on two cores) llama.cpp gave one token every ~6 s, so a 24-token answer
    /// outlived the 120 s these tests once allowed and failed a test about the round trip.
    func client(port: Int) -> ChatClient {
        let config = TargetConfig(
            name: "llama", baseURL: "http://127.0.0.1:\(port)/v1", model: "gemma",
            timeouts: TargetTimeouts(connect: 30, total: 600, stall: 300),
            retry: RetryPolicy(maxAttempts: 1))
        return ChatClient(config: config, environment: [:])
    }

    /// Eight tokens are enough to see a stream's events (role, content, finish) and a third of
    /// the default's time.
    static let shortAnswer = GenerationParameters(temperature: 0, maxTokens: 8, seed: 1)

    @Test func streamedRoundTrip() async throws {
        guard let port = try await server() else { return }
        let transcript = await client(port: port).send(try TestItems.item(streamed: true, parameters: Self.shortAnswer))
        let attempt = try #require(transcript.finalAttempt)
        #expect(transcript.attempts.count == 1)
        #expect(attempt.status == 200)
        #expect(attempt.failure == nil)
        #expect(attempt.headers.first(named: "Content-Type")?.hasPrefix("text/event-stream") == true)
        // Arrival times come from a monotonic clock.
        let chunkTimes = attempt.chunks.map(\.t)
        #expect(chunkTimes.count >= 2)
        #expect(chunkTimes == chunkTimes.sorted())

        let response = attempt.response
        #expect(response.sawDone)
        #expect(response.events.count >= 3)
        let eventTimes = response.events.map(\.t)
        #expect(eventTimes == eventTimes.sorted())
        #expect(!response.content.isEmpty)
        #expect(["length", "stop"].contains(response.finishReason ?? "none"))
        #expect(response.usage != nil)
    }

    @Test func nonStreamedRoundTrip() async throws {
        guard let port = try await server() else { return }
        let transcript = await client(port: port).send(
            try TestItems.item(streamed: false, parameters: Self.shortAnswer))
        let attempt = try #require(transcript.finalAttempt)
        #expect(attempt.status == 200)
        #expect(attempt.failure == nil)
        #expect(attempt.headers.first(named: "Content-Type")?.hasPrefix("application/json") == true)
        #expect(JSONValue.parse(attempt.chunks.joinedBytes)?["choices"] != nil)

        let response = attempt.response
        #expect(response.events.count == 1)
        #expect(!response.content.isEmpty)
        #expect(response.usage != nil)
    }

    @Test func cancellingMidStreamFreesTheTransferAndTheLoopCarriesOn() async throws {
        guard let port = try await server() else { return }
        let loop = CurlEventLoop(name: "test.llama.cancel")
        defer { loop.shutdown() }
        // ignore_eos keeps the model talking, so the stream is still running when it is cancelled.
        let body =
            #"{"model":"gemma","messages":[{"role":"user","content":"Count to one thousand."}],"#
            + #""max_tokens":2000,"ignore_eos":true,"stream":true}"#
        let request = HTTPRequest(
            url: "http://127.0.0.1:\(port)/v1/chat/completions",
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: Array(body.utf8), totalTimeout: .seconds(120))

        let (firstBody, signal) = AsyncStream.makeStream(of: Void.self)
        let consumer = Task {
            var bodies = 0
            var end: TransportFailure?? = nil
            for await event in loop.stream(request) {
                switch event {
                case .body:
                    bodies += 1
                    if bodies == 1 {
                        signal.yield()
                        // Hold still until cancelled (Task.sleep throws at once on cancellation).
                        try? await Task.sleep(for: .seconds(3600))
                    }
                case .end(let failure):
                    end = .some(failure)
                case .head, .capped:
                    break
                }
            }
            return (bodies, end)
        }
        for await _ in firstBody { break }
        consumer.cancel()
        let (bodies, end) = await consumer.value
        #expect(bodies >= 1)
        // Either the stream closed before any end arrived, or the end says "cancelled" — never a
        // normal completion, which would mean the cancellation did not cut the transfer.
        if let end { #expect(end?.kind == .cancelled) }
        #expect(await loop.activeTransferCount() == 0)

        let followUp = #"{"model":"gemma","messages":[{"role":"user","content":"Hi"}],"max_tokens":4}"#
        let after = await loop.perform(
            HTTPRequest(
                url: request.url, headers: request.headers,
                body: Array(followUp.utf8), totalTimeout: .seconds(120)))
        #expect(after.status == 200)
        #expect(after.failure == nil)
        #expect(JSONValue.parse(after.chunks.joinedBytes)?["choices"] != nil)
    }

    @Test func breakingOutOfTheStreamStopsTheTransfer() async throws {
        guard let port = try await server() else { return }
        let loop = CurlEventLoop(name: "test.llama.break")
        defer { loop.shutdown() }
        let body =
            #"{"model":"gemma","messages":[{"role":"user","content":"Count to one thousand."}],"#
            + #""max_tokens":2000,"ignore_eos":true,"stream":true}"#
        let request = HTTPRequest(
            url: "http://127.0.0.1:\(port)/v1/chat/completions",
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: Array(body.utf8), totalTimeout: .seconds(120))
        var status: Int?
        for await event in loop.stream(request) {
            if case .head(let code, _) = event { status = code }
            if case .body = event { break }
        }
        #expect(status == 200)
        // Dropping the stream tore the transfer down; nothing is left running on the loop.
        #expect(await loop.activeTransferCount() == 0)
    }

    @Test func fourConcurrentRequestsThroughOneLoop() async throws {
        guard let port = try await server() else { return }
        let client = client(port: port)
        let prompts = ["Name a colour.", "Name a fruit.", "Name an animal.", "Name a city."]
        let items = try prompts.enumerated().map { index, prompt in
            try TestItems.item(
                prompt: prompt, streamed: index.isMultiple(of: 2),
                parameters: GenerationParameters(temperature: 0, maxTokens: 8, seed: 1))
        }
        let transcripts = await withTaskGroup(of: Transcript.self) { group in
            for item in items {
                group.addTask { await client.send(item) }
            }
            var all: [Transcript] = []
            for await transcript in group { all.append(transcript) }
            return all
        }
        #expect(transcripts.count == 4)
        for transcript in transcripts {
            #expect(transcript.finalAttempt?.status == 200)
            #expect(transcript.finalAttempt?.failure == nil)
            #expect(transcript.finalAttempt?.chunks.isEmpty == false)
        }
    }
}
