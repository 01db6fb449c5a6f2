#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file opened for appending whole lines, each written before the next begins (one `write`, or
/// for a very large record a run of them with nothing between), so a crash leaves at most one torn
/// line at the end (which resume cuts back). `sync()` is `fsync`.
///
/// `@unchecked Sendable` because group commit calls `sync()` from its own queue while the writer
/// appends: `write` and `fsync` on one descriptor may run concurrently, and the descriptor itself
/// only changes in `close()`, which the writer calls once every `fsync` has returned.
final class AppendOnlyFile: @unchecked Sendable {
    private var descriptor: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Opens `path` empty (creating it or cutting it to zero) for a file written from scratch.
    init(truncating path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ArchiveError.io(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close() }

    func append(_ data: Data) throws {
        try data.withUnsafeBytes { try append(raw: $0) }
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append(raw: $0) }
    }

    func append(raw buffer: UnsafeRawBufferPointer) throws {
        guard var base = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let written = write(descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.io(path: path, reason: String(cString: strerror(errno)))
            }
            remaining -= written
            base = base.advanced(by: written)
        }
    }

    /// The file's size now: where the next `append` begins.
    func size() throws -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ArchiveError.io(path: path, reason: String(cString: strerror(errno)))
        }
        return Int(status.st_size)
    }

    /// Cuts the file back to `size` bytes (undoing appends made after `size()` said so).
    func truncate(to size: Int) throws {
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw ArchiveError.io(path: path, reason: String(cString: strerror(errno)))
        }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else {
            throw ArchiveError.io(path: path, reason: String(cString: strerror(errno)))
        }
    }

    func close() {
        if descriptor >= 0 {
            _ = Glibc.close(descriptor)
            descriptor = -1
        }
    }
}

/// `fsync`s a file (or a directory, for the names renamed into it) that was written without it.
func syncToDisk(_ url: URL) throws {
    let handle = open(url.path, O_RDONLY | O_CLOEXEC)
    guard handle >= 0 else { throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno))) }
    defer { _ = Glibc.close(handle) }
    guard fsync(handle) == 0 else { throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno))) }
}

/// Writes `data` to `url` so that readers see either the old or the new file, never half of one.
///
/// The temporary file is written and synced through one descriptor, with one `fsync`. (It was
/// written with Foundation's `Data.write`, which already syncs before it closes, then opened again
/// to be synced: two `fsync`s for each of the three files a run writes at its start and again
/// when it is sealed.)
func writeAtomically(_ data: Data, to url: URL) throws {
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
    do {
        let file = try AppendOnlyFile(truncating: temporary.path)
        defer { file.close() }
        try file.append(data)
        // As before: a file system that cannot sync still gets the new file.
        try? file.sync()
    } catch ArchiveError.io(_, let reason) {
        // Named by the file it was for, as before: the temporary name is this function's own.
        throw ArchiveError.io(path: url.path, reason: reason)
    }
    if rename(temporary.path, url.path) != 0 {
        throw ArchiveError.io(path: url.path, reason: String(cString: strerror(errno)))
    }
}

/// Lines bound for a file written whole (the scored verdicts, a merged run), gathered and written a
/// megabyte at a time: a `write` per line would cost a system call each for nothing, since such
/// a file only counts once it is complete and renamed into place.
struct BufferedLines {
    private let file: AppendOnlyFile
    private var pending = Data()

    init(_ file: AppendOnlyFile) {
        self.file = file
    }

    /// Adds `line` and its newline; writes the buffer once it holds a megabyte.
    mutating func append(_ line: Data) throws {
        pending.append(line)
        pending.append(0x0A)
        if pending.count >= 1 << 20 {
            try file.append(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Writes what is left, `fsync`s and closes the file.
    mutating func finish() throws {
        try file.append(pending)
        pending.removeAll()
        try file.sync()
        file.close()
    }
}
