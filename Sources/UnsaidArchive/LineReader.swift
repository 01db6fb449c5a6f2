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
    private static let blockSize = 1 << 20

    /// `nil` when the file does not exist.
    init?(path: String) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        buffer = [UInt8](repeating: 0, count: Self.blockSize)
    }

    deinit {
        if descriptor >= 0 { _ = close(descriptor) }
    }

    func next() throws -> Line? {
        while true {
            if head < count {
                let newline: Int? = buffer.withUnsafeBufferPointer { pointer in
                    guard let base = pointer.baseAddress,
                        let found = memchr(base + head, 0x0A, count - head)
                    else { return nil }
                    return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                }
                if let newline {
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
            try fill()
        }
    }

    /// Moves the unread bytes to the front, grows the buffer when one line fills it, and reads.
    private func fill() throws {
        if head > 0 {
            buffer.withUnsafeMutableBufferPointer { pointer in
                guard let base = pointer.baseAddress else { return }
                memmove(base, base + head, count - head)
            }
            count -= head
            head = 0
        }
        if count == buffer.count {
            buffer.append(contentsOf: repeatElement(0, count: buffer.count))
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
