import Foundation

/// Finds the files Unsaid ships with (the ruleset, the probe library) wherever the binary is.
///
/// Looked up relative to the running executable, so an installed copy works from any folder:
/// 1. `<prefix>/share/unsaid/<name>` for a binary in `<prefix>/bin` (`make install`, the
///    release tarball);
/// 2. SwiftPM's resource bundle beside the binary (`.build/<config>/Unsaid_UnsaidVerdict.resources`, `Unsaid_UnsaidSuite.resources`);
/// 3. the source checkout, for a development build (a binary inside the checkout's `.build/`).
///
/// SwiftPM's generated `Bundle.module` is not used: it stops the process when its bundle is
/// missing, which is exactly the case of a binary copied out of `.build/`.
package enum InstalledResources {
    /// The directory of the running executable, symlinks resolved.
    package static var executableDirectory: URL? {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if FileManager.default.fileExists(atPath: executable.path), executable.path != "/proc/self/exe" {
            return executable.deletingLastPathComponent()
        }
        return Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The checkout this binary was compiled from (four levels above this source file), when
    /// the binary runs from that checkout's `.build/`; an installed copy never reads it.
    static var sourceRoot: URL? {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        guard let directory = executableDirectory?.path, directory.hasPrefix(root.path + "/.build/") else { return nil }
        return root
    }

    /// `<prefix>/share/unsaid` for a binary in `<prefix>/bin`.
    package static var shareDirectory: URL? {
        executableDirectory.map { $0.deletingLastPathComponent().appendingPathComponent("share/unsaid") }
    }

    /// The rule files (`ruleset.json` and what it lists).
    package static var rulesDirectory: URL? {
        var candidates: [URL] = []
        if let share = shareDirectory { candidates.append(share.appendingPathComponent("Rules")) }
        if let directory = executableDirectory {
            candidates.append(directory.appendingPathComponent("Unsaid_UnsaidVerdict.resources/Rules"))
        }
        if let root = sourceRoot { candidates.append(root.appendingPathComponent("Sources/UnsaidVerdict/Rules")) }
        return candidates.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("ruleset.json").path)
        }
    }

    /// The tables of the prompt transforms (`pinyin.txt`, `traditional.txt`, …).
    package static var transformTablesDirectory: URL? {
        var candidates: [URL] = []
        if let share = shareDirectory { candidates.append(share.appendingPathComponent("Tables")) }
        if let directory = executableDirectory {
            candidates.append(directory.appendingPathComponent("Unsaid_UnsaidSuite.resources/Tables"))
        }
        if let root = sourceRoot {
            candidates.append(root.appendingPathComponent("Sources/UnsaidSuite/Transforms/Tables"))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("pinyin.txt").path) }
    }

    /// The bundled probe library (`Probes/`): `./Probes` when the current folder has one (a
    /// checkout, or a user's own library), else the installed or checkout copy.
    package static var probeLibrary: URL? {
        var candidates = [URL(fileURLWithPath: "Probes")]
        if let share = shareDirectory { candidates.append(share.appendingPathComponent("Probes")) }
        if let root = sourceRoot { candidates.append(root.appendingPathComponent("Probes")) }
        return candidates.first { isDirectory($0) }
    }

    /// A suite path as given, or, when nothing is there and it starts with `Probes/` (or is
    /// `Probes`), the same path inside the probe library, so `--suite Probes/starter.yaml`
    /// works from any folder.
    package static func suitePath(_ path: String) -> String {
        guard !FileManager.default.fileExists(atPath: path), let library = probeLibrary else { return path }
        let normalized = SuitePaths.normalize(path)
        if normalized == "Probes" { return library.path }
        guard normalized.hasPrefix("Probes/") else { return path }
        let inside = library.appendingPathComponent(String(normalized.dropFirst("Probes/".count)))
        return FileManager.default.fileExists(atPath: inside.path) ? inside.path : path
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
