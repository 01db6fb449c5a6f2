import Foundation
import Testing
@testable import UnsaidArchive
@testable import UnsaidSupport

/// `LineReader` gives back every line of a file exactly, with its offset and whether a newline
/// ended it, whether a line is shorter than the block it is read in, fills it, or spans many.
@Suite("Line reader")
struct LineReaderTests {
    /// The lines a file holds, split by hand: what the reader must give back.
    static func expected(_ bytes: [UInt8]) -> [(bytes: [UInt8], offset: Int, terminated: Bool)] {
        var lines: [(bytes: [UInt8], offset: Int, terminated: Bool)] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            lines.append((Array(bytes[start..<index]), start, true))
            start = index + 1
        }
        if start < bytes.count { lines.append((Array(bytes[start...]), start, false)) }
        return lines
    }

    static func read(_ url: URL, blockSize: Int) throws -> [(bytes: [UInt8], offset: Int, terminated: Bool)] {
        let reader = try #require(LineReader(path: url.path, blockSize: blockSize))
        var lines: [(bytes: [UInt8], offset: Int, terminated: Bool)] = []
        while let line = try reader.next() { lines.append((Array(line.bytes), line.offset, line.terminated)) }
        return lines
    }

    /// Lines of every length around the block size (empty, one byte, block − 1, block, block + 1,
    /// many blocks), in generated orders, with and without a torn last line.
    @Test(arguments: [1, 2, 7, 64])
    func everyLineComesBackWithItsOffset(blockSize: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("linereader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SplitMix64(seed: UInt64(blockSize))
        let lengths = [0, 1, blockSize - 1, blockSize, blockSize + 1, 2 * blockSize, 5 * blockSize + 3, 300]
        for round in 0..<6 {
            var bytes: [UInt8] = []
            for _ in 0..<40 {
                let length = lengths[Int(random.next() % UInt64(lengths.count))]
                for _ in 0..<max(0, length) { bytes.append(UInt8(ascii: "a") + UInt8(random.next() % 26)) }
                bytes.append(0x0A)
            }
            if round % 2 == 1 {
                // A torn last line, long in odd rounds.
                for _ in 0..<(round * blockSize + 1) { bytes.append(UInt8(ascii: "z")) }
            }
            let url = directory.appendingPathComponent("lines-\(round)")
            try Data(bytes).write(to: url)
            let read = try Self.read(url, blockSize: blockSize)
            let expected = Self.expected(bytes)
            #expect(read.count == expected.count, "block \(blockSize), round \(round)")
            for (got, want) in zip(read, expected) {
                #expect(got.bytes == want.bytes, "block \(blockSize), round \(round), offset \(want.offset)")
                #expect(got.offset == want.offset)
                #expect(got.terminated == want.terminated)
            }
        }
    }

    /// The lines `nextBatch` gives, batch by batch, copied out before the next batch is read
    /// (its lines are views of the reader's buffer).
    static func readInBatches(
        _ url: URL, blockSize: Int, capacity: Int, maxLines: Int, maxBytes: Int
    ) throws -> [[(bytes: [UInt8], offset: Int, terminated: Bool)]] {
        let reader = try #require(LineReader(path: url.path, blockSize: blockSize, capacity: capacity))
        var batches: [[(bytes: [UInt8], offset: Int, terminated: Bool)]] = []
        while true {
            let batch = try reader.nextBatch(maxLines: maxLines, maxBytes: maxBytes)
            if batch.isEmpty { break }
            batches.append(batch.map { (Array($0.bytes), $0.offset, $0.terminated) })
        }
        #expect(try reader.nextBatch(maxLines: maxLines, maxBytes: maxBytes).isEmpty)
        return batches
    }

    /// Batches hold, in order, exactly the lines `next` gives one by one (the reference), within
    /// their limits: at most `maxLines`, and no more than `maxBytes` unless alone, whatever
    /// the line lengths against the block and the buffer.
    @Test(arguments: [1, 2, 7, 64])
    func batchesHoldTheLinesNextGives(blockSize: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("linebatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SplitMix64(seed: 0xBA7C4 &+ UInt64(blockSize))
        let lengths = [0, 1, blockSize - 1, blockSize, blockSize + 1, 2 * blockSize, 5 * blockSize + 3, 300]
        for round in 0..<8 {
            var bytes: [UInt8] = []
            for _ in 0..<(round == 0 ? 0 : 60) {
                let length = lengths[Int(random.next() % UInt64(lengths.count))]
                for _ in 0..<max(0, length) { bytes.append(UInt8(ascii: "a") + UInt8(random.next() % 26)) }
                bytes.append(0x0A)
            }
            if round % 2 == 1 {
                for _ in 0..<(round * blockSize + 1) { bytes.append(UInt8(ascii: "z")) }
            }
            let url = directory.appendingPathComponent("lines-\(round)")
            try Data(bytes).write(to: url)
            let expected = try Self.read(url, blockSize: blockSize)
            #expect(expected.count == Self.expected(bytes).count)
            for capacity in [blockSize, 3 * blockSize, 8 * blockSize + 5, 1 << 16] {
                for (maxLines, maxBytes) in [(1, 0), (3, 1 << 20), (64, 2 * blockSize), (64, 1 << 20), (5, 0)] {
                    let context =
                        "block \(blockSize), round \(round), capacity \(capacity), \(maxLines) lines, \(maxBytes) bytes"
                    let batches = try Self.readInBatches(
                        url, blockSize: blockSize, capacity: capacity, maxLines: maxLines, maxBytes: maxBytes)
                    let lines = batches.flatMap { $0 }
                    #expect(lines.count == expected.count, "\(context)")
                    for (got, want) in zip(lines, expected) {
                        #expect(got.bytes == want.bytes, "\(context), offset \(want.offset)")
                        #expect(got.offset == want.offset, "\(context)")
                        #expect(got.terminated == want.terminated, "\(context)")
                    }
                    for batch in batches {
                        #expect(!batch.isEmpty && batch.count <= maxLines, "\(context)")
                        let total = batch.reduce(0) { $0 + $1.bytes.count }
                        #expect(batch.count == 1 || total <= maxBytes, "\(context)")
                    }
                }
            }
        }
    }

    /// Lines longer than `streamingPast` come as their start (`continues`) and the rest in pieces
    /// (`streamRest`): put together, the lines `next` gives, with their offsets and newlines.
    @Test(arguments: [1, 7, 64])
    func streamedLinesPutTogetherAreTheLinesNextGives(blockSize: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("linestream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SplitMix64(seed: 0x57EA &+ UInt64(blockSize))
        let lengths = [0, 1, blockSize, 3 * blockSize + 1, 10 * blockSize, 300]
        for round in 0..<6 {
            var bytes: [UInt8] = []
            for _ in 0..<30 {
                let length = lengths[Int(random.next() % UInt64(lengths.count))]
                for _ in 0..<length { bytes.append(UInt8(ascii: "a") + UInt8(random.next() % 26)) }
                bytes.append(0x0A)
            }
            if round % 2 == 1 {
                for _ in 0..<(round * 7 * blockSize + 1) { bytes.append(UInt8(ascii: "z")) }
            }
            let url = directory.appendingPathComponent("lines-\(round)")
            try Data(bytes).write(to: url)
            let expected = try Self.read(url, blockSize: blockSize)
            for streamingPast in [0, blockSize, 2 * blockSize + 3] {
                let context = "block \(blockSize), round \(round), streaming past \(streamingPast)"
                let reader = try #require(LineReader(path: url.path, blockSize: blockSize, capacity: 4 * blockSize))
                var lines: [(bytes: [UInt8], offset: Int, terminated: Bool)] = []
                var streamed = 0
                while true {
                    let batch = try reader.nextBatch(maxLines: 8, maxBytes: 1 << 20, streamingPast: streamingPast)
                    if batch.isEmpty { break }
                    guard batch.count == 1, batch[0].continues else {
                        lines += batch.map { (Array($0.bytes), $0.offset, $0.terminated) }
                        continue
                    }
                    streamed += 1
                    #expect(batch[0].bytes.count > streamingPast, "\(context)")
                    var whole = Array(batch[0].bytes)
                    let (rest, terminated) = try reader.streamRest { whole += Array($0) }
                    #expect(whole.count == batch[0].bytes.count + rest, "\(context)")
                    lines.append((whole, batch[0].offset, terminated))
                }
                #expect(lines.count == expected.count, "\(context)")
                for (got, want) in zip(lines, expected) {
                    #expect(got.bytes == want.bytes && got.offset == want.offset, "\(context), offset \(want.offset)")
                    #expect(got.terminated == want.terminated, "\(context)")
                }
                #expect(streamed > 0, "\(context)")
            }
        }
    }

    @Test func aFileOfOneLongUnterminatedLineIsOneTornLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("linereader-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 3 * LineReader.defaultBlockSize + 17)
        try Data(bytes).write(to: url)
        let read = try Self.read(url, blockSize: LineReader.defaultBlockSize)
        #expect(read.count == 1)
        #expect(read.first?.bytes.count == bytes.count)
        #expect(read.first?.offset == 0)
        #expect(read.first?.terminated == false)
    }
}
