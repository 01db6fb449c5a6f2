import Testing
import UnsaidSuite
import UnsaidSupport
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

    /// Header lines read on their bytes give what the character walk gives: generated blocks of
    /// status lines, headers with spaces, tabs, colons and every ASCII newline (LF, VT, FF, CR,
    /// CRLF, repeated) around their parts, folded lines, blank lines and non-ASCII text, fed
    /// line by line to a parser through `feed` and to one through the reference alone.
    @Test func headerLinesReadOnBytesMatchTheCharacterWalk() {
        let pieces = [
            "HTTP/1.1 200 OK", "HTTP/2 429", "HTTP/1.1 100 Continue", "Content-Type", "X-A", ":", ": ", " ", "\t", "v",
            "a b", "\r\n", "\n", "\r", "\u{0B}", "\u{0C}", "é", "\u{0301}", "HTTP/", "\r\n\r\n", "",
        ]
        var random = SplitMix64(seed: 15)
        for _ in 0..<3000 {
            var bytes = ResponseHeadParser()
            var characters = ResponseHeadParser()
            for _ in 0..<Int(random.next() % 10) {
                var line = ""
                for _ in 0..<Int(random.next() % 6) { line += pieces[Int(random.next() % UInt64(pieces.count))] }
                line += random.next() % 4 == 0 ? "\n" : "\r\n"
                let read = bytes.feed(line: line)
                let reference = characters.feedInCharacters(line: line)
                #expect(
                    read?.status == reference?.status && read?.headers == reference?.headers, "\(line.debugDescription)"
                )
            }
            #expect(bytes.isComplete == characters.isComplete)
            #expect(bytes.partialHead?.status == characters.partialHead?.status)
            #expect(bytes.partialHead?.headers == characters.partialHead?.headers)
        }
    }
}
