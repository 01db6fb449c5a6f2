import Foundation
import Testing
@testable import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript

/// Chunks at t = 1000, 2000, 3000, … microseconds.
private func wire(_ parts: [String]) -> [WireChunk] {
    wire(parts.map { Array($0.utf8) })
}

private func wire(_ parts: [[UInt8]]) -> [WireChunk] {
    parts.enumerated().map { WireChunk(t: Int64($0.offset + 1) * 1000, bytes: $0.element) }
}

/// A hand-written JSON literal as a value (for expected annotations and usage).
private func json(_ text: String) -> JSONValue {
    guard let value = JSONValue.parse(Data(text.utf8)) else {
        Issue.record("bad JSON literal in test: \(text)")
        return .null
    }
    return value
}

private func sse(_ payloads: [String]) -> String {
    payloads.map { "data: \($0)\n\n" }.joined()
}

@Suite struct ChatResponseDecoderTests {
    // MARK: - Streams

    /// The shape the embedded llama.cpp server sends, with `stream_options.include_usage`.
    static let llamaStream = [
        #"data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1795409338,"id":"chatcmpl-MPy","model":"gemma","system_fingerprint":"b0-unknown","object":"chat.completion.chunk"}"#
            + "\n\n"
            + #"data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hello"}}],"created":1795409338,"id":"chatcmpl-MPy","model":"gemma","system_fingerprint":"b0-unknown","object":"chat.completion.chunk"}"#
            + "\n\ndata: ",
        #"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":", world"}}],"created":1795409338,"id":"chatcmpl-MPy","model":"gemma","system_fingerprint":"b0-unknown","object":"chat.completion.chunk"}"#
            + "\n",
        "\n"
            + #"data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"created":1795409338,"id":"chatcmpl-MPy","model":"gemma","system_fingerprint":"b0-unknown","object":"chat.completion.chunk","timings":{"prompt_n":9,"prompt_ms":41.5,"predicted_n":3}}"#
            + "\n\n"
            + #"data: {"choices":[],"created":1795409338,"id":"chatcmpl-MPy","model":"gemma","system_fingerprint":"b0-unknown","object":"chat.completion.chunk","usage":{"completion_tokens":3,"prompt_tokens":9,"total_tokens":12}}"#
            + "\n\n",
        "data: [DONE]\n\n",
    ]

    @Test func llamaCppStream() {
        let response = ChatResponseDecoder.decode(chunks: wire(Self.llamaStream), streamed: true)
        let expected = DecodedResponse(
            events: [
                ChatEvent(index: 0, t: 1000),
                ChatEvent(index: 1, t: 1000, content: "Hello"),
                ChatEvent(index: 2, t: 3000, content: ", world"),
                ChatEvent(
                    index: 3, t: 3000, finishReason: "length",
                    annotations: ["timings": json(#"{"prompt_n":9,"prompt_ms":41.5,"predicted_n":3}"#)]),
                ChatEvent(index: 4, t: 3000),
                ChatEvent(index: 5, t: 4000, done: true),
            ],
            content: "Hello, world",
            finishReason: "length",
            usage: .object(["completion_tokens": .int(3), "prompt_tokens": .int(9), "total_tokens": .int(12)]),
            sawDone: true,
            bodyFormat: .sse)
        #expect(response == expected)
    }

    @Test func deepSeekReasoningContentStream() {
        let body = sse([
            #"{"id":"d1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}]}"#,
            #"{"id":"d1","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"Let me"},"finish_reason":null}]}"#,
            #"{"id":"d1","choices":[{"index":0,"delta":{"content":null,"reasoning_content":" think."},"finish_reason":null}]}"#,
            #"{"id":"d1","choices":[{"index":0,"delta":{"content":"Paris.","reasoning_content":null},"finish_reason":null}]}"#,
            #"{"id":"d1","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"completion_tokens":5}}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.reasoning == "Let me think.")
        #expect(response.content == "Paris.")
        #expect(response.finishReason == "stop")
        #expect(response.usage == .object(["completion_tokens": .int(5)]))
        #expect(response.events.map(\.reasoning) == ["", "Let me", " think.", nil, nil, nil])
        #expect(response.events.map(\.content) == [nil, nil, nil, "Paris.", "", nil])
        #expect(response.sawDone == true)
        #expect(response.protocolError == nil)
    }

    @Test func openRouterReasoningFieldAndVLLMBothNames() {
        let body = sse([
            #"{"choices":[{"index":0,"delta":{"reasoning":"Hmm","reasoning_details":[{"type":"reasoning.text","text":"Hmm"}]}}]}"#,
            // vLLM may send the same text under both names: it must count once.
            #"{"choices":[{"index":0,"delta":{"reasoning_content":", ok","reasoning":", ok"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Yes"},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.reasoning == "Hmm, ok")
        #expect(response.content == "Yes")
    }

    @Test func openRouterMidStreamError() {
        let body =
            ": OPENROUTER PROCESSING\n\n"
            + sse([
                #"{"id":"gen-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"The events of"}}]}"#,
                #"{"error":{"code":502,"message":"Upstream error"},"choices":[{"delta":{"content":""},"finish_reason":"error"}]}"#,
            ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        let error = ProviderError(
            code: "502", message: "Upstream error", type: nil, eventIndex: 1,
            raw: .object(["code": .int(502), "message": .string("Upstream error")]))
        let expected = DecodedResponse(
            events: [
                ChatEvent(index: 0, t: 1000, content: "The events of"),
                ChatEvent(index: 1, t: 1000, content: "", finishReason: "error", error: error),
            ],
            content: "The events of",
            finishReason: "error",
            sawDone: false,
            errors: [error],
            bodyFormat: .sse)
        #expect(response == expected)
    }

    @Test func azureAnnotationsAndContentFilterFinish() {
        let body = sse([
            #"{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}"#,
            #"{"choices":[{"content_filter_results":{},"delta":{"content":"Step one"},"finish_reason":null,"index":0,"logprobs":null}],"created":1,"id":"c1","model":"gpt-4o","object":"chat.completion.chunk","system_fingerprint":"fp_1"}"#,
            #"{"choices":[{"content_filter_offsets":{"check_offset":0,"start_offset":0,"end_offset":8},"content_filter_results":{"violence":{"filtered":false,"severity":"low"}},"finish_reason":null,"index":0}],"created":1,"id":"c1","model":"gpt-4o","object":"chat.completion.chunk"}"#,
            #"{"choices":[{"content_filter_results":{"violence":{"filtered":true,"severity":"high"}},"delta":{},"finish_reason":"content_filter","index":0}],"created":1,"id":"c1","model":"gpt-4o","object":"chat.completion.chunk"}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.events.count == 5)
        #expect(
            response.events[0].annotations == [
                "prompt_filter_results": json(
                    #"[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]"#)
            ])
        #expect(response.events[1].annotations == ["choices.content_filter_results": .object([:])])
        #expect(
            response.events[2].annotations == [
                "choices.content_filter_offsets": json(#"{"check_offset":0,"start_offset":0,"end_offset":8}"#),
                "choices.content_filter_results": json(#"{"violence":{"filtered":false,"severity":"low"}}"#),
            ])
        #expect(response.events[2].content == nil)
        #expect(
            response.events[3].annotations == [
                "choices.content_filter_results": json(#"{"violence":{"filtered":true,"severity":"high"}}"#)
            ])
        #expect(response.events[3].finishReason == "content_filter")
        #expect(response.content == "Step one")
        #expect(response.finishReason == "content_filter")
        #expect(response.sawDone == true)
    }

    @Test func zhipuSensitiveFinishOnChunkWithContent() {
        let body = sse([
            #"{"id":"z1","created":1,"model":"glm-4","choices":[{"index":0,"delta":{"role":"assistant","content":"一九八九年"}}]}"#,
            #"{"id":"z1","created":1,"model":"glm-4","choices":[{"index":0,"finish_reason":"sensitive","delta":{"role":"assistant","content":"六月"}}]}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.events[1] == ChatEvent(index: 1, t: 1000, content: "六月", finishReason: "sensitive"))
        #expect(response.content == "一九八九年六月")
        #expect(response.finishReason == "sensitive")
    }

    @Test func deltaRefusal() {
        let body = sse([
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""}}]}"#,
            #"{"choices":[{"index":0,"delta":{"refusal":"I can't"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"refusal":" help with that."}}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.refusal == "I can't help with that.")
        #expect(response.content == "")
        #expect(response.events.map(\.refusal) == ["", "I can't", " help with that.", nil, nil])
        #expect(response.finishReason == "stop")
    }

    @Test func usageChunkWithEmptyChoicesAndNullUsageElsewhere() {
        let body = sse([
            #"{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"usage":null}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#,
            #"{"choices":[],"usage":{"total_tokens":7}}"#,
            #"{"choices":[],"usage":null}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.usage == .object(["total_tokens": .int(7)]))
        #expect(response.events[2] == ChatEvent(index: 2, t: 1000))
        #expect(response.finishReason == "stop")
        #expect(response.protocolError == nil)
    }

    @Test func malformedJSONChunks() {
        let body = sse([
            #"{"choices":[{"index":0,"delta":{"content":"a"}}]}"#,
            #"{not json"#,
            "also bad",
            #"{"choices":[{"index":0,"delta":{"content":"b"}}]}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.events.map(\.malformed) == [nil, "{not json", "also bad", nil, nil])
        #expect(response.events.map(\.index) == [0, 1, 2, 3, 4])
        #expect(response.protocolError == "event 1 is not a JSON object")
        #expect(response.content == "ab")
        #expect(response.sawDone == true)
    }

    @Test func jsonThatIsNotAnObjectIsMalformed() {
        let response = ChatResponseDecoder.decode(chunks: wire([sse(["42", "[DONE]"])]), streamed: true)
        #expect(
            response.events == [
                ChatEvent(index: 0, t: 1000, malformed: "42"), ChatEvent(index: 1, t: 1000, done: true),
            ])
        #expect(response.protocolError == "event 0 is not a JSON object")
    }

    @Test func invalidUTF8IsReportedAndDecodedLossily() {
        // `data: {"choices":[{"delta":{"content":"a` is 40 bytes, so the 0xFF is byte 40.
        let prefix = Array(#"data: {"choices":[{"delta":{"content":"a"#.utf8)
        let rest = Array(#"b"}}]}"#.utf8) + Array("\n\ndata: [DONE]\n\n".utf8)
        let response = ChatResponseDecoder.decode(chunks: wire([prefix + [0xFF] + rest]), streamed: true)
        #expect(response.protocolError == "invalid UTF-8 at byte 40")
        #expect(response.content == "a\u{FFFD}b")
        #expect(response.sawDone == true)
    }

    @Test func invalidUTF8AndMalformedEventAreBothReported() {
        let body = Array("data: x".utf8) + [0xC3] + Array("\n\ndata: [DONE]\n\n".utf8)
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.protocolError == "invalid UTF-8 at byte 7; event 0 is not a JSON object")
        #expect(response.events.first?.malformed == "x\u{FFFD}")
    }

    @Test func multiByteCharacterSplitAcrossChunksIsValid() {
        // 한 = ED 95 9C; neither chunk is valid UTF-8 alone, the body is.
        let first = Array(#"data: {"choices":[{"delta":{"content":""#.utf8) + [0xED, 0x95]
        let second = [0x9C] + Array(#"국"}}]}"#.utf8) + Array("\n\ndata: [DONE]\n\n".utf8)
        let chunks = wire([first, second])
        #expect(chunks[0].text == nil)
        let response = ChatResponseDecoder.decode(chunks: chunks, streamed: true)
        #expect(response.content == "한국")
        #expect(response.protocolError == nil)
        #expect(response.events.first?.t == 2000)
    }

    @Test func missingDoneMeansSawDoneFalse() {
        let body = sse([#"{"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}"#])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.sawDone == false)
        #expect(response.finishReason == "stop")
        #expect(response.unterminatedEvent == nil)
        #expect(response.content == "ok")
    }

    @Test func streamCutMidEventIsUnterminated() {
        let body =
            sse([#"{"choices":[{"index":0,"delta":{"content":"The"}}]}"#])
            + #"data: {"choices":[{"index":0,"delta":{"content":" ma"#
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.content == "The")
        #expect(response.events.count == 1)
        #expect(response.sawDone == false)
        #expect(response.finishReason == nil)
        #expect(response.unterminatedEvent == true)
        #expect(response.protocolError == nil)
    }

    @Test func streamCutBeforeFirstLineEndedIsStillSSE() {
        let response = ChatResponseDecoder.decode(chunks: wire([#"data: {"choi"#]), streamed: true)
        #expect(response.events.isEmpty)
        #expect(response.unterminatedEvent == true)
        #expect(response.bodyFormat == .sse)
        #expect(response.protocolError == nil)
    }

    @Test func anthropicStyleErrorEvent() {
        let body =
            sse([#"{"choices":[{"index":0,"delta":{"content":"Sure"}}]}"#])
            + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
            + "event: error\ndata: Content security warning: output text data may contain inappropriate content!\n\n"
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        let first = ProviderError(
            code: nil, message: "Overloaded", type: "overloaded_error", eventIndex: 1,
            raw: json(#"{"type":"overloaded_error","message":"Overloaded"}"#))
        let text = "Content security warning: output text data may contain inappropriate content!"
        let second = ProviderError(code: nil, message: text, type: nil, eventIndex: 2, raw: .string(text))
        #expect(response.errors == [first, second])
        #expect(response.events.map(\.index) == [0, 1, 2])
        #expect(response.content == "Sure")
    }

    @Test func otherNamedEventsAreIgnored() {
        let body =
            "event: ping\ndata: {\"type\":\"ping\"}\n\n"
            + sse([#"{"choices":[{"index":0,"delta":{"content":"x"}}]}"#, "[DONE]"])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(
            response.events == [ChatEvent(index: 0, t: 1000, content: "x"), ChatEvent(index: 1, t: 1000, done: true)])
    }

    @Test func finalMessageObjectInStreamIsAnnotatedNotAppended() {
        let body = sse([
            #"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#,
            #"{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Hi there"}}]}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.content == "Hi")
        #expect(
            response.events[1].annotations == ["choices.message": json(#"{"role":"assistant","content":"Hi there"}"#)])
        #expect(response.events[1].content == nil)
    }

    @Test func vendorFieldsAreAnnotatedAndVendorErrorsRecognized() {
        let body = sse([
            #"{"id":"m1","choices":[{"index":0,"delta":{"content":"abc"}}],"input_sensitive":false,"output_sensitive":false,"base_resp":{"status_code":0,"status_msg":""}}"#,
            #"{"id":"m1","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"output_sensitive":true,"base_resp":{"status_code":1027,"status_msg":"output new_sensitive"}}"#,
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(
            response.events[0].annotations == [
                "input_sensitive": .bool(false), "output_sensitive": .bool(false),
                "base_resp": json(#"{"status_code":0,"status_msg":""}"#),
            ])
        #expect(response.events[0].error == nil)
        #expect(
            response.errors == [
                ProviderError(
                    code: "1027", message: "output new_sensitive", type: nil, eventIndex: 1,
                    raw: json(#"{"status_code":1027,"status_msg":"output new_sensitive"}"#))
            ])
    }

    @Test func baiduFieldsAndErrorCode() {
        let body =
            #"{"id":"as-1","object":"chat.completion","created":1,"result":"","is_truncated":false,"need_clear_history":true,"ban_round":-1,"flag":1,"usage":{"total_tokens":3}}"#
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: false)
        #expect(
            response.events[0].annotations == [
                "result": .string(""), "is_truncated": .bool(false), "need_clear_history": .bool(true),
                "ban_round": .int(-1), "flag": .int(1),
            ])
        #expect(response.errors.isEmpty)

        let error = ChatResponseDecoder.decode(
            chunks: wire([#"{"error_code":336003,"error_msg":"the content is unsafe"}"#]),
            streamed: false)
        #expect(
            error.errors == [
                ProviderError(
                    code: "336003", message: "the content is unsafe", type: nil, eventIndex: nil,
                    raw: json(#"{"error_code":336003,"error_msg":"the content is unsafe"}"#))
            ])
    }

    @Test func errorAsPlainStringAndNullError() {
        let body = sse([
            #"{"error":null,"choices":[{"index":0,"delta":{"content":"a"}}]}"#,
            #"{"error":"rate limited","choices":[]}"#,
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(
            response.errors == [
                ProviderError(
                    code: nil, message: "rate limited", type: nil, eventIndex: 1,
                    raw: .string("rate limited"))
            ])
        #expect(response.events[0].error == nil)
    }

    @Test func unknownFinishReasonKeptVerbatim() {
        let body = sse([
            #"{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"PROHIBITED_CONTENT"}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":null}]}"#, "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.finishReason == "PROHIBITED_CONTENT")
    }

    @Test func thinkTagsStayInContent() {
        let body = sse([
            #"{"choices":[{"index":0,"delta":{"content":"<think>"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"hmm</think>"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Answer"},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ])
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.content == "<think>hmm</think>Answer")
        #expect(response.reasoning == "")
    }

    @Test func streamThatIsActuallyAJSONBody() {
        let body =
            "\n"
            + #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Whole answer"},"finish_reason":"stop"}]}"#
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(
            response
                == DecodedResponse(
                    events: [ChatEvent(index: 0, t: 1000, content: "Whole answer", finishReason: "stop")],
                    content: "Whole answer", finishReason: "stop", sawDone: false, bodyFormat: .json))
    }

    @Test func streamedRequestAnsweredWithErrorBody() {
        let body =
            #"{"error":{"message":"Content Exists Risk","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}"#
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: true)
        #expect(response.errors.map(\.message) == ["Content Exists Risk"])
        #expect(response.errors.first?.eventIndex == nil)
        #expect(response.bodyFormat == .json)
    }

    @Test func streamedBodyThatIsNeitherSSENorJSON() {
        let html = "<html><body>Access denied</body></html>\n"
        let response = ChatResponseDecoder.decode(chunks: wire([html]), streamed: true)
        #expect(response.protocolError == "body is neither SSE nor JSON")
        #expect(response.events == [ChatEvent(index: 0, t: 1000, malformed: html)])
        #expect(response.bodyFormat == nil)
    }

    @Test(arguments: [true, false])
    func emptyBody(streamed: Bool) {
        for chunks in [[], wire([""]), wire(["", " \r\n"])] {
            let response = ChatResponseDecoder.decode(chunks: chunks, streamed: streamed)
            #expect(response == DecodedResponse(protocolError: "empty body"))
        }
    }

    // MARK: - Not streamed

    @Test func nonStreamedAnswer() {
        let body =
            #"{"id":"chatcmpl-1","object":"chat.completion","created":1795409338,"model":"gemma","system_fingerprint":"b0","choices":[{"index":0,"message":{"role":"assistant","content":"Seoul is the capital.","reasoning_content":"Recall."},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":5,"completion_tokens":4},"timings":{"predicted_n":4}}"#
        let split = body.index(body.startIndex, offsetBy: 60)
        let response = ChatResponseDecoder.decode(
            chunks: wire([String(body[..<split]), String(body[split...])]),
            streamed: false)
        #expect(
            response
                == DecodedResponse(
                    events: [
                        ChatEvent(
                            index: 0, t: 2000, content: "Seoul is the capital.", reasoning: "Recall.",
                            finishReason: "stop", annotations: ["timings": json(#"{"predicted_n":4}"#)])
                    ],
                    content: "Seoul is the capital.",
                    reasoning: "Recall.",
                    finishReason: "stop",
                    usage: json(#"{"prompt_tokens":5,"completion_tokens":4}"#),
                    bodyFormat: .json))
    }

    @Test func nonStreamedRefusalWithNullContentAndAzureAnnotations() {
        let body =
            #"{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"finish_reason":"stop","index":0,"message":{"content":null,"refusal":"I can't help with that.","role":"assistant"}}],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}"#
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: false)
        #expect(response.content == "")
        #expect(response.refusal == "I can't help with that.")
        #expect(response.events[0].content == nil)
        #expect(
            response.events[0].annotations == [
                "choices.content_filter_results": json(#"{"hate":{"filtered":false,"severity":"safe"}}"#),
                "prompt_filter_results": json(#"[{"prompt_index":0,"content_filter_results":{}}]"#),
            ])
        #expect(response.sawDone == false)
    }

    @Test func nonStreamedErrorBodies() {
        let deepSeek = ChatResponseDecoder.decode(
            chunks: wire([
                #"{"error":{"message":"Content Exists Risk","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}"#
            ]),
            streamed: false)
        #expect(
            deepSeek.errors == [
                ProviderError(
                    code: "invalid_request_error", message: "Content Exists Risk", type: "invalid_request_error",
                    eventIndex: nil,
                    raw: json(
                        #"{"message":"Content Exists Risk","type":"invalid_request_error","param":null,"code":"invalid_request_error"}"#
                    ))
            ])
        #expect(deepSeek.events.first?.error == deepSeek.errors.first)
        #expect(deepSeek.protocolError == nil)

        let zhipu = ChatResponseDecoder.decode(
            chunks: wire([#"{"error":{"code":"1301","message":"系统检测到输入或生成内容可能包含不安全或敏感内容"}}"#]),
            streamed: false)
        #expect(
            zhipu.errors == [
                ProviderError(
                    code: "1301", message: "系统检测到输入或生成内容可能包含不安全或敏感内容", type: nil, eventIndex: nil,
                    raw: json(#"{"code":"1301","message":"系统检测到输入或生成内容可能包含不安全或敏感内容"}"#))
            ])
        #expect(zhipu.content == "")
    }

    @Test func nonStreamedBodyThatIsNotJSON() {
        let response = ChatResponseDecoder.decode(chunks: wire(["Bad Gateway"]), streamed: false)
        #expect(
            response
                == DecodedResponse(
                    events: [ChatEvent(index: 0, t: 1000, malformed: "Bad Gateway")],
                    protocolError: "body is not JSON"))
    }

    @Test func nonStreamedBodyWithBOMAndInvalidUTF8() {
        let body: [UInt8] =
            [0xEF, 0xBB, 0xBF] + Array(#"{"choices":[{"message":{"content":"a"#.utf8) + [0xE4, 0xB8]
            + Array(#""}}]}"#.utf8)
        let response = ChatResponseDecoder.decode(chunks: wire([body]), streamed: false)
        // BOM (3) + `{"choices":[{"message":{"content":"a` (36) puts the truncated 中 at byte 39.
        #expect(response.protocolError == "invalid UTF-8 at byte 39")
        #expect(response.content == "a\u{FFFD}")
    }

    /// The fast path of event trimming agrees with Foundation's trimming on every shape of data:
    /// plain JSON, ASCII whitespace around [DONE], and Unicode spaces (NBSP, ideographic, line
    /// separator, NEL) at either end, which only Foundation knows.
    @Test(arguments: [
        #"{"a":1}"#, "[DONE]", "  [DONE]\t", "\n", "", " ", "\u{0B}x\u{0C}", "\u{00A0}[DONE]", "[DONE]\u{3000}",
        "\u{2028}{}", "{}\u{0085}", "é", "x é", "{\"k\":\"v\"} ", "\u{FEFF}[DONE]",
    ])
    func eventDataIsTrimmedExactlyAsFoundationTrimsIt(_ data: String) {
        #expect(ChatResponseDecoder.trimmedData(data) == data.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Sniffing a body's first byte from its chunks, without joining them, finds what the joined
    /// body gives: bodies made of BOM bytes (whole, cut, or misplaced), whitespace and a few
    /// openings, split into chunks at random places, some kept as base64 (a BOM cut in two is
    /// not valid UTF-8 on its own).
    @Test func firstSignificantByteOfChunksMatchesTheJoinedBody() {
        let pieces: [[UInt8]] = [
            [0xEF, 0xBB, 0xBF], [0xEF, 0xBB], [0xEF], [0xBB, 0xBF], [0x20], [0x09], [0x0A], [0x0D],
            [0x0B], Array("{".utf8), Array("[".utf8), Array("data: x\n\n".utf8), Array(":".utf8), [0xC3, 0xA9],
        ]
        var random = SplitMix64(seed: 7)
        for _ in 0..<4000 {
            var body: [UInt8] = []
            for _ in 0..<Int(random.next() % 6) { body += pieces[Int(random.next() % UInt64(pieces.count))] }
            var parts: [[UInt8]] = []
            var rest = body[...]
            while !rest.isEmpty {
                let cut = 1 + Int(random.next() % UInt64(min(rest.count, 4)))
                parts.append(Array(rest.prefix(cut)))
                rest = rest.dropFirst(cut)
            }
            if random.next() % 4 == 0 { parts.insert([], at: Int(random.next() % UInt64(parts.count + 1))) }
            let chunks = wire(parts)
            let expected = ChatResponseDecoder.firstSignificantIndex(of: body).map { body[$0] }
            #expect(ChatResponseDecoder.firstSignificantByte(of: chunks) == expected, "\(parts)")
        }
    }

    /// The room guessed for a stream's events: enough for streams of events the size of the
    /// first (and for first events up to a third longer than the rest), and never more than the
    /// cap however small the first event.
    @Test func expectedEventCountCoversEvenStreamsAndIsCapped() {
        for size in [1, 12, 100, 190, 400] {
            for count in [1, 2, 3, 50, 203, 1000] {
                let first = 0..<(size + size / 3)
                let body = first.count + (count - 1) * size
                let room = ChatResponseDecoder.expectedEventCount(bodyCount: body, first: first)
                #expect(room >= min(count, 1 << 14), "size \(size), count \(count)")
            }
        }
        #expect(ChatResponseDecoder.expectedEventCount(bodyCount: 16 << 20, first: 0..<1) == 1 << 14)
        #expect(ChatResponseDecoder.expectedEventCount(bodyCount: 10, first: 0..<10) == 2)
    }
}
