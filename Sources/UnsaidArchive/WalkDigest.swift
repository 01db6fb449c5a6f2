import Foundation

/// The digest of the transcripts file (check 3 of `verify`) taken from the lines the streamed walk
/// reads anyway (`ArchiveStream.transcripts(_:digesting:…)`), so that `verify` reads the file once:
/// a second read cost as much CPU as the copy from the page cache, and for an archive larger
/// than memory, a second read from the disk.
///
/// Each batch of lines is hashed beside the batch's records, as one more piece of the batch's
/// parallel work, so the hashing stays off the walk's ordered part. Batches follow each other
/// (each one's work ends before the next is read), so one batch at a time touches the state.
/// What the walk did not read (it stopped at a broken line) is read from the file by `finish`.
package final class WalkDigest: @unchecked Sendable {
    private var running = RunningDigest()
    /// False once a line did not start where the last one ended: `finish` then reads the file.
    private var contiguous = true

    package init() {}

    /// Adds a batch's lines, each with its newline when it has one: the file's bytes in order.
    func add(_ batch: [LineReader.Line]) {
        for line in batch {
            guard contiguous, line.offset == running.bytes else {
                contiguous = false
                return
            }
            line.bytes.withUnsafeBytes { running.update($0) }
            if line.terminated { withUnsafeBytes(of: UInt8(ascii: "\n")) { running.update($0) } }
        }
    }

    /// Adds bytes of the file that start at `offset`: the pieces of a streamed line, in order.
    func add(_ piece: UnsafeRawBufferPointer, at offset: Int) {
        guard contiguous, offset == running.bytes else {
            contiguous = false
            return
        }
        running.update(piece)
    }

    /// The digest of the whole file at `url`: the lines the walk read, then the rest of the file
    /// from where they ended. Anything unexpected (the file cannot be opened or read, a line out
    /// of place) digests the file from the start instead, so a failure reads as it always did.
    package func finish(_ url: URL) throws -> Manifest.FileDigest {
        var rest = running
        guard contiguous, (try? FileDigester.forEachBlock(of: url, from: running.bytes) { rest.update($0) }) != nil
        else { return try FileDigester.digest(url) }
        return rest.digest
    }
}
