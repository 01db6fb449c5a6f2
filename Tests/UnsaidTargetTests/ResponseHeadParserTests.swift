import Testing
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidTarget

@Suite struct ResponseHeadParserTests {
    @Test func interimContinueBlockIsReplacedByTheFinalOne() {
        var parser = ResponseHeadParser()
        #expect(parser.feed(line: "HTTP/1.1 100 Continue\r\n") == nil)
        #expect(parser.feed(line: "X-Interim: yes\r\n") == nil)
        #expect(parser.feed(line: "\r\n") == nil)
        #expect(parser.feed(line: "HTTP/1.1 200 OK\r\n") == nil)
        #expect(parser.feed(line: "Content-Type: text/event-stream\r\n") == nil)
        #expect(parser.feed(line: "X-Folded: a\r\n") == nil)
        #expect(parser.feed(line: "  b\r\n") == nil)
        let head = parser.feed(line: "\r\n")
        #expect(head?.status == 200)
        #expect(
            head?.headers == [
                HTTPHeader(name: "Content-Type", value: "text/event-stream"),
                HTTPHeader(name: "X-Folded", value: "a b"),
            ])
        // Trailers after the head are not part of it.
        #expect(parser.feed(line: "X-Trailer: 1\r\n") == nil)
        #expect(parser.isComplete)
    }

    @Test func http2StatusLineHasNoReasonPhrase() {
        var parser = ResponseHeadParser()
        _ = parser.feed(line: "HTTP/2 429\r\n")
        _ = parser.feed(line: "retry-after:3\r\n")
        let head = parser.feed(line: "\r\n")
        #expect(head?.status == 429)
        #expect(head?.headers == [HTTPHeader(name: "retry-after", value: "3")])
    }
}
