import Foundation

/// Path arithmetic for suite files.
///
/// Two spellings are kept apart: the *display* path, relative as the user typed it, which goes
/// into error messages and the archive manifest, and the *canonical* path (absolute, symlinks
/// resolved), which decides whether two includes name the same file and whether an include
/// escapes the suite's directory.
enum SuitePaths {
    static let suiteExtensions: Set<String> = ["yaml", "yml", "json"]

    /// `a//b/./c/../d` → `a/b/d`, without touching the file system. Leading `..` are kept.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
            default:
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        if directory == "." { return normalize(path) }
        return normalize(directory + "/" + path)
    }

    static func fileName(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The file name without its extension: the suite id when the file does not set one.
    static func stem(of path: String) -> String {
        let name = fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// Absolute and lexically normalized, symlinks not resolved.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        return normalize(FileManager.default.currentDirectoryPath + "/" + path)
    }

    /// Absolute with symlinks resolved (for files that exist), the identity of a file.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: absolute(path)).resolvingSymlinksInPath().path
    }

    /// Whether `path` lies inside `directory` (both absolute and normalized).
    static func isInside(_ path: String, directory: String) -> Bool {
        directory == "/" ? path.hasPrefix("/") : path.hasPrefix(directory + "/")
    }

    /// Whether a directory entry is a suite file: a YAML or JSON file that is not a README and
    /// not hidden.
    static func isSuiteFile(name: String) -> Bool {
        guard !name.hasPrefix(".") else { return false }
        let lower = name.lowercased()
        guard !lower.hasPrefix("readme") else { return false }
        guard let dot = lower.lastIndex(of: ".") else { return false }
        return suiteExtensions.contains(String(lower[lower.index(after: dot)...]))
    }
}
