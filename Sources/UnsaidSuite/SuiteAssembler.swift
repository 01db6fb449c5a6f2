import Foundation
import UnsaidSupport

/// Builds one suite from its root file: follows `include:` (refusing paths that leave the root
/// file's directory and include cycles), applies defaults down the include tree, expands
/// variants, and checks that probe ids are unique across all the files.
///
/// Resolution rules:
/// - An included file's probes come before the including file's own probes, in `include:` order.
/// - Defaults flow down: an included file's `defaults:` override its includer's, which override
///   the built-in ones (language `en`, category `control`, expect `any`, stream `on`, repeat 1).
///   `tags` accumulate instead of replacing.
/// - A file reached twice through different includes (a diamond, not a cycle) is loaded once.
/// - Only the root file's `id`, `name`, `description` and `version` describe the suite.
struct SuiteAssembler {
    struct Result {
        var suite: Suite?
        var errors: [SuiteError]
        var rootDisplay: String
        var rootCanonical: String
        var idPosition: SourcePosition
        /// Canonical paths of every file the suite read, the root included.
        var files: Set<String>
        /// Where each probe id was first defined.
        var definitions = ProbeDefinitions()
    }

    private let rootDirectory: String
    private let rootDirectoryCanonical: String
    private var errors: [(order: Int, error: SuiteError)] = []
    private var fileOrder: [String: Int] = [:]
    private var loaded = Set<String>()
    private var sources: [SuiteSource] = []
    private var probes = ProbeTable()
    private var definitions = ProbeDefinitions()
    private var canonicalPaths: [String: String] = [:]

    /// Whether files are read as streams where they can be (`SuiteYAMLStream`); the tests turn it
    /// off to compare with the tree reader.
    private let streaming: Bool

    private init(root: String, streaming: Bool) {
        self.streaming = streaming
        rootDirectory = SuitePaths.directory(of: SuitePaths.absolute(root))
        rootDirectoryCanonical = SuitePaths.canonical(rootDirectory)
    }

    static func assemble(root: String, streaming: Bool = true) -> Result {
        var assembler = SuiteAssembler(root: root, streaming: streaming)
        let rootCanonical = SuitePaths.canonical(root)
        let document = assembler.loadFile(
            display: root, canonical: rootCanonical,
            chain: [], inherited: ProbeSettings())
        var result = Result(
            suite: nil, errors: [], rootDisplay: root, rootCanonical: rootCanonical,
            idPosition: document?.idPosition ?? .start, files: assembler.loaded)
        if let document {
            result.suite = assembler.suite(from: document, root: root)
        }
        result.errors = assembler.sortedErrors()
        result.definitions = assembler.definitions
        return result
    }

    // MARK: - Files

    private mutating func loadFile(
        display: String, canonical: String, chain: [String],
        inherited: ProbeSettings
    ) -> SuiteDocument? {
        loaded.insert(canonical)
        canonicalPaths[display] = canonical
        fileOrder[display] = fileOrder[display] ?? fileOrder.count
        var parser = SuiteDocumentParser(file: display)
        let reading: SuiteDocumentParser.Reading?
        if streaming, let opened = SuiteYAMLStream.open(file: display) {
            // Read from the disk as it is parsed: the file's text is never held whole.
            sources.append(SuiteSource(path: display, sha256: opened.sha256))
            reading = parser.read(opened)
        } else {
            guard let text = readText(display) else { return nil }
            reading = parser.read(text, streaming: streaming)
        }
        parser.errors.forEach { report($0) }
        guard let document = reading?.document else { return nil }

        if !chain.isEmpty, let position = document.transformsPosition {
            report(
                SuiteError(
                    file: display, line: position.line, column: position.column, field: "transforms",
                    message: "only the suite's root file may set transforms"))
        }
        let settings = document.defaults.overriding(inherited)
        let chain = chain + [canonical]
        for include in document.includes {
            self.include(include, from: display, chain: chain, inherited: settings)
        }
        for entry in document.probes {
            addProbes(from: entry, file: display, settings: settings)
        }
        if let stream = reading?.probes {
            // Entry by entry: each is checked (its errors reported before its probes are added,
            // as the whole document's were before all of them) and packed before the next is read.
            var reported = parser.errors.count
            let complete = stream.forEachProbe { node, index in
                let entry = parser.probe(node, index: index)
                parser.errors[reported...].forEach { report($0) }
                reported = parser.errors.count
                if let entry { addProbes(from: entry, file: display, settings: settings) }
            }
            if !complete {
                report(
                    SuiteError(
                        file: display,
                        message: "could not read the 'probes' list again: the file changed while it was read"))
            }
        }
        return document
    }

    /// The file's text, its digest recorded in `sources`; nil (reported) when it cannot be read
    /// or is not UTF-8. The bytes are let go here, before the text is parsed.
    private mutating func readText(_ display: String) -> String? {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: display))
        } catch {
            report(SuiteError(file: display, message: "cannot read the file"))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            report(SuiteError(file: display, message: "the file is not UTF-8 text"))
            return nil
        }
        sources.append(SuiteSource(path: display, sha256: SHA256Hex.digest(data)))
        return text
    }

    private mutating func include(
        _ include: IncludeEntry, from file: String, chain: [String],
        inherited: ProbeSettings
    ) {
        func fail(_ message: String) {
            report(
                SuiteError(
                    file: file, line: include.position.line, column: include.position.column,
                    field: include.field, message: message))
        }
        let target = SuitePaths.join(SuitePaths.directory(of: file), include.path)
        guard SuitePaths.isInside(SuitePaths.absolute(target), directory: rootDirectory) else {
            return fail("'\(include.path)' leaves the suite's directory")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return fail("no such file '\(include.path)'")
        }
        let canonical = SuitePaths.canonical(target)
        // A symlink inside the directory may still point outside it.
        guard SuitePaths.isInside(canonical, directory: rootDirectoryCanonical) else {
            return fail("'\(include.path)' leaves the suite's directory")
        }
        if let start = chain.firstIndex(of: canonical) {
            let cycle = (chain[start...] + [canonical]).map(relativeName).joined(separator: " -> ")
            return fail("include cycle: \(cycle)")
        }
        guard !loaded.contains(canonical) else { return }
        _ = loadFile(display: target, canonical: canonical, chain: chain, inherited: inherited)
    }

    /// A file's path relative to the root file's directory, for naming include chains.
    private func relativeName(_ canonical: String) -> String {
        SuitePaths.isInside(canonical, directory: rootDirectoryCanonical)
            ? String(canonical.dropFirst(rootDirectoryCanonical.count + 1))
            : canonical
    }

    // MARK: - Probes

    /// The probe itself (when it has a prompt of its own) and one probe per variant.
    ///
    /// Variant ids: the variant's `id` if given, else `<probe id>.<suffix>`, else
    /// `<probe id>.<language>`. All of them share the probe's `group` (its `id` unless `group:`
    /// is set), which is what pairs results across languages.
    private mutating func addProbes(from entry: ProbeEntry, file: String, settings inherited: ProbeSettings) {
        let settings = entry.settings.overriding(inherited)
        let group = entry.group ?? (entry.variants.isEmpty ? nil : entry.id)
        if let content = entry.content {
            add(
                makeProbe(
                    id: entry.id, content: content, settings: settings, group: group, variant: nil,
                    followUps: entry.followUps),
                file: file, position: entry.idPosition, field: "\(entry.field).id")
        }
        for variant in entry.variants {
            guard let content = variant.content,
                let label = variant.id ?? variant.suffix ?? variant.settings.language
            else { continue }
            let id = variant.id ?? "\(entry.id).\(label)"
            add(
                makeProbe(
                    id: id, content: content, settings: variant.settings.overriding(settings), group: group,
                    variant: label,
                    followUps: variant.followUps ?? entry.followUps),
                file: file, position: variant.position, field: variant.field)
        }
    }

    private func makeProbe(
        id: String, content: ProbeContent, settings: ProbeSettings,
        group: String?, variant: String?, followUps: [FollowUpTurn]?
    ) -> Probe {
        var messages: [ChatMessage]
        switch content {
        case .prompt(let prompt):
            messages = [ChatMessage(role: "user", content: prompt)]
        case .messages(let given):
            messages = given
        }
        // A conversation that brings its own system message keeps it; the default does not stack on top.
        if let system = settings.system, !messages.contains(where: { $0.role == "system" }) {
            messages.insert(ChatMessage(role: "system", content: system), at: 0)
        }
        return Probe(
            id: id, messages: messages, language: settings.language ?? "en", topic: settings.topic,
            tags: settings.tags ?? [], category: settings.category ?? .control,
            expect: settings.expect ?? .any, stream: settings.stream ?? .on,
            repeatCount: settings.repeatCount ?? 1, group: group, variant: variant,
            parameters: settings.parameters, terms: settings.terms, followUps: followUps)
    }

    private mutating func add(_ probe: Probe, file: String, position: SourcePosition, field: String) {
        if let first = definitions.location(of: probe.id) {
            report(
                SuiteError(
                    file: file, line: position.line, column: position.column, field: field,
                    message: "duplicate id '\(probe.id)' (first defined at \(first))"))
            return
        }
        definitions.record(probe.id, file: file, canonical: canonicalPaths[file] ?? file, at: position)
        probes.append(probe)
    }

    // MARK: - Suite

    private mutating func suite(from document: SuiteDocument, root: String) -> Suite? {
        let id: String
        if let given = document.id {
            id = given
        } else {
            id = SuitePaths.stem(of: root)
            guard SuiteSchema.isValidIdentifier(id) else {
                report(
                    SuiteError(
                        file: root, line: 1, column: 1, field: "id",
                        message: "the file name '\(SuitePaths.fileName(of: root))' is not a valid suite id; set 'id'"))
                return nil
            }
        }
        if probes.isEmpty && !errors.contains(where: { $0.error.file == root }) {
            report(
                SuiteError(
                    file: root, line: document.position.line, column: document.position.column,
                    message: "the suite has no probes"))
        }
        let expanded = TransformExpansion.expand(probes, with: document.transforms)
        // Without transforms nothing was added, so no probe needs reading back.
        if let position = document.transformsPosition, !document.transforms.isEmpty {
            for probe in expanded where probe.transform != nil {
                if let first = definitions.location(of: probe.id) {
                    report(
                        SuiteError(
                            file: root, line: position.line, column: position.column, field: "transforms",
                            message: "the transforms produce probe id '\(probe.id)', already defined at \(first)"))
                }
            }
        }
        guard errors.isEmpty else { return nil }
        return Suite(
            id: id, name: document.name ?? id, description: document.description ?? "",
            version: document.version ?? "1", probes: expanded, sources: sources)
    }

    // MARK: - Errors

    private mutating func report(_ error: SuiteError) {
        errors.append((fileOrder[error.file] ?? fileOrder.count, error))
    }

    /// File by file in load order, then by position, so the list reads top to bottom.
    private func sortedErrors() -> [SuiteError] {
        errors.enumerated().sorted { lhs, rhs in
            let a = lhs.element, b = rhs.element
            if a.order != b.order { return a.order < b.order }
            let aPosition = (a.error.line ?? 0, a.error.column ?? 0)
            let bPosition = (b.error.line ?? 0, b.error.column ?? 0)
            if aPosition != bPosition { return aPosition < bPosition }
            return lhs.offset < rhs.offset
        }.map(\.element.error)
    }
}

/// Where each probe id of a suite was first defined: for "duplicate id … (first defined at
/// file:line:column)" and for the file a probe came from.
///
/// Each id once, as UTF-8 in one byte store, with its place (12 bytes) and an open-addressed
/// table of 4-byte slots: about the id plus 30 bytes a probe. A dictionary from id to place took
/// about 70 bytes a probe, and twice that while it grew (11 MB at 100,000 probes), on top of a
/// heap string for every id longer than 15 bytes; two dictionaries of strings before it (a
/// location and a path per probe) took about 21 MB. Ids are compared as `String`s, as the
/// dictionary compared them (canonically equivalent spellings are the same id), and hashed the
/// same way.
struct ProbeDefinitions {
    private struct Place {
        var file: UInt32
        var line: UInt32
        var column: UInt32
    }

    /// Each file once: its name as given and its canonical path.
    private var files: [(display: String, canonical: String)] = []
    private var fileIndex: [String: UInt32] = [:]
    /// The ids recorded, in order, one after another; `idEnds[i]` is where the i-th ends.
    private var idBytes: [UInt8] = []
    private var idEnds: [Int] = []
    private var places: [Place] = []
    /// Open addressing with linear probing: a slot holds an id's number plus one, 0 when empty.
    /// The slot count is a power of two, kept at least twice the number of ids.
    private var slots: [UInt32] = []

    mutating func record(_ id: String, file: String, canonical: String, at position: SourcePosition) {
        let index: UInt32
        if let known = fileIndex[file] {
            index = known
        } else {
            index = UInt32(files.count)
            files.append((file, canonical))
            fileIndex[file] = index
        }
        let place = Place(
            file: index, line: UInt32(clamping: position.line), column: UInt32(clamping: position.column))
        if slots.isEmpty { grow() }
        switch find(id) {
        case .found(let number):
            // As the dictionary did: recording an id again moves it (the assembler never does).
            places[number] = place
        case .empty(let slot):
            idBytes.append(contentsOf: id.utf8)
            idEnds.append(idBytes.count)
            places.append(place)
            slots[slot] = UInt32(truncatingIfNeeded: places.count)
            if places.count * 2 > slots.count { grow() }
        }
    }

    /// `file:line:column` of the first definition of `id`.
    func location(of id: String) -> String? {
        guard case .found(let number) = find(id) else { return nil }
        let place = places[number]
        return "\(files[Int(place.file)].display):\(place.line):\(place.column)"
    }

    /// The canonical path of the file that defined `id`.
    func canonicalFile(of id: String) -> String? {
        guard case .found(let number) = find(id) else { return nil }
        return files[Int(places[number].file)].canonical
    }

    private enum Lookup {
        case found(Int)
        /// Not recorded; the slot it would take.
        case empty(Int)
    }

    private func find(_ id: String) -> Lookup {
        guard !slots.isEmpty else { return .empty(0) }
        let mask = slots.count - 1
        var slot = id.hashValue & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return .empty(slot) }
            if self.id(entry - 1) == id { return .found(entry - 1) }
            slot = (slot + 1) & mask
        }
    }

    private func id(_ number: Int) -> String {
        let start = number == 0 ? 0 : idEnds[number - 1]
        return String(decoding: idBytes[start..<idEnds[number]], as: UTF8.self)
    }

    /// Twice the slots, every id placed again.
    private mutating func grow() {
        let count = Swift.max(16, slots.count * 2)
        var grown = [UInt32](repeating: 0, count: count)
        let mask = count - 1
        for number in places.indices {
            var slot = id(number).hashValue & mask
            while grown[slot] != 0 { slot = (slot + 1) & mask }
            grown[slot] = UInt32(truncatingIfNeeded: number + 1)
        }
        slots = grown
    }
}
