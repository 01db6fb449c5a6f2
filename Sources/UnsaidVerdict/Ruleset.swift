import Foundation
import UnsaidSuite
import UnsaidSupport

/// Detection rules as data. The verdict is a pure function of (transcript, ruleset); the
/// ruleset's version and SHA-256 go into every archive so a run can be re-scored exactly.
///
/// On disk the rules are a directory: `ruleset.json` (the manifest: version, file list,
/// thresholds) and the rule files it lists. Loading turns them into one *snapshot*: canonical JSON
/// (sorted keys, no insignificant whitespace) of every file's content, manifest first, then the
/// listed files in the listed order. `sha256` is the SHA-256 of the snapshot bytes, so reformatting
/// a rule file changes nothing while any change of content changes the hash. Archives keep the
/// snapshot, and `load(from:)` reads it back.
package struct Ruleset: Sendable {
    package let manifest: RulesetManifest
    package let normalisation: NormalisationRules
    package let signals: SignalRules
    package let canned: [CannedText]
    package let phraseSets: [PhraseSet]
    /// The learned layer (`classifier.json`), when the ruleset has one.
    package let textModel: TextModel?
    /// The optional judge's rubric (`judge.json`); nil in rulesets without one.
    package let judge: JudgeRules?

    package var version: String { manifest.version }
    package var parameters: RuleParameters { manifest.parameters }

    /// SHA-256 of `snapshot`.
    package let sha256: String
    /// Canonical bytes of all rule files; archives keep a copy (`ruleset.json`) so `unsaid verify`
    /// can re-derive verdicts with the rules that produced them.
    package let snapshot: Data

    /// Regular expressions and lookup tables compiled once per ruleset.
    let compiled: CompiledRules

    /// The name of the manifest inside a rule directory.
    package static let manifestName = "ruleset.json"
    static let snapshotFormat = "unsaid-ruleset/1"

    /// The ruleset shipped with this build.
    package static func bundled() throws -> Ruleset {
        guard let url = bundledDirectory else { throw RulesetError.missing("the bundled Rules directory") }
        return try load(directory: url)
    }

    /// Where the rule files shipped with this build are (installed, beside the binary, or in
    /// the checkout; see `InstalledResources`).
    package static var bundledDirectory: URL? { InstalledResources.rulesDirectory }

    /// Reads a rule directory (`ruleset.json` and the files it lists).
    package static func load(directory: URL) throws -> Ruleset {
        func read(_ name: String) throws -> JSONValue {
            // A hostile ruleset.json must not open files outside its directory.
            if let problem = SafeName.problem(with: name) {
                throw RulesetError.invalid(manifestName, "file name \(problem)")
            }
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw RulesetError.missing(url.path)
            }
            guard let value = JSONValue.parse(data) else { throw RulesetError.invalid(name, "not JSON") }
            return value
        }
        let manifestValue = try read(manifestName)
        let manifest: RulesetManifest = try decode(manifestValue, as: RulesetManifest.self, file: manifestName)
        var files: [(String, JSONValue)] = [(manifestName, manifestValue)]
        for name in manifest.files {
            files.append((name, try read(name)))
        }
        return try assemble(files)
    }

    /// Reads a snapshot (the bytes `snapshot` holds, as kept in an archive).
    package static func load(from data: Data) throws -> Ruleset {
        guard let value = JSONValue.parse(data), value["format"]?.stringValue == snapshotFormat,
            let entries = value["files"]?.arrayValue
        else {
            throw RulesetError.invalid("snapshot", "not an \(snapshotFormat) snapshot")
        }
        var files: [(String, JSONValue)] = []
        for entry in entries {
            guard let name = entry["name"]?.stringValue, let content = entry["content"] else {
                throw RulesetError.invalid("snapshot", "file entry without name or content")
            }
            files.append((name, content))
        }
        return try assemble(files)
    }

    static func assemble(_ files: [(String, JSONValue)]) throws -> Ruleset {
        guard let (firstName, manifestValue) = files.first, firstName == manifestName else {
            throw RulesetError.invalid("snapshot", "the manifest must come first")
        }
        let manifestCanonical = try canonicalBytes(of: manifestValue, file: manifestName)
        let manifest = try decode(manifestCanonical, as: RulesetManifest.self, file: manifestName)
        // The version names files beside an archive (`verdicts.<version>.jsonl`).
        if let problem = SafeName.problem(with: manifest.version) {
            throw RulesetError.invalid(manifestName, "version \(problem)")
        }
        for name in manifest.files {
            if let problem = SafeName.problem(with: name) {
                throw RulesetError.invalid(manifestName, "file name \(problem)")
            }
        }
        guard files.map(\.0) == [manifestName] + manifest.files else {
            throw RulesetError.invalid(manifestName, "files do not match the manifest's list")
        }
        // Each rule file's canonical bytes are what its decoder reads and, unchanged, the file's
        // `content` in the snapshot: encoding and decoding one file depend on nothing but that
        // file, so they run on every core. Their errors are then met in file order, as decoding
        // the files one by one met them.
        let ruleFiles = Array(files.dropFirst())
        var decoded = [Result<(file: RuleFile, canonical: Data), any Error>?](repeating: nil, count: ruleFiles.count)
        decoded.withUnsafeMutableBufferPointer { slots in
            // Each iteration writes its own slot only, and `concurrentPerform` returns after all
            // of them, so nothing needs a lock.
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: ruleFiles.count) { index in
                let (name, value) = ruleFiles[index]
                slots[index] = Result {
                    let canonical = try canonicalBytes(of: value, file: name)
                    return (try RuleFile(name: name, canonical: canonical), canonical)
                }
            }
        }
        var normalisation: NormalisationRules?
        var signals: SignalRules?
        var canned: [CannedText] = []
        var phraseSets: [PhraseSet] = []
        var textModel: TextModel?
        var judge: JudgeRules?
        var contents = [manifestCanonical]
        for result in decoded {
            guard let (file, canonical) = try result?.get() else {
                throw RulesetError.invalid("snapshot", "a rule file was not read")
            }
            contents.append(canonical)
            switch file {
            case .normalisation(let rules): normalisation = rules
            case .signals(let rules): signals = rules
            case .canned(let texts): canned += texts
            case .phrases(let set): phraseSets.append(set)
            case .textModel(let model): textModel = model
            case .judge(let rules): judge = rules
            }
        }
        guard let normalisation else { throw RulesetError.missing("normalise.json") }
        guard let signals else { throw RulesetError.missing("signals.json") }
        let snapshot = try snapshot(names: files.map(\.0), contents: contents)
        let sha256 = SHA256Hex.digest(snapshot)
        let compiled = try CompiledRules(
            normalisation: normalisation, parameters: manifest.parameters,
            signals: signals, canned: canned,
            phraseSets: phraseSets)
        return Ruleset(
            manifest: manifest, normalisation: normalisation, signals: signals, canned: canned,
            phraseSets: phraseSets, textModel: textModel, judge: judge, sha256: sha256,
            snapshot: snapshot,
            compiled: compiled)
    }

    /// The canonical bytes of `{"format": …, "files": [{"name": …, "content": …}, …]}`, the rule
    /// files manifest first, put together from each file's canonical bytes (`contents`, in the
    /// order of `names`): canonical JSON has no whitespace and sorts keys ("files" before
    /// "format", "content" before "name"), so a file's bytes inside the snapshot are its bytes
    /// alone. Encoding the whole tree again was a fifth of decoding the rule files.
    static func snapshot(names: [String], contents: [Data]) throws -> Data {
        var snapshot = Data("{\"files\":[".utf8)
        snapshot.reserveCapacity(contents.reduce(256) { $0 + $1.count + 64 })
        for (index, (name, content)) in zip(names, contents).enumerated() {
            snapshot.append(contentsOf: Array((index == 0 ? "{\"content\":" : ",{\"content\":").utf8))
            snapshot.append(content)
            snapshot.append(contentsOf: Array(",\"name\":".utf8))
            snapshot.append(try CanonicalJSON.encode(name))
            snapshot.append(UInt8(ascii: "}"))
        }
        snapshot.append(contentsOf: Array("],\"format\":".utf8))
        snapshot.append(try CanonicalJSON.encode(snapshotFormat))
        snapshot.append(UInt8(ascii: "}"))
        return snapshot
    }

    /// One rule file, decoded as what its name says it holds.
    private enum RuleFile {
        case normalisation(NormalisationRules)
        case signals(SignalRules)
        case canned([CannedText])
        case phrases(PhraseSet)
        case textModel(TextModel)
        case judge(JudgeRules)

        // The file name says what a file holds, so a new language is a new file, not new code.
        /// - Parameter canonical: the file's content as canonical JSON (`canonicalBytes(of:file:)`).
        init(name: String, canonical: Data) throws {
            if name == "normalise.json" {
                self = .normalisation(try decode(canonical, as: NormalisationRules.self, file: name))
            } else if name == "signals.json" {
                self = .signals(try decode(canonical, as: SignalRules.self, file: name))
            } else if name.hasPrefix("canned") {
                self = .canned(try decode(canonical, as: CannedCatalogue.self, file: name).canned)
            } else if name.hasPrefix("phrases.") {
                self = .phrases(try decode(canonical, as: PhraseSet.self, file: name))
            } else if name == TextModel.fileName {
                self = .textModel(try TextModel(file: decode(canonical, as: TextModel.File.self, file: name)))
            } else if name == "judge.json" {
                self = .judge(try decode(canonical, as: JudgeRules.self, file: name))
            } else {
                throw RulesetError.invalid(name, "unknown kind of rule file")
            }
        }
    }

    /// Text as the rules see it (NFKC, lower case, Traditional folded to Simplified, whitespace
    /// collapsed): what the learned classifier reads, at training and at judging alike.
    func normalisedText(_ text: String) -> String {
        NormalisedText(text, tables: compiled.tables).text
    }

    private static func decode<T: Decodable>(_ value: JSONValue, as type: T.Type, file: String) throws -> T {
        try decode(canonicalBytes(of: value, file: file), as: type, file: file)
    }

    /// A rule file's content as canonical JSON, what its decoder reads and the snapshot holds.
    private static func canonicalBytes(of value: JSONValue, file: String) throws -> Data {
        do {
            return try CanonicalJSON.encode(value)
        } catch {
            throw RulesetError.invalid(file, "\(error)")
        }
    }

    /// Decodes a rule file from its canonical bytes; errors name the file, as encoding's do.
    private static func decode<T: Decodable>(_ canonical: Data, as type: T.Type, file: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: canonical)
        } catch {
            throw RulesetError.invalid(file, "\(error)")
        }
    }
}

package enum RulesetError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case invalid(String, String)
    case badPattern(rule: String, message: String)

    package var description: String {
        switch self {
        case .missing(let what): return "ruleset: \(what) not found"
        case .invalid(let file, let why): return "ruleset: \(file) is invalid: \(why)"
        case .badPattern(let rule, let message): return "ruleset: rule \(rule) has a bad pattern: \(message)"
        }
    }
}
