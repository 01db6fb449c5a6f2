#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads a file one line at a time through a reused block buffer, so an archive of any size is
/// read in memory proportional to its longest line, never to the whole file.
final class LineReader {
    /// One line without its newline, where it starts in the file, and whether a newline ended it
    /// (a last line without one is what a torn write leaves).
    struct Line {
        var bytes: Data
        var offset: Int
        var terminated: Bool
    }

    private var descriptor: Int32
    let path: String
    private var buffer: [UInt8]
    /// Valid bytes are `buffer[head..<count]`.
    private var head = 0
    private var count = 0
    private var atEnd = false
    /// File offset of `buffer[head]`.
    private var offset = 0
    static let defaultBlockSize = 1 << 20

    /// `nil` when the file does not exist.
    /// - Parameter blockSize: bytes read at a time (tests make it small to reach long lines).
    init?(path: String, blockSize: Int = LineReader.defaultBlockSize) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        buffer = [UInt8](repeating: 0, count: max(1, blockSize))
    }

    deinit {
        if descriptor >= 0 { _ = close(descriptor) }
    }

    func next() throws -> Line? {
        while true {
            if head < count {
                if let newline = newlineInBuffer() {
                    let line = Line(bytes: Data(buffer[head..<newline]), offset: offset, terminated: true)
                    offset += newline + 1 - head
                    head = newline + 1
                    return line
                }
            }
            if atEnd {
                guard head < count else { return nil }
                let line = Line(bytes: Data(buffer[head..<count]), offset: offset, terminated: false)
                offset += count - head
                head = count
                return line
            }
            if head == 0, count == buffer.count { return try longLine() }
            try fill()
        }
    }

    /// A line longer than the block, gathered in storage of its own that block reads are
    /// appended to: the block buffer keeps its size, and the line is never held twice (growing
    /// the buffer to fit a 50 MB line, then copying the line out of it, held ~170 MB).
    private func longLine() throws -> Line {
        let start = offset
        var line = Data(buffer[head..<count])
        head = 0
        count = 0
        while true {
            try fill()
            if let newline = newlineInBuffer() {
                line.append(contentsOf: buffer[0..<newline])
                head = newline + 1
                offset = start + line.count + 1
                return Line(bytes: line, offset: start, terminated: true)
            }
            line.append(contentsOf: buffer[0..<count])
            if atEnd {
                offset = start + line.count
                return Line(bytes: line, offset: start, terminated: false)
            }
            count = 0
        }
    }

    /// The index of the first newline in `buffer[head..<count]`.
    private func newlineInBuffer() -> Int? {
        buffer.withUnsafeBufferPointer { pointer in
            guard let base = pointer.baseAddress, head < count,
                let found = memchr(base + head, 0x0A, count - head)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Moves the unread bytes to the front and reads into the space after them (there is some:
    /// a full buffer without a newline is a long line, read by `longLine`).
    private func fill() throws {
        if head > 0 {
            buffer.withUnsafeMutableBufferPointer { pointer in
                guard let base = pointer.baseAddress else { return }
                memmove(base, base + head, count - head)
            }
            count -= head
            head = 0
        }
        let space = buffer.count - count
        let read: Int = buffer.withUnsafeMutableBufferPointer { pointer in
            guard let base = pointer.baseAddress else { return 0 }
            while true {
                let result = Glibc.read(descriptor, base + count, space)
                if result < 0 && errno == EINTR { continue }
                return result
            }
        }
        if read < 0 { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
        if read == 0 { atEnd = true } else { count += read }
    }
}
