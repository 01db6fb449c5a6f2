import Foundation
import UnsaidSupport

/// Facts about this build for the archive manifest.
enum BuildInfo {
    /// The git commit of the checkout the running binary was built from, when it is inside one
    /// (it is, for `make run`); `nil` for an installed binary.
    static func gitCommit() -> String? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        // Read from the repository's files; `git` itself only where that reading stops short.
        switch GitCheckout.head(around: executable.deletingLastPathComponent()) {
        case .commit(let commit): return commit
        case .none: return nil
        case .undetermined: return askGit(about: executable)
        }
    }

    /// `git rev-parse HEAD` in the binary's directory.
    private static func askGit(about executable: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", executable.deletingLastPathComponent().path, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.count == 40 ? commit : nil
    }

    static var host: String { ProcessInfo.processInfo.hostName }
}
