#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import UnsaidSupport

/// Reads a file one line at a time through a reused block buffer, so an archive of any size is
/// read in memory proportional to its longest line, never to the whole file.
final class LineReader {
    /// One line without its newline, where it starts in the file, and whether a newline ended it
    /// (a last line without one is what a torn write leaves).
    struct Line {
        var bytes: Data
        var offset: Int
        var terminated: Bool
        /// The line goes on past `bytes`, which are only its start: a line longer than
        /// `nextBatch`'s `streamingPast`, whose rest `streamRest` reads.
        var continues = false
    }

    private var descriptor: Int32
    let path: String
    /// The buffer, allocated here (not an array) so that `nextBatch` can hand out views of it.
    private let storage: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// Bytes read at a time.
    private let blockSize: Int
    /// Valid bytes are `storage[head..<count]`.
    private var head = 0
    private var count = 0
    private var atEnd = false
    /// File offset of `storage[head]`.
    private var offset = 0
    static let defaultBlockSize = 1 << 20

    /// `nil` when the file does not exist.
    /// - Parameter blockSize: bytes read at a time (tests make it small to reach long lines).
    /// - Parameter capacity: bytes the buffer holds (at least `blockSize`): lines longer than it
    ///   are gathered in storage of their own; `nextBatch` gives at most this much as views.
    init?(path: String, blockSize: Int = LineReader.defaultBlockSize, capacity: Int = 0) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.blockSize = max(1, blockSize)
        self.capacity = max(self.blockSize, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        if descriptor >= 0 { _ = close(descriptor) }
        storage.deallocate()
    }

    func next() throws -> Line? {
        while true {
            if head < count {
                if let newline = newline(from: head) {
                    let line = Line(
                        bytes: Data(bytes: storage + head, count: newline - head), offset: offset, terminated: true)
                    offset += newline + 1 - head
                    head = newline + 1
                    return line
                }
            }
            if atEnd {
                guard head < count else { return nil }
                let line = Line(
                    bytes: Data(bytes: storage + head, count: count - head), offset: offset, terminated: false)
                offset += count - head
                head = count
                return line
            }
            if head == 0, count == capacity { return try longLine() }
            try fill()
        }
    }

    /// The next lines of the file, the ones `next()` would give one after another: at least one
    /// (none at the end of the file), at most `maxLines`, and no more than `maxBytes` in all
    /// unless there is one; fewer when the next line does not fit in the buffer after them.
    ///
    /// The lines' bytes are views of the reader's buffer, not copies: they stay valid only until
    /// the next call to `nextBatch` or `next` (a line longer than the buffer alone has storage
    /// of its own). Copying each line out of the buffer was ~2% of `verify`, and the heap pages
    /// the copies took, handed back between batches and faulted in again, as much again.
    ///
    /// - Parameter streamingPast: a line found longer than this is not gathered whole: the batch is
    ///   that line alone, with its first bytes (at least this many) and `continues` set, and the
    ///   caller must read the rest with `streamRest` before anything else.
    func nextBatch(maxLines: Int, maxBytes: Int, streamingPast: Int? = nil) throws -> [Line] {
        compact()
        let start = offset
        var found: [(start: Int, end: Int, terminated: Bool)] = []
        var bytes = 0
        // `storage[head..<searched]` holds no newline.
        var searched = head
        while found.count < max(1, maxLines) {
            if let newline = newline(from: searched) {
                let length = newline - head
                if !found.isEmpty && bytes + length > maxBytes { break }
                found.append((head, newline, true))
                bytes += length
                head = newline + 1
                searched = head
                continue
            }
            searched = count
            // Part of the next line is read: one already too long for this batch starts the next.
            if !found.isEmpty && bytes + (count - head) > maxBytes { break }
            if atEnd {
                if head < count {
                    found.append((head, count, false))
                    head = count
                }
                break
            }
            // A first line already a block long goes to storage of its own, as `next` reads a line
            // longer than its block: the buffer is then touched no further than for smaller lines
            // (filled to the end for a 50 MB line, it held 4 MB more while the line was read).
            if count == capacity || (found.isEmpty && count - head >= blockSize) {
                // The line does not fit after the batch: it starts the next one, at the front.
                if !found.isEmpty { break }
                offset = start
                return [try longLine(streamingPast: streamingPast)]
            }
            try fill(upTo: blockSize)
        }
        offset = start + head
        return found.map { line in
            Line(
                bytes: line.end > line.start
                    ? Data(bytesNoCopy: storage + line.start, count: line.end - line.start, deallocator: .none)
                    : Data(),
                offset: start + line.start, terminated: line.terminated)
        }
    }

    /// A line longer than the buffer, gathered in storage of its own that block reads are
    /// appended to: the buffer keeps its size, and the line is never held twice (growing the
    /// buffer to fit a 50 MB line, then copying the line out of it, held ~170 MB).
    ///
    /// - Parameter streamingPast: once the line gathered is longer than this, it is returned as it
    ///   stands, with `continues` set, the reader left where it ends (see `streamRest`).
    private func longLine(streamingPast limit: Int? = nil) throws -> Line {
        let start = offset
        var line = Data(bytes: storage + head, count: count - head)
        head = 0
        count = 0
        while true {
            try fill()
            if let newline = newline(from: 0) {
                line.append(storage, count: newline)
                head = newline + 1
                offset = start + line.count + 1
                return Line(bytes: line, offset: start, terminated: true)
            }
            line.append(storage, count: count)
            if atEnd {
                offset = start + line.count
                return Line(bytes: line, offset: start, terminated: false)
            }
            count = 0
            if let limit, line.count > limit {
                offset = start + line.count
                return Line(bytes: line, offset: start, terminated: false, continues: true)
            }
        }
    }

    /// Reads the rest of a line `nextBatch` gave with `continues`, a block at a time, handing each
    /// block's part of the line to `body` (valid only during the call), and returns the length of
    /// the rest and whether a newline ended the line. The line is never held: a record of a
    /// runaway answer (~3× the response cap) is hashed and read from these pieces.
    func streamRest(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> (length: Int, terminated: Bool) {
        var length = 0
        while true {
            try fill()
            if let newline = newline(from: head) {
                try body(UnsafeRawBufferPointer(start: storage + head, count: newline - head))
                length += newline - head
                offset += newline + 1 - head
                head = newline + 1
                return (length, true)
            }
            try body(UnsafeRawBufferPointer(start: storage + head, count: count - head))
            length += count - head
            offset += count - head
            head = count
            if atEnd { return (length, false) }
        }
    }

    /// Fills `buffer` with the file's bytes from `offset` on, without moving the reader: long
    /// strings of a streamed line are read back from the file when their value is decoded.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress else { return false }
            let read = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { return false }
            done += read
        }
        return true
    }

    /// The index of the first newline in `storage[from..<count]`.
    private func newline(from start: Int) -> Int? {
        guard start < count, let found = memchr(storage + start, 0x0A, count - start) else { return nil }
        return storage.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Moves the unread bytes to the front.
    private func compact() {
        guard head > 0 else { return }
        if count > head { memmove(storage, storage + head, count - head) }
        count -= head
        head = 0
    }

    /// Moves the unread bytes to the front and reads a block into the space after them (there is
    /// some: a full buffer without a newline is a long line, read by `longLine`).
    private func fill() throws {
        compact()
        try fill(upTo: blockSize)
    }

    /// Reads at most `limit` bytes into the space after `count`, without moving anything.
    private func fill(upTo limit: Int) throws {
        let space = min(limit, capacity - count)
        var read: Int
        repeat {
            read = Glibc.read(descriptor, storage + count, space)
        } while read < 0 && errno == EINTR
        if read < 0 { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
        if read == 0 { atEnd = true } else { count += read }
    }
}

/// A streamed line's long strings are read back through the reader (`read(at:into:)`).
extension LineReader: ExternalStringSource {}
