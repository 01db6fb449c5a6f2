import Foundation
import Testing
@testable import UnsaidSupport

/// `GitCheckout` reads HEAD's commit from the repository's files instead of starting `git`; in
/// each shape a repository takes (loose and packed refs, a detached HEAD, symbolic refs, linked
/// worktrees, a `.git` file, no commit yet, no repository) it must answer what `git rev-parse
/// HEAD` answers there, which every test asks git itself.
@Suite(.serialized) struct GitCheckoutTests {
    /// Runs git with a fixed identity and no user or system configuration; its output, trimmed,
    /// or nil when it fails.
    @discardableResult
    static func git(_ arguments: [String], in directory: URL) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=Unsaid", "-c", "user.email=unsaid@example.invalid"] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for name in GitCheckout.relocatingVariables { environment[name] = nil }
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What `git rev-parse HEAD` says in `directory`, in the form `head(around:)` answers.
    static func reference(_ directory: URL) throws -> GitCheckout.Head {
        try git(["rev-parse", "HEAD"], in: directory).map { .commit($0) } ?? .none
    }

    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.resolvingSymlinksInPath()
    }

    static func commit(_ message: String, in directory: URL) throws {
        try Data(message.utf8).write(to: directory.appendingPathComponent("file.txt"))
        try git(["add", "file.txt"], in: directory)
        try git(["commit", "-q", "-m", message], in: directory)
    }

    static func expectSameAsGit(_ directory: URL, _ comment: Comment) throws {
        let expected = try reference(directory)
        #expect(GitCheckout.head(around: directory, environment: [:]) == expected, comment)
    }

    @Test func readsWhatGitReadsInEachShapeOfRepository() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = root.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        try Self.git(["init", "-q", "-b", "main"], in: repository)

        // No commit yet: git fails, and so does the reading.
        #expect(try Self.reference(repository) == .none)
        #expect(GitCheckout.head(around: repository, environment: [:]) == .none)

        try Self.commit("first", in: repository)
        let nested = repository.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try Self.expectSameAsGit(repository, "a loose branch ref")
        try Self.expectSameAsGit(nested, "from a directory inside the checkout")
        guard case .commit = GitCheckout.head(around: nested, environment: [:]) else {
            Issue.record("no commit read in a repository with one")
            return
        }

        try Self.commit("second", in: repository)
        try Self.git(["pack-refs", "--all"], in: repository)
        #expect(
            !FileManager.default.fileExists(atPath: repository.appendingPathComponent(".git/refs/heads/main").path))
        try Self.expectSameAsGit(repository, "a packed branch ref")

        try Self.git(["symbolic-ref", "refs/heads/alias", "refs/heads/main"], in: repository)
        try Self.git(["symbolic-ref", "HEAD", "refs/heads/alias"], in: repository)
        try Self.expectSameAsGit(repository, "HEAD through a symbolic ref to a packed one")
        try Self.git(["symbolic-ref", "HEAD", "refs/heads/main"], in: repository)

        try Self.git(["checkout", "-q", "--detach", "HEAD~1"], in: repository)
        try Self.expectSameAsGit(repository, "a detached HEAD")
        try Self.git(["checkout", "-q", "main"], in: repository)

        // A linked worktree: `.git` is a file, HEAD is the worktree's own, the branch is shared.
        let worktree = root.appendingPathComponent("worktree")
        try Self.git(["worktree", "add", "-q", "-b", "other", worktree.path], in: repository)
        try Self.commit("third, in the worktree", in: worktree)
        try Self.expectSameAsGit(worktree, "a linked worktree on its own branch")
        try Self.expectSameAsGit(repository, "the main checkout beside it")
        #expect(
            GitCheckout.head(around: worktree, environment: [:])
                != GitCheckout.head(around: repository, environment: [:]))

        // `.git` a file naming a repository kept elsewhere, by a relative path.
        let separate = root.appendingPathComponent("separate")
        try FileManager.default.createDirectory(at: separate, withIntermediateDirectories: true)
        try Self.git(["init", "-q", "-b", "main", "--separate-git-dir", "../separate.git"], in: separate)
        try Data("gitdir: ../separate.git\n".utf8).write(to: separate.appendingPathComponent(".git"))
        try Self.commit("elsewhere", in: separate)
        try Self.expectSameAsGit(separate, "a .git file with a relative path")
    }

    @Test func outsideAnyRepositoryThereIsNoCommit() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Only meaningful where the scratch directory is not itself inside a checkout.
        try #require(try Self.reference(directory) == .none)
        #expect(GitCheckout.head(around: directory, environment: [:]) == .none)
    }

    @Test func whatTheReadingDoesNotCoverIsLeftToGit() throws {
        let repository = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: repository) }
        try Self.git(["init", "-q", "-b", "main"], in: repository)
        try Self.commit("first", in: repository)
        // The environment moves the repository: only git knows where it went.
        #expect(GitCheckout.head(around: repository, environment: ["GIT_DIR": "/elsewhere"]) == .undetermined)
        // A `.git` file that names no directory, and a HEAD naming something other than a ref.
        try Data("ref: not-a-ref\n".utf8).write(to: repository.appendingPathComponent(".git/HEAD"))
        #expect(GitCheckout.head(around: repository, environment: [:]) == .undetermined)
        let other = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: other) }
        try Data("not a gitdir line\n".utf8).write(to: other.appendingPathComponent(".git"))
        #expect(GitCheckout.head(around: other, environment: [:]) == .undetermined)
    }
}
