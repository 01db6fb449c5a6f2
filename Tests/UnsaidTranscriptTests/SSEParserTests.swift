import Foundation
import Testing
import UnsaidSupport
@testable import UnsaidSuite
@testable import UnsaidTranscript

/// Feeds each chunk in turn, then finishes; returns the events and what `finish()` said.
private func parse(_ chunks: [[UInt8]]) -> (events: [SSEEvent], leftover: Bool) {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    for (index, chunk) in chunks.enumerated() {
        events += parser.feed(chunk, chunkIndex: index)
    }
    return (events, parser.finish())
}

private func parse(_ chunks: [String]) -> (events: [SSEEvent], leftover: Bool) {
    parse(chunks.map { Array($0.utf8) })
}

/// What an event says, without the chunk it completed in (which depends on how bytes were split).
private struct Said: Equatable {
    var type: String
    var data: String
    var id: String?
    var retry: Int?

    init(_ data: String, type: String = "message", id: String? = nil, retry: Int? = nil) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }

    init(_ event: SSEEvent) {
        self.init(event.data, type: event.type, id: event.id, retry: event.retry)
    }
}

@Suite struct SSEParserTests {
    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingDispatches(ending: String) {
        let stream = "data: first\(ending)data: second\(ending)\(ending)data: third\(ending)\(ending)"
        let result = parse([stream])
        #expect(
            result.events == [
                SSEEvent(data: "first\nsecond", chunkIndex: 0),
                SSEEvent(data: "third", chunkIndex: 0),
            ])
        #expect(result.leftover == false)
    }

    @Test func mixedLineEndingsInOneStream() {
        let result = parse(["data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"])
        #expect(result.events.map(Said.init) == [Said("a\nb\nc"), Said("d")])
    }

    @Test func crlfSplitAcrossChunksIsOneLineEnd() {
        // Were the LF counted as a second line end, the blank line would split "a" and "b" apart.
        let result = parse(["data: a\r", "\ndata: b\r", "\n\r", "\n"])
        #expect(result.events == [SSEEvent(data: "a\nb", chunkIndex: 2)])
        #expect(result.leftover == false)
    }

    @Test func loneCRAtChunkEndFollowedByOtherByte() {
        let result = parse(["data: a\r", "data: b\r", "\r"])
        #expect(result.events == [SSEEvent(data: "a\nb", chunkIndex: 2)])
    }

    @Test func crAtChunkEndSurvivesEmptyChunk() {
        let result = parse(["data: a\r", "", "\ndata: b\n\n"])
        #expect(result.events == [SSEEvent(data: "a\nb", chunkIndex: 2)])
    }

    @Test func multiByteCharacterSplitAcrossChunks() {
        // 中 = E4 B8 AD, 한 = ED 95 9C
        let result = parse([
            Array("data: ".utf8) + [0xE4, 0xB8],
            [0xAD, 0xED],
            [0x95, 0x9C] + Array("\n\n".utf8),
        ])
        #expect(result.events == [SSEEvent(data: "中한", chunkIndex: 2)])
    }

    @Test func leadingBOMIsStripped() {
        let result = parse([[0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)])
        #expect(result.events == [SSEEvent(data: "x", chunkIndex: 0)])
    }

    @Test func leadingBOMSplitAcrossChunksIsStripped() {
        let result = parse([[0xEF], [0xBB], [0xBF, 0x64], Array("ata: x\n\n".utf8)])
        #expect(result.events == [SSEEvent(data: "x", chunkIndex: 3)])
    }

    @Test func onlyOneBOMIsStripped() {
        // The second BOM becomes part of the field name, which is then unknown.
        let result = parse([[0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("data: x\n\ndata: y\n\n".utf8)])
        #expect(result.events.map(Said.init) == [Said("y")])
    }

    @Test func bomPrefixThatIsNotABOMStaysInTheLine() {
        // EF BB then "d…": the held-back bytes start the first line, making its field unknown.
        let result = parse([[0xEF, 0xBB], Array("data: x\n\ndata: y\n\n".utf8)])
        #expect(result.events.map(Said.init) == [Said("y")])
    }

    @Test func bomAfterStreamStartIsData() {
        let result = parse([Array("data: a\n\n".utf8), [0xEF, 0xBB, 0xBF] + Array("data: b\n\n".utf8)])
        #expect(result.events.map(Said.init) == [Said("a")])
    }

    @Test func streamOfOnlyPartOfABOMIsLeftover() {
        let result = parse([[0xEF, 0xBB]])
        #expect(result.events.isEmpty)
        #expect(result.leftover == true)
    }

    @Test func commentsAreIgnored() {
        let result = parse([": OPENROUTER PROCESSING\n\n:\ndata: x\n: inner comment\ndata: y\n\n"])
        #expect(result.events.map(Said.init) == [Said("x\ny")])
        #expect(result.leftover == false)
    }

    @Test func multiLineDataJoinsWithLF() {
        let result = parse(["data: a\ndata:\ndata:  b\ndata: \n\n"])
        #expect(result.events.map(Said.init) == [Said("a\n\n b\n")])
    }

    @Test func eventIdAndRetryFields() {
        let result = parse(["event: delta\nid: 7\nretry: 1500\ndata: x\n\ndata: y\n\n"])
        #expect(
            result.events == [
                SSEEvent(type: "delta", data: "x", id: "7", retry: 1500, chunkIndex: 0),
                SSEEvent(type: "message", data: "y", id: "7", retry: nil, chunkIndex: 0),
            ])
    }

    @Test(arguments: ["retry: 15s", "retry: -1", "retry: ", "retry", "retry: 1 0", "retry: ١٢"])
    func invalidRetryIsIgnored(line: String) {
        var parser = SSEParser()
        let events = parser.feed(Array("\(line)\ndata: x\n\n".utf8), chunkIndex: 0)
        #expect(events == [SSEEvent(data: "x", retry: nil, chunkIndex: 0)])
        #expect(parser.reconnectionTime == nil)
    }

    @Test func retryWithoutDataStillSetsReconnectionTime() {
        var parser = SSEParser()
        let events = parser.feed(Array("retry: 3000\n\n".utf8), chunkIndex: 0)
        #expect(events.isEmpty)
        #expect(parser.reconnectionTime == 3000)
    }

    @Test func idWithNULIsIgnoredAndEmptyIdResets() {
        let result = parse(["id: 1\ndata: a\n\nid: 2\u{0}x\ndata: b\n\ndata: c\n\nid\ndata: d\n\n"])
        #expect(
            result.events.map(Said.init) == [
                Said("a", id: "1"),
                Said("b", id: "1"),
                Said("c", id: "1"),
                Said("d", id: nil),
            ])
    }

    @Test func emptyEventTypeMeansMessage() {
        let result = parse(["event:\ndata: x\n\nevent\ndata: y\n\n"])
        #expect(result.events.map(Said.init) == [Said("x"), Said("y")])
    }

    @Test func eventTypeDoesNotCarryOver() {
        let result = parse(["event: error\ndata: x\n\ndata: y\n\n"])
        #expect(result.events.map(Said.init) == [Said("x", type: "error"), Said("y")])
    }

    @Test func valueWithoutLeadingSpaceAndWithExtraSpaces() {
        let result = parse(["data:[DONE]\n\ndata:  two\n\ndata: a: b\n\n"])
        #expect(result.events.map(Said.init) == [Said("[DONE]"), Said(" two"), Said("a: b")])
    }

    @Test func lineWithoutColonIsFieldWithEmptyValue() {
        let result = parse(["data\n\ndata\ndata\n\n"])
        #expect(result.events.map(Said.init) == [Said(""), Said("\n")])
    }

    @Test func blankLineWithEmptyDataBufferDispatchesNothing() {
        let result = parse(["\n\nevent: ping\n\nid: 3\n\n\r\n"])
        #expect(result.events.isEmpty)
        #expect(result.leftover == false)
    }

    @Test func unknownFieldsAreIgnored() {
        let result = parse(["foo: bar\nDATA: no\nData: no\ndata : no\ndata: x\n\n"])
        #expect(result.events.map(Said.init) == [Said("x")])
    }

    @Test func unterminatedLastEventIsDroppedAndReported() {
        let withLineEnd = parse(["data: a\n\ndata: b\n"])
        #expect(withLineEnd.events.map(Said.init) == [Said("a")])
        #expect(withLineEnd.leftover == true)

        let midLine = parse(["data: a\n\ndata: {\"choi"])
        #expect(midLine.events.map(Said.init) == [Said("a")])
        #expect(midLine.leftover == true)

        let clean = parse(["data: a\n\n"])
        #expect(clean.leftover == false)

        let trailingComment = parse(["data: a\n\n: bye\n"])
        #expect(trailingComment.leftover == false)

        let cutComment = parse(["data: a\n\n: by"])
        #expect(cutComment.leftover == true)
    }

    @Test func finishResetsForANewStreamButKeepsLastEventID() {
        var parser = SSEParser()
        _ = parser.feed(Array("id: 9\ndata: a\n\ndata: cut".utf8), chunkIndex: 0)
        #expect(parser.finish() == true)
        let events = parser.feed(Array("data: b\n\n".utf8), chunkIndex: 0)
        #expect(events == [SSEEvent(data: "b", id: "9", chunkIndex: 0)])
        #expect(parser.finish() == false)
    }

    @Test func invalidUTF8IsReplaced() {
        let result = parse([Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8)])
        #expect(result.events.map(Said.init) == [Said("a\u{FFFD}b")])
    }

    @Test func eventRecordsTheChunkThatCompletedIt() {
        let result = parse(["data: a\n", "\ndata: b\n\ndata: c", "\n", "\n"])
        #expect(
            result.events == [
                SSEEvent(data: "a", chunkIndex: 1),
                SSEEvent(data: "b", chunkIndex: 1),
                SSEEvent(data: "c", chunkIndex: 3),
            ])
    }

    @Test func acceptsDataAndNonContiguousCollections() {
        var parser = SSEParser()
        let fromData = parser.feed(Data("data: x\n\n".utf8), chunkIndex: 0)
        let fromAny = parser.feed(AnyCollection(Array("data: y\n\n".utf8)), chunkIndex: 1)
        #expect(fromData == [SSEEvent(data: "x", chunkIndex: 0)])
        #expect(fromAny == [SSEEvent(data: "y", chunkIndex: 1)])
    }

    @Test func sawEventStreamLineOnlyForSSE() {
        var html = SSEParser()
        _ = html.feed(Array("<html>\n<body>x</body>\n".utf8), chunkIndex: 0)
        #expect(html.sawEventStreamLine == false)

        var sse = SSEParser()
        _ = sse.feed(Array(": hi\n".utf8), chunkIndex: 0)
        #expect(sse.sawEventStreamLine == true)
    }

    // MARK: - Splitting does not change the events

    /// Sample streams with the events they must produce, whatever the split.
    fileprivate static let samples: [(name: String, bytes: [UInt8], expected: [Said])] = [
        (
            "llama.cpp LF",
            Array(
                """
                data: {"choices":[{"delta":{"content":"Hi"}}]}

                data: {"choices":[{"delta":{},"finish_reason":"stop"}]}

                data: [DONE]


                """.utf8),
            [
                Said(#"{"choices":[{"delta":{"content":"Hi"}}]}"#),
                Said(#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#),
                Said("[DONE]"),
            ]
        ),
        (
            "CRLF with fields and comments",
            Array(
                ": ping\r\nevent: error\r\nid: 4\r\ndata: {\"e\":1}\r\n\r\nretry: 20\r\ndata:x\r\ndata\r\n\r\n".utf8),
            [
                Said(#"{"e":1}"#, type: "error", id: "4"),
                Said("x\n", id: "4", retry: 20),
            ]
        ),
        (
            "BOM, CR only, UTF-8", [0xEF, 0xBB, 0xBF] + Array("data: 中文 한국어\rdata: é\r\rdata: end\r\r".utf8),
            [
                Said("中文 한국어\né"),
                Said("end"),
            ]
        ),
    ]

    @Test(arguments: 0..<3)
    func splittingNeverChangesEvents(sample: Int) {
        let (name, bytes, expected) = Self.samples[sample]
        let whole = parse([bytes])
        #expect(whole.events.map(Said.init) == expected, "whole: \(name)")
        #expect(whole.leftover == false)

        let oneByteAtATime = parse(bytes.map { [$0] })
        #expect(oneByteAtATime.events.map(Said.init) == expected, "bytewise: \(name)")
        #expect(oneByteAtATime.leftover == false)

        for size in [2, 3, 5, 7, 13] {
            let pieces = stride(from: 0, to: bytes.count, by: size).map {
                Array(bytes[$0..<min($0 + size, bytes.count)])
            }
            let split = parse(pieces)
            #expect(split.events.map(Said.init) == expected, "\(size)-byte chunks: \(name)")
        }
    }

    @Test func bytewiseChunkIndexIsTheByteThatEndedTheEvent() {
        let bytes = Array("data: a\n\ndata: b\n\n".utf8)
        let result = parse(bytes.map { [$0] })
        // "data: a\n" is bytes 0…7, the blank line's LF is byte 8; the second event ends at byte 17.
        #expect(result.events == [SSEEvent(data: "a", chunkIndex: 8), SSEEvent(data: "b", chunkIndex: 17)])
    }

    /// Where each event lies: from its first field line (comments and blank lines before it
    /// excluded) to just past the blank line that dispatched it, CR LF counted whole; the same
    /// however the bytes were cut. Offsets counted by hand: "event: x" starts at byte 8,
    /// "data: a" at 17, the CR LF blank line ends at 28, "data: b" runs to 37.
    @Test func eventRangesCoverEachEventWhereverTheBytesWereCut() {
        let stream = Array(": ping\n\nevent: x\ndata: a\r\n\r\ndata: b\n\n".utf8)
        #expect(stream.count == 37)
        for cut in 0...stream.count {
            for size in [1, 3, stream.count] {
                var parser = SSEParser()
                var pieces = [Array(stream[..<cut])]
                pieces += stride(from: cut, to: stream.count, by: size).map {
                    Array(stream[$0..<min($0 + size, stream.count)])
                }
                var events: [SSEEvent] = []
                for (index, piece) in pieces.enumerated() { events += parser.feed(piece, chunkIndex: index) }
                #expect(events.map(\.data) == ["a", "b"])
                #expect(parser.eventRanges == [8..<28, 28..<37], "cut \(cut), pieces of \(size)")
            }
        }
    }

    /// The parser's line-end finder (the next CR kept between lines) against a plain scan for the
    /// first CR or LF from every start: generated buffers from no CR or LF at all
    /// to nothing else, asked from starts that move on as the parser's do (just past each end,
    /// past a CR LF pair) or jump ahead, and from the buffer's end.
    @Test func lineEndFinderFindsWhatTheReferenceFinds() {
        var random = SplitMix64(seed: 14)
        let alphabets: [[UInt8]] = [
            Array("data: x".utf8), [0x0A] + Array("data".utf8), [0x0D] + Array("ab".utf8), [0x0D, 0x0A, 0x61],
            [0x0D, 0x0A], [0x0D], [0x0A],
        ]
        for round in 0..<3_000 {
            let alphabet = alphabets[round % alphabets.count]
            let count = Int.random(in: 0...300, using: &random)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            bytes.withUnsafeBufferPointer { buffer in
                var finder = SSEParser.LineEndFinder(buffer)
                var start = 0
                while true {
                    let found = finder.next(from: start)
                    let expected =
                        (min(start, count)..<count).first { buffer[$0] == 0x0A || buffer[$0] == 0x0D } ?? count
                    #expect(found == expected, "round \(round), start \(start) of \(count)")
                    guard found == expected, start < count else { return }
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: start = found + 1
                    case 1:
                        start =
                            found < count - 1 && bytes[found] == 0x0D && bytes[found + 1] == 0x0A
                            ? found + 2 : found + 1
                    case 2: start += Int.random(in: 0...40, using: &random)
                    default: start = found
                    }
                    start = min(start, count)
                    if start == count { #expect(finder.next(from: start) == count) }
                }
            }
        }
    }
}
