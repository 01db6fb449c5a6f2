import Foundation

/// The commit checked out in the git repository around a directory, read from the repository's
/// files the way `git rev-parse HEAD` finds it: `.git` looked for upward from the directory (a
/// directory, or a file naming one, as in a linked worktree), `HEAD` followed through symbolic
/// refs to a loose ref or a line of `packed-refs`. Starting `git` for it cost a run ~40 ms of
/// wall time before its first request; reading four small files costs microseconds.
///
/// Anything this reading does not cover — `GIT_DIR` and friends set in the environment, a ref
/// storage it does not know (reftable), a ref it cannot find or parse — is `.undetermined`, and
/// the caller asks `git` itself, as before.
package enum GitCheckout {
    package enum Head: Equatable, Sendable {
        /// HEAD's commit, 40 hexadecimal digits.
        case commit(String)
        /// No `.git` in the directory or any directory above it, or a branch without commits yet:
        /// `git rev-parse HEAD` fails there too.
        case none
        /// Ask `git`.
        case undetermined
    }

    /// Environment variables that change where git looks for the repository or its refs.
    static let relocatingVariables = ["GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES"]

    package static func head(
        around directory: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Head {
        if relocatingVariables.contains(where: { environment[$0] != nil }) { return .undetermined }
        let gitDirectory: URL
        switch findGitDirectory(from: directory.standardizedFileURL) {
        case .found(let found): gitDirectory = found
        case .none: return .none
        case .unreadable: return .undetermined
        }
        let commonDirectory = commonDirectory(of: gitDirectory)
        guard var target = read(gitDirectory.appendingPathComponent("HEAD")) else { return .undetermined }
        // A symbolic ref may point at another; git gives up after five.
        for _ in 0..<5 {
            if isObjectName(target) { return .commit(target) }
            guard target.hasPrefix("ref: ") else { return .undetermined }
            let name = String(target.dropFirst(5)).trimmingCharacters(in: .whitespaces)
            // Branches live in the shared directory; a reftable repository names this one.
            guard name.hasPrefix("refs/"), name != "refs/heads/.invalid", !name.contains("..") else {
                return .undetermined
            }
            if let loose = read(commonDirectory.appendingPathComponent(name)) {
                target = loose
                continue
            }
            guard let packed = packedRef(name, in: commonDirectory) else {
                // No such ref anywhere: an unborn branch (a new repository), where git fails too,
                // unless the repository keeps its refs some other way.
                return FileManager.default.fileExists(atPath: commonDirectory.appendingPathComponent("reftable").path)
                    ? .undetermined : .none
            }
            target = packed
        }
        return .undetermined
    }

    /// Where a search for `.git` ended.
    private enum GitDirectory {
        case found(URL)
        /// No `.git` up to the root.
        case none
        /// A `.git` file this reading does not understand.
        case unreadable
    }

    /// The repository directory for `directory`: `.git` in it or the nearest directory above it
    /// that has one (a file `gitdir: PATH` naming it elsewhere).
    private static func findGitDirectory(from directory: URL) -> GitDirectory {
        var current = directory
        while true {
            let candidate = current.appendingPathComponent(".git")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) {
                if isDirectory.boolValue { return .found(candidate) }
                guard let text = read(candidate), text.hasPrefix("gitdir: ") else { return .unreadable }
                let path = String(text.dropFirst("gitdir: ".count))
                return .found(resolve(path, against: current))
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return .none }
            current = parent
        }
    }

    /// Where a worktree's shared refs are: its `commondir` file, or the repository itself.
    private static func commonDirectory(of gitDirectory: URL) -> URL {
        guard let path = read(gitDirectory.appendingPathComponent("commondir")) else { return gitDirectory }
        return resolve(path, against: gitDirectory)
    }

    /// A path as git reads one in `.git` and `commondir`: absolute, or relative to `directory`.
    private static func resolve(_ path: String, against directory: URL) -> URL {
        (path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)).standardizedFileURL
    }

    /// The object name `packed-refs` gives `name`, if it lists it.
    private static func packedRef(_ name: String, in commonDirectory: URL) -> String? {
        guard let text = read(commonDirectory.appendingPathComponent("packed-refs")) else { return nil }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1] == name { return String(parts[0]) }
        }
        return nil
    }

    /// 40 hexadecimal digits, what `git rev-parse HEAD` prints for a SHA-1 repository (the only
    /// answer the manifest took from it before).
    private static func isObjectName(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// A file's text without its trailing newline; nil when it cannot be read.
    private static func read(_ url: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}
