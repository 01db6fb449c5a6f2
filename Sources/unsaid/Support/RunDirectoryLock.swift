import Foundation
import UnsaidArchive

/// Takes the exclusive lock of an existing run directory for a command that changes it, or
/// stops with one line naming the process that holds it (exit 2).
func lockRunDirectory(_ path: String) throws -> ArchiveLock {
    let directory = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ConfigurationError("\(path): no such run directory")
    }
    do {
        return try ArchiveLock.acquire(directory)
    } catch {
        throw ConfigurationError("\(error)")
    }
}
