import Testing
import UnsaidSupport
import UnsaidTranscript
@testable import UnsaidVerdict

/// `lastUserText` reads the request body member by member; `lastUserTextFromValue`, which parses
/// it whole into a `JSONValue`, is the reference. Held to it on the bodies the run writes and on
/// generated ones: roles and contents of every type, parts with and without text, repeated keys,
/// keys the reader declines (escapes, non-ASCII), messages that are not objects, bodies that are
/// not objects or not JSON.
@Suite struct LastUserTextTests {
    private static func request(_ body: String) -> RecordedRequest {
        RecordedRequest(url: "http://127.0.0.1/v1/chat/completions", headers: [], body: body, streamed: true)
    }

    private static func expectSame(_ body: String) {
        let request = Self.request(body)
        #expect(request.lastUserText == request.lastUserTextFromValue, "\(body)")
    }

    @Test func tableOfBodies() {
        let bodies = [
            #"{"messages":[{"content":"Is it legal? (1)","role":"user"}],"model":"m","stream":true}"#,
            #"{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Q1"},{"role":"assistant","content":"A"},{"role":"user","content":"Q2"}]}"#,
            #"{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url"},{"text":"b"},{"text":null},{"text":3},7,"s"]}]}"#,
            #"{"messages":[{"role":"user","content":"first"},{"role":"user","content":null}]}"#,
            #"{"messages":[{"role":"user","content":"first"},{"role":"user","content":{"text":"x"}}]}"#,
            #"{"messages":[{"role":"user","content":"first"},{"role":"user"}]}"#,
            #"{"messages":[{"role":"user","content":"a","content":"b"}]}"#,
            #"{"messages":[{"role":"user","content":"a","role":"assistant"}]}"#,
            #"{"messages":[{"role":"assistant","content":"a","role":"user"}]}"#,
            #"{"messages":[{"role":"user","content":"a"}],"messages":[{"role":"user","content":"b"}]}"#,
            #"{"messages":[{"role":"user","content":"a"}],"messages":3}"#,
            #"{"messages":3,"messages":[{"role":"user","content":"b"}]}"#,
            #"{"messages":{"role":"user","content":"a"}}"#,
            #"{"messages":[1,"user",null,[{"role":"user","content":"nested"}]]}"#,
            #"{"messages":[{"role":null,"content":"a"},{"role":7,"content":"b"}]}"#,
            #"{"messages":[{"role":"User","content":"a"},{"role":"user ","content":"b"}]}"#,
            #"{"messages":[{"r\u006fle":"user","content":"escaped key"}]}"#,
            #"{"messages":[{"role":"us\u0065r","content":"escaped role \"quoted\" \n"}]}"#,
            #"{"messages":[{"rôle":"user","content":"non-ASCII key"},{"role":"user","content":"é 中 😀"}]}"#,
            #"{"messages":[{"role":"user","content":"a"}],"extra":{"deep":[[[{"k":[true,false,null,1.5e3]}]]]}}"#,
            #"  {"messages" : [ { "role" : "user" , "content" : [ { "text" : "spaced" } ] } ] }  "#,
            "\u{FEFF}{\"messages\":[{\"role\":\"user\",\"content\":\"bom\"}]}",
            #"{"messages":[{"role":"user","content":"a"}]"#,
            #"{"messages":[{"role":"user","content":"a"}]} x"#,
            #"{"messages":[{"role":"user","content":"a"},]}"#,
            #"{"messages":[{"role":"user","content":"a",}]}"#,
            #"{"messages":[{"role":"user","content":"a\x"}]}"#,
            #"[{"role":"user","content":"a"}]"#,
            #""just a string""#, "", "null", "{}", #"{"messages":[]}"#,
            #"{"messages":[{"role":"user","content":[]}]}"#,
            #"{"messages":[{"role":"user","content":"a"}],"n":01}"#,
            #"{"messages":[{"role":"user","content":"a"}],"n":-}"#,
        ]
        for body in bodies { Self.expectSame(body) }
    }

    /// Bodies assembled from random pieces: most are JSON, some are cut short or carry a stray byte.
    @Test func generatedBodies() {
        var random = SplitMix64(seed: 0x1A57)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let roles = [#""user""#, #""assistant""#, #""system""#, "null", "1", #""us\u0065r""#, "[]", "{}"]
        let texts = [#""plain""#, #""with \"quotes\" and \\ and \n""#, #""é中😀""#, #""""#, "null", "3", "true"]
        func part() -> String {
            pick([
                #"{"type":"text","text":\#(pick(texts))}"#, #"{"text":\#(pick(texts)),"text":\#(pick(texts))}"#,
                #"{"type":"image_url","image_url":{"url":"x"}}"#, pick(texts), "[]", "{}",
            ])
        }
        func content() -> String {
            pick([
                pick(texts), "[" + (0..<Int(random.next() % 4)).map { _ in part() }.joined(separator: ",") + "]", "{}",
            ])
        }
        func message() -> String {
            var members: [String] = []
            for _ in 0..<Int(random.next() % 4) {
                members.append(
                    pick([
                        #""role":\#(pick(roles))"#, #""content":\#(content())"#, #""name":"n""#, #""r\u006fle":"user""#,
                        #""content":\#(content())"#, #""role":"user""#,
                    ]))
            }
            return pick(["{" + members.joined(separator: ",") + "}", "{" + members.joined(separator: ",") + "}", "3"])
        }
        for _ in 0..<3_000 {
            let messages = "[" + (0..<Int(random.next() % 5)).map { _ in message() }.joined(separator: ",") + "]"
            var members = [#""messages":\#(messages)"#]
            if random.next() % 4 == 0 { members.append(#""messages":\#(pick([messages, "null", "[]"]))"#) }
            if random.next() % 2 == 0 { members.insert(#""model":"m""#, at: 0) }
            if random.next() % 3 == 0 { members.append(#""stream":true,"stream_options":{"include_usage":true}"#) }
            var body = "{" + members.joined(separator: pick([",", " , "])) + "}"
            switch random.next() % 10 {
            case 0: body.removeLast(Int(random.next() % UInt64(body.utf8.count)))
            case 1:
                let cut = body.index(body.startIndex, offsetBy: Int(random.next() % UInt64(body.count)))
                body.insert(pick(["}", ",", "\"", "\\", "x", " "]), at: cut)
            default: break
            }
            Self.expectSame(body)
        }
    }
}
