import Foundation
import Testing
@testable import UnsaidArchive
@testable import UnsaidSupport

/// `verify` digests the transcripts from the lines its walk reads (`WalkDigest`): the result must
/// be the file's digest as `FileDigester` takes it from the file, however the walk went.
@Suite("Walk digest")
struct WalkDigestTests {
    /// Files of generated lines, with and without a last newline, empty, a lone newline.
    static func files() -> [[UInt8]] {
        var random = SplitMix64(seed: 0xD16E)
        var files: [[UInt8]] = [[], [0x0A], Array("no newline".utf8), Array("\n\n\n".utf8)]
        for round in 0..<8 {
            var bytes: [UInt8] = []
            for _ in 0..<(1 + Int(random.next() % 40)) {
                for _ in 0..<Int(random.next() % 90) { bytes.append(UInt8(ascii: "a") + UInt8(random.next() % 26)) }
                bytes.append(0x0A)
            }
            if round % 2 == 1 { bytes += Array("torn tail".utf8) }
            files.append(bytes)
        }
        return files
    }

    /// The lines of `url` read with a small block, in batches of `batchSize`, of which only the
    /// first `batches` are given to the digest (a walk that stopped early), or every one.
    static func digest(_ url: URL, batchSize: Int, batches: Int?, skippingLine: Int? = nil) throws -> WalkDigest {
        let reader = try #require(LineReader(path: url.path, blockSize: 16))
        let digest = WalkDigest()
        var batch: [LineReader.Line] = []
        var given = 0
        var index = 0
        while let line = try reader.next() {
            defer { index += 1 }
            if index != skippingLine { batch.append(line) }
            if batch.count == batchSize {
                if batches.map({ given < $0 }) ?? true { digest.add(batch) }
                given += 1
                batch = []
            }
        }
        if !batch.isEmpty, batches.map({ given < $0 }) ?? true { digest.add(batch) }
        return digest
    }

    @Test func theLinesOfAWalkDigestAsTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walkdigest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (number, bytes) in Self.files().enumerated() {
            let url = directory.appendingPathComponent("file-\(number)")
            try Data(bytes).write(to: url)
            let expected = try FileDigester.digest(url)
            for batchSize in [1, 3, 64] {
                // A whole walk, a walk that stopped after one batch or before any, and a walk
                // that lost a line (the rest must come from the file, not from the lines).
                for batches in [nil, 1, 0] as [Int?] {
                    let digest = try Self.digest(url, batchSize: batchSize, batches: batches)
                    #expect(
                        try digest.finish(url) == expected, "file \(number), batches of \(batchSize), \(batches ?? -1)")
                }
                let skipping = try Self.digest(url, batchSize: batchSize, batches: nil, skippingLine: 1)
                #expect(try skipping.finish(url) == expected, "file \(number) without its second line")
            }
        }
    }

    /// A file that cannot be read fails as `FileDigester` fails on it.
    @Test func anUnreadableFileFailsAsTheFileDigesterFails() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("walkdigest-\(UUID().uuidString)")
        #expect(throws: ArchiveError.missing(path: missing.path)) { try WalkDigest().finish(missing) }
    }
}
