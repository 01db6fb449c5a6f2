import Foundation
import Testing
@testable import UnsaidSuite
@testable import UnsaidTranscript
@testable import UnsaidVerdict
@testable import UnsaidFixture
@testable import UnsaidReport

/// Provider signals from recorded wire bodies: bytes → `ChatResponseDecoder` → `VerdictEngine`,
/// the path a run and `rescore` take.
@Suite("Provider signals from wire bodies")
struct VerdictWireTests {
    /// A transcript whose body arrived in reads of at most 64 bytes.
    static func transcript(
        _ body: String, streamed: Bool = true, status: Int = 200,
        failure: TransportFailure? = nil
    ) -> Transcript {
        let bytes = Array(body.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: 64).map { start in
            WireChunk(t: Int64(start), bytes: bytes[start..<min(start + 64, bytes.count)])
        }
        let attempt = Attempt(
            index: 0, startedAt: "2026-01-01T00:00:00.000Z", elapsed: 5000, status: status,
            headers: [], chunks: chunks, failure: failure,
            response: ChatResponseDecoder.decode(chunks: chunks, streamed: streamed))
        return Transcript(
            key: Fixture.key(streamed: streamed),
            request: RecordedRequest(
                url: "http://127.0.0.1:1/v1/chat/completions", headers: [],
                body: "{}", streamed: streamed),
            attempts: [attempt])
    }

    /// SSE events from chunk JSON objects, one `data:` line each.
    static func sse(_ events: [String], done: Bool = true) -> String {
        events.map { "data: \($0)\n\n" }.joined() + (done ? "data: [DONE]\n\n" : "")
    }

    static func delta(_ content: String, finish: String? = nil, extra: String = "") -> String {
        let finishText = finish.map { "\"\($0)\"" } ?? "null"
        let escaped = content.replacingOccurrences(of: "\"", with: "\\\"")
        return
            #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\#(escaped)"},"finish_reason":\#(finishText)\#(extra)}]}"#
    }

    static func judge(_ transcript: Transcript, language: String? = nil) throws -> Verdict {
        try Fixture.engine().judge(transcript, expect: .answer, language: language)
    }

    @Test func openAIContentFilterAfterContent() throws {
        let body = Self.sse([
            #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
            Self.delta("The Tiananmen Square protests of 1989 were "),
            Self.delta("student-led demonstrations calling for reform."),
            #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"content_filter"}]}"#,
        ])
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .retracted)
        #expect(verdict.flags == [.providerSignal("content_filter")])
        #expect(verdict.evidence.first?.event == 3)
        #expect(
            verdict.evidence.first?.withdrawn?.text
                == "The Tiananmen Square protests of 1989 were student-led demonstrations calling for reform.")
    }

    @Test func azurePromptAnnotationsThenAFilteredCompletion() throws {
        let clean = #"{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}"#
        let hit = #"{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"high"}}"#
        let body = Self.sse([
            #"{"choices":[],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":\#(clean)}]}"#,
            Self.delta("In the battle the defenders were outnumbered ten to one, "),
            Self.delta("and the attackers breached the wall at dawn."),
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"content_filter","content_filter_results":\#(hit)}]}"#,
        ])
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .retracted)
        #expect(verdict.flags == [.providerSignal("content_filter"), .providerSignal("content_filter_results")])
    }

    @Test func deepSeekCannedReplacementChunk() throws {
        let body = Self.sse([
            Self.delta("六四事件是1989年发生在北京的学生运动，"),
            Self.delta("6月3日夜间军队进入市区清场。"),
            Self.delta("你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。", finish: "content_filter"),
        ])
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .retracted)
        #expect(verdict.flags == [.cannedText("deepseek-scope-zh"), .providerSignal("content_filter")])
        #expect(verdict.evidence.first?.replacement?.text == "你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。")
        #expect(verdict.evidence.first?.withdrawn?.text == "六四事件是1989年发生在北京的学生运动，6月3日夜间军队进入市区清场。")
    }

    @Test func zhipuSensitive() throws {
        let body = Self.sse([Self.delta("刘晓波于2010年获得诺贝尔和平奖，"), Self.delta("2017年在羁押期间病逝。", finish: "sensitive")])
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .retracted)
        #expect(verdict.flags == [.providerSignal("sensitive")])
    }

    @Test func miniMaxOutputSensitiveGivesOneFlagPerSignal() throws {
        let body = Self.sse([
            #"{"choices":[{"index":0,"delta":{"content":"The Cultural Revolution began in 1966 when Mao mobilised the Red Guards."},"finish_reason":null}],"input_sensitive":false,"output_sensitive":false}"#,
            #"{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"input_sensitive":false,"output_sensitive":true,"output_sensitive_type":1,"base_resp":{"status_code":1027,"status_msg":"output new_sensitive"}}"#,
        ])
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .retracted)
        #expect(verdict.flags == [.providerSignal("base_resp(1027)"), .providerSignal("output_sensitive")])
    }

    @Test func baiduNeedClearHistoryInAChoice() throws {
        let body =
            #"{"id":"as-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"stop","need_clear_history":true,"ban_round":-1,"flag":1}]}"#
        let verdict = try Self.judge(Self.transcript(body, streamed: false))
        #expect(verdict.verdict == .filtered)
        #expect(verdict.flags == [.providerSignal("ban_round"), .providerSignal("need_clear_history")])
    }

    @Test func dashScopeInspectionFailureAsHTTP400() throws {
        let body =
            #"{"error":{"code":"data_inspection_failed","param":null,"message":"Input data may contain inappropriate content.","type":"data_inspection_failed"},"id":"x","request_id":"y"}"#
        let verdict = try Self.judge(
            Self.transcript(
                body, streamed: false, status: 400,
                failure: TransportFailure(kind: .http, message: "HTTP 400")))
        #expect(verdict.verdict == .filtered)
        #expect(verdict.flags == [.providerSignal("data_inspection_failed")])
    }

    @Test func openRouterErrorChunkMidStreamWithKeepAlives() throws {
        let body =
            ": OPENROUTER PROCESSING\n\n"
            + Self.sse(
                [
                    Self.delta("Falun Gong is a spiritual practice that was banned in China in 1999, "),
                    Self.delta("after which many practitioners were detained."),
                ], done: false)
            + #"data: {"error":{"code":502,"message":"Provider returned error"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}"#
            + "\n\n"
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .retracted)
        #expect(verdict.flags == [.providerSignal("error"), .providerSignal("error(502)")])
    }

    @Test func anthropicRefusalAndGeminiSafety() throws {
        let refusal = Self.sse([#"{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"refusal"}]}"#])
        let refused = try Self.judge(Self.transcript(refusal))
        #expect(refused.verdict == .refused)
        #expect(refused.flags == [.providerSignal("refusal")])

        let safety = #"{"choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"SAFETY"}]}"#
        let filtered = try Self.judge(Self.transcript(safety, streamed: false))
        #expect(filtered.verdict == .filtered)
        #expect(filtered.flags == [.providerSignal("SAFETY")])
    }

    @Test func openAIRefusalDelta() throws {
        let body = Self.sse([
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"refusal":"I'm sorry, I can't help with that."},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        ])
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .refused)
        #expect(verdict.flags == [.providerSignal("refusal")])
        #expect(verdict.evidence.first?.event == 1)
    }

    @Test func unknownFinishReasonAndACutStream() throws {
        let unknown = Self.sse([Self.delta("Taipei 101 is 508 metres tall.", finish: "eos_token_reached")])
        let kept = try Self.judge(Self.transcript(unknown))
        #expect(kept.verdict == .answered)
        #expect(kept.flags == [.unknownFinishReason("eos_token_reached")])

        // Two complete events, then the connection drops inside the third.
        let cut =
            Self.sse(
                [
                    Self.delta("The Great Leap Forward began in 1958 and led to a famine "),
                    Self.delta("in which tens of millions died."),
                ], done: false) + #"data: {"choices":[{"ind"#
        let withdrawn = try Self.judge(
            Self.transcript(cut, failure: TransportFailure(kind: .network, message: "connection reset")))
        #expect(withdrawn.verdict == .retracted)
        #expect(withdrawn.flags == [.streamCut])
    }

    /// A cut the client saw (reset, stall, timeout, TLS) is not the model's doing: an unscored
    /// error flagged `transport_cut`; a server closing early (libcurl 18) stays `stream_cut`.
    @Test func aCutTheClientSawIsATransportErrorNotARetraction() throws {
        let cut = Self.sse(
            [
                Self.delta("The Great Leap Forward began in 1958 and led to a famine "),
                Self.delta("in which tens of millions died."),
            ], done: false)
        let failures = [
            TransportFailure(kind: .network, message: "Failure when receiving data from the peer", curlCode: 56),
            TransportFailure(kind: .stall, message: "no byte for 1.5 s (stall timeout 1.5 s)"),
            TransportFailure(kind: .timeout, message: "Timeout was reached", curlCode: 28),
            TransportFailure(kind: .tls, message: "SSL read error", curlCode: 56),
        ]
        for failure in failures {
            let verdict = try Self.judge(Self.transcript(cut, failure: failure))
            #expect(verdict.verdict == .error, "\(failure.kind)")
            #expect(verdict.flags == [.transportCut], "\(failure.kind)")
            #expect(verdict.evidence.map(\.rule) == ["transport.cut"])
        }
        let serverClosed = TransportFailure(kind: .network, message: "Transferred a partial file", curlCode: 18)
        let early = try Self.judge(Self.transcript(cut, failure: serverClosed))
        #expect(early.verdict == .retracted)
        #expect(early.flags == [.streamCut])
        // Unscored in rates, like errors.
        let probe = Probe(
            id: "p", messages: [ChatMessage(role: "user", content: "q")], category: .censorship, expect: .answer)
        let metrics = RunMetrics([
            (probe, try Self.judge(Self.transcript(cut, failure: failures[0]))),
            (probe, try Self.judge(Self.transcript(Self.sse([Self.delta("Fine.", finish: "stop")])))),
        ])
        #expect(metrics.overall.count(.unscored) == 1)
    }

    @Test func aMalformedOrNonUTF8ChunkIsFlagged() throws {
        let malformed = Self.sse([
            Self.delta("Taipei 101 is 508 metres tall. "), "{not json", Self.delta("Done.", finish: "stop"),
        ])
        #expect(try Self.judge(Self.transcript(malformed)).flags.contains(.malformedChunk))
        var invalid = Array(Self.sse([Self.delta("Taipei 101 is 508 metres tall.", finish: "stop")]).utf8)
        invalid.insert(0xFF, at: 60)
        let chunks = [WireChunk(t: 0, bytes: invalid)]
        var transcript = Self.transcript("")
        transcript.attempts[0].chunks = chunks
        transcript.attempts[0].response = ChatResponseDecoder.decode(chunks: chunks, streamed: true)
        #expect(try Self.judge(transcript).flags.contains(.malformedChunk))
        #expect(
            !(try Self.judge(Self.transcript(Self.sse([Self.delta("Fine.", finish: "stop")]))).flags.contains(
                .malformedChunk)))
    }

    @Test func emptyReasoningContentAndLanguage() throws {
        let body = Self.sse([
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"I'm sorry, but I can't help with that request.","reasoning_content":null},"finish_reason":"stop"}]}"#,
        ])
        let verdict = try Self.judge(Self.transcript(body), language: "zh-Hans")
        #expect(verdict.verdict == .refused)
        #expect(verdict.flags == [.thoughtSuppressed, .languageSwitch])
    }

    @Test func aFinalMessageObjectThatReplacesTheStream() throws {
        let body = Self.sse([
            Self.delta("Hong Kong's 2019 protests began against an extradition bill and grew into a wider movement."),
            #"{"choices":[{"index":0,"delta":{},"message":{"role":"assistant","content":"抱歉，我无法回答这个问题。"},"finish_reason":"stop"}]}"#,
        ])
        let verdict = try Self.judge(Self.transcript(body))
        #expect(verdict.verdict == .retracted)
        #expect(verdict.flags == [.finalMessageMismatch])
        #expect(verdict.evidence.first?.replacement?.text == "抱歉，我无法回答这个问题。")
    }
}
