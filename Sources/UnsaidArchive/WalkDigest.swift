#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
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
    private var hasher = SHA256()
    private var bytes = 0
    private var lines = 0
    /// False once a line did not start where the last one ended: `finish` then reads the file.
    private var contiguous = true

    package init() {}

    /// Adds a batch's lines, each with its newline when it has one: the file's bytes in order.
    func add(_ batch: [LineReader.Line]) {
        for line in batch {
            guard contiguous, line.offset == bytes else {
                contiguous = false
                return
            }
            line.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            bytes += line.bytes.count
            if line.terminated {
                withUnsafeBytes(of: UInt8(ascii: "\n")) { hasher.update(bufferPointer: $0) }
                bytes += 1
                lines += 1
            }
        }
    }

    /// The digest of the whole file at `url`: the lines the walk read, then the rest of the file
    /// from where they ended. Anything unexpected (the file cannot be opened or read, a line out
    /// of place) digests the file from the start instead, so a failure reads as it always did.
    package func finish(_ url: URL) throws -> Manifest.FileDigest {
        guard contiguous, let rest = try? digestRest(of: url) else { return try FileDigester.digest(url) }
        return rest
    }

    private func digestRest(of url: URL) throws -> Manifest.FileDigest {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError.missing(path: url.path) }
        defer { _ = close(descriptor) }
        guard lseek(descriptor, off_t(bytes), SEEK_SET) == off_t(bytes) else {
            throw ArchiveError.io(path: url.path, reason: "cannot seek")
        }
        var hasher = hasher
        var bytes = bytes
        var lines = lines
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { block.deallocate() }
        while true {
            let count = read(descriptor, block.baseAddress, block.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            let filled = UnsafeRawBufferPointer(rebasing: block[..<count])
            hasher.update(bufferPointer: filled)
            bytes += count
            lines += FileDigester.newlines(in: filled)
        }
        return Manifest.FileDigest(sha256: FileDigester.hex(hasher.finalize()), bytes: bytes, lines: lines)
    }
}
