import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidTarget

@Suite struct ChatRequestBuilderTests {
    let config = TargetConfig(
        name: "local", baseURL: "http://127.0.0.1:8080/v1/", model: "gemma",
        headers: ["X-Org": "acme", "user-agent": "custom/1"],
        extraBody: ["ignore_eos": .bool(true), "stream": .bool(false)],
        parameters: GenerationParameters(temperature: 0.5, topP: 0.9))

    @Test func streamedBodyIsCanonicalAndMergesDefaultsAndExtras() throws {
        let item = try TestItems.item(
            prompt: "Hi", streamed: true,
            parameters: GenerationParameters(temperature: 0, maxTokens: 24, seed: 7))
        let body = String(decoding: try ChatRequestBuilder.body(config: config, item: item), as: UTF8.self)
        // The probe's temperature wins over the target's, top_p falls back to the target's, the
        // extra field is merged, and the extra "stream" cannot override the mode.
        #expect(
            body == #"{"ignore_eos":true,"max_tokens":24,"messages":[{"content":"Hi","role":"user"}],"#
                + #""model":"gemma","seed":7,"stream":true,"stream_options":{"include_usage":true},"#
                + #""temperature":0,"top_p":0.9}"#)
    }

    @Test func nonStreamedBodyHasNoStreamOptions() throws {
        var plain = config
        plain.extraBody = [:]
        plain.parameters = GenerationParameters()
        let item = try TestItems.item(prompt: "Hi", streamed: false, parameters: GenerationParameters())
        let body = String(decoding: try ChatRequestBuilder.body(config: plain, item: item), as: UTF8.self)
        #expect(body == #"{"messages":[{"content":"Hi","role":"user"}],"model":"gemma","stream":false}"#)
    }

    @Test func urlAndHeaders() {
        #expect(config.chatCompletionsURL == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(
            ChatRequestBuilder.headers(config: config, apiKey: "k", streamed: true) == [
                HTTPHeader(name: "Content-Type", value: "application/json"),
                HTTPHeader(name: "Accept", value: "text/event-stream"),
                HTTPHeader(name: "Authorization", value: "Bearer k"),
                HTTPHeader(name: "X-Org", value: "acme"),
                HTTPHeader(name: "user-agent", value: "custom/1"),
            ])
        let keyless = ChatRequestBuilder.headers(
            config: TargetConfig(name: "n", baseURL: "u", model: "m"),
            apiKey: nil, streamed: false)
        #expect(keyless.first(named: "Authorization") == nil)
        #expect(keyless.first(named: "Accept") == "application/json")
    }
}
