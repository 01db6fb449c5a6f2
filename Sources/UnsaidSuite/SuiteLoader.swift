import Foundation

/// What loading a set of suite paths produced: the suites that could be built and every problem
/// found, in file order. A lint reports `errors`; a run refuses to start unless it is empty.
package struct SuiteLoadResult: Sendable {
    package var suites: [Suite]
    package var errors: [SuiteError]
}

/// Reads suite files (YAML, or JSON which the YAML parser reads too).
///
/// Paths may be files or directories. A directory stands for every `*.yaml`, `*.yml` and
/// `*.json` file below it (recursively, sorted by path, hidden files and `README*` skipped).
/// Each file is one suite, except that a file pulled in by another file's `include:` is not
/// also loaded on its own, so `Probes/censorship/` yields the one suite whose index file
/// includes the topic files rather than that suite plus every topic again.
package enum SuiteLoader {
    /// One suite file. Throws `SuiteErrors` listing every problem found.
    package static func load(path: String) throws -> Suite {
        let result = check(paths: [path])
        guard result.errors.isEmpty else { throw SuiteErrors(result.errors) }
        guard result.suites.count == 1, let suite = result.suites.first else {
            throw SuiteErrors([
                SuiteError(
                    file: path, message: "holds \(result.suites.count) suites where one was expected")
            ])
        }
        return suite
    }

    /// Every suite named by `paths` (files and directories), in path order. Throws `SuiteErrors`
    /// listing every problem found in any of them; nothing is returned unless all are valid.
    package static func load(paths: [String]) throws -> [Suite] {
        let result = check(paths: paths)
        guard result.errors.isEmpty else { throw SuiteErrors(result.errors) }
        return result.suites
    }

    /// Loads without throwing: the suites that are valid and every error found. `streaming: false`
    /// reads every file whole with Yams (the reference the tests compare the streaming reader with).
    package static func check(paths: [String], streaming: Bool = true) -> SuiteLoadResult {
        let (files, pathErrors) = suiteFiles(in: paths)
        let named = Set(paths.map { SuitePaths.canonical(SuitePaths.normalize($0)) })
        var assembled: [SuiteAssembler.Result] = []
        // A file named on its own that another suite file includes is that suite cut down to
        // the file's probes: the includer's defaults apply and the suite id stays, so the
        // results pair with a run of the whole suite. Files of one suite named together merge.
        var parts: [String: (index: Int, parent: SuiteAssembler.Result, files: Set<String>)] = [:]
        for file in files {
            let canonical = SuitePaths.canonical(file)
            guard named.contains(canonical),
                let (parent, parentCanonical) = includingSuite(of: file, streaming: streaming)
            else {
                assembled.append(SuiteAssembler.assemble(root: file, streaming: streaming))
                continue
            }
            var part = parts[parentCanonical] ?? (assembled.count, parent, [])
            part.files.insert(canonical)
            var result = parent
            result.suite?.probes =
                parent.suite?.probes.filtered {
                    part.files.contains(parent.definitions.canonicalFile(of: $0.id) ?? "")
                } ?? []
            result.rootCanonical = canonical
            result.rootDisplay = file
            // Only the named file itself: its siblings are not "included elsewhere" by this.
            result.files = [canonical]
            if part.index == assembled.count { assembled.append(result) } else { assembled[part.index] = result }
            parts[parentCanonical] = part
        }
        // A file included by another file of the set is part of that suite, not a suite of its own.
        var includedElsewhere = Set<String>()
        for entry in assembled {
            includedElsewhere.formUnion(entry.files.subtracting([entry.rootCanonical]))
        }
        var errors = pathErrors
        var seenErrors = Set(pathErrors.map(\.description))
        for entry in assembled {
            for error in entry.errors where seenErrors.insert(error.description).inserted {
                errors.append(error)
            }
        }
        var suites: [Suite] = []
        var suiteIDs: [String: String] = [:]
        for entry in assembled where !includedElsewhere.contains(entry.rootCanonical) {
            guard let suite = entry.suite else { continue }
            let location = "\(entry.rootDisplay):\(entry.idPosition.line):\(entry.idPosition.column)"
            if let first = suiteIDs[suite.id] {
                errors.append(
                    SuiteError(
                        file: entry.rootDisplay, line: entry.idPosition.line, column: entry.idPosition.column,
                        field: "id", message: "duplicate suite id '\(suite.id)' (first defined at \(first))"))
                continue
            }
            suiteIDs[suite.id] = location
            suites.append(suite)
        }
        return SuiteLoadResult(suites: suites, errors: sortedByPlace(errors))
    }

    /// The suite file (beside `file`, or in the directory above) that includes `file`, assembled,
    /// with its canonical path; nil when none does.
    static func includingSuite(of file: String, streaming: Bool = true) -> (SuiteAssembler.Result, String)? {
        let canonical = SuitePaths.canonical(file)
        let directory = SuitePaths.directory(of: file)
        let manager = FileManager.default
        for candidateDirectory in [directory, SuitePaths.join(directory, "..")] {
            let names = ((try? manager.contentsOfDirectory(atPath: candidateDirectory)) ?? []).sorted()
            for name in names where SuitePaths.isSuiteFile(name: name) {
                let candidate = SuitePaths.join(candidateDirectory, name)
                let candidateCanonical = SuitePaths.canonical(candidate)
                guard candidateCanonical != canonical, mentionsInclude(candidate) else { continue }
                let parent = SuiteAssembler.assemble(root: candidate, streaming: streaming)
                guard parent.files.contains(canonical), parent.errors.isEmpty, parent.suite != nil else { continue }
                return (parent, candidateCanonical)
            }
        }
        return nil
    }

    /// Whether the file's bytes contain `include`, read 64 KB at a time. Every suite file beside
    /// a named one is asked, and reading each whole (as a `Data` and again as a `String`) held
    /// twice the largest of them: 17 MB beside a 100,000-probe file. A file this lets through that
    /// a `String` would not have (not UTF-8, or `include` followed by a combining mark) is
    /// assembled and then refused below, as before, because it does not include the file.
    static func mentionsInclude(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let needle = Array("include".utf8)
        var window: [UInt8] = []
        while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            // The last bytes of the chunk before, so a match across the boundary is seen.
            window.removeFirst(Swift.max(0, window.count - (needle.count - 1)))
            window.append(contentsOf: chunk)
            if contains(needle, in: window) { return true }
        }
        return false
    }

    /// Whether `needle` occurs in `haystack`: `memchr` finds each candidate first byte, then the
    /// rest is compared. `firstRange(of:)` went through Foundation's generic `DataProtocol`
    /// search at about 11 MB/s, so a 100 MB JSON file beside a suite added 9 s to every `run`.
    static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                guard let base = hay.baseAddress, let pattern = pin.baseAddress else { return false }
                let lastStart = hay.count - pin.count
                var start = 0
                while start <= lastStart {
                    guard let found = memchr(base + start, Int32(first), lastStart - start + 1) else { return false }
                    let offset = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                    if memcmp(base + offset, pattern, pin.count) == 0 { return true }
                    start = offset + 1
                }
                return false
            }
        }
    }

    /// File by file (by path), top to bottom within a file, so a lint of a directory reads in
    /// the order an editor shows the files.
    private static func sortedByPlace(_ errors: [SuiteError]) -> [SuiteError] {
        errors.enumerated().sorted { lhs, rhs in
            let a = lhs.element, b = rhs.element
            if a.file != b.file { return a.file < b.file }
            let aPlace = (a.line ?? 0, a.column ?? 0), bPlace = (b.line ?? 0, b.column ?? 0)
            if aPlace != bPlace { return aPlace < bPlace }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// The suite files `paths` stand for: files as given, directories expanded (recursively,
    /// sorted, hidden files and `README*` skipped), each file once.
    package static func suiteFiles(in paths: [String]) -> (files: [String], errors: [SuiteError]) {
        var files: [String] = []
        var errors: [SuiteError] = []
        var seen = Set<String>()
        let manager = FileManager.default
        for rawPath in paths {
            let path = SuitePaths.normalize(rawPath)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                errors.append(SuiteError(file: rawPath, message: "no such file or directory"))
                continue
            }
            var found: [String] = []
            if isDirectory.boolValue {
                let entries = (manager.enumerator(atPath: path)?.allObjects as? [String]) ?? []
                for relative in entries.sorted() {
                    let components = relative.split(separator: "/")
                    guard !components.contains(where: { $0.hasPrefix(".") }),
                        let name = components.last, SuitePaths.isSuiteFile(name: String(name))
                    else { continue }
                    let full = SuitePaths.join(path, relative)
                    var entryIsDirectory: ObjCBool = false
                    if manager.fileExists(atPath: full, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue {
                        found.append(full)
                    }
                }
                if found.isEmpty {
                    errors.append(
                        SuiteError(file: rawPath, message: "no suite files (*.yaml, *.yml, *.json) in this directory"))
                }
            } else {
                found = [path]
            }
            for file in found where seen.insert(SuitePaths.canonical(file)).inserted {
                files.append(file)
            }
        }
        return (files, errors)
    }
}
