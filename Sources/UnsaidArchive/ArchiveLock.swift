import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<run>/.lock`, held by the one process allowed to change a run
/// directory (`run`, `run --resume`, `rescore`, `sign`, `review` labelling). Two writers interleaving appends would
/// break the hash chain beyond repair, so the second one is refused before it touches anything.
///
/// The kernel releases the lock when the process dies, however it dies (kill -9 included), so a
/// stale lock file never blocks a resume. The file holds the holder's pid, for the message.
package final class ArchiveLock: @unchecked Sendable {
    package static let fileName = ".lock"

    private let descriptor: Int32

    /// Another process holds the lock.
    package struct HeldError: Error, CustomStringConvertible, Equatable {
        package var directory: String
        package var pid: Int32?

        package var description: String {
            "\(directory) is in use by another unsaid process\(pid.map { " (pid \($0))" } ?? ""); wait for it to finish"
        }
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Takes the lock of an existing run directory, or throws `HeldError` at once (never waits).
    package static func acquire(_ directory: URL) throws -> ArchiveLock {
        let path = directory.appendingPathComponent(fileName).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ArchiveError.io(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let pid = readPID(descriptor)
            close(descriptor)
            if failure == EWOULDBLOCK { throw HeldError(directory: directory.path, pid: pid) }
            throw ArchiveError.io(path: path, reason: String(cString: strerror(failure)))
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return ArchiveLock(descriptor: descriptor)
    }

    /// Who holds the run's lock, or nil when no process does (the run is not live: finished, or
    /// stopped by a crash or an interrupt). Never takes the lock for longer than the probe.
    package static func holder(of directory: URL) -> HeldError? {
        let path = directory.appendingPathComponent(fileName).path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(descriptor, LOCK_UN)
            return nil
        }
        return HeldError(directory: directory.path, pid: readPID(descriptor))
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
