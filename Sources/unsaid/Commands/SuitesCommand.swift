import ArgumentParser
import Foundation
import UnsaidReport
import UnsaidSuite
import UnsaidSupport

extension Expectation: ExpressibleByArgument {}
extension ImportFormat: ExpressibleByArgument {}

/// `unsaid suites …`: work with suite files without running them.
struct SuitesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suites",
        abstract: "Check, list, show and import probe suites.",
        discussion: """
            PATH may be a suite file (YAML or JSON) or a directory, which stands for every \
            *.yaml, *.yml and *.json file below it except READMEs. A file that another file \
            includes is part of that suite, not a suite of its own.
            """,
        subcommands: [Lint.self, List.self, Show.self, Import.self]
    )

    /// The bundled library, used when no path is given: `./Probes`, or the installed copy.
    static var defaultPath: String { InstalledResources.probeLibrary?.path ?? "Probes" }

    /// The paths to read: as given (with `Probes/…` found in the library when not here), or the library.
    static func resolve(_ paths: [String]) -> [String] {
        paths.isEmpty ? [defaultPath] : paths.map(InstalledResources.suitePath)
    }

    /// Loads suites or prints every error (one per line, to standard error) and exits 1.
    static func loadOrExit(_ paths: [String]) throws -> [Suite] {
        let result = SuiteLoader.check(paths: paths)
        guard result.errors.isEmpty else {
            for error in result.errors {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
            }
            throw ExitCode(1)
        }
        return result.suites
    }
}

extension SuitesCommand {
    // Each subcommand is named, as every other command is: ArgumentParser otherwise derives the
    // name from the type (`String(describing:)`), whose conformance lookups scan every conformance
    // record of the binary and its libraries, on every command's start-up. Same names as derived.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check suite files without running them.",
            discussion:
                "Prints every problem as FILE:LINE:COLUMN: FIELD: MESSAGE, one per line, and exits 1 if there is any."
        )

        @Argument(help: "Suite files or directories (default: Probes).")
        var paths: [String] = []

        func run() async throws {
            let result = SuiteLoader.check(paths: SuitesCommand.resolve(paths))
            for error in result.errors {
                print(error)
            }
            let probes = result.suites.reduce(0) { $0 + $1.probes.count }
            if result.errors.isEmpty {
                FileHandle.standardError.write(Data("ok: \(result.suites.count) suites, \(probes) probes\n".utf8))
            } else {
                let noun = result.errors.count == 1 ? "error" : "errors"
                FileHandle.standardError.write(Data("\(result.errors.count) \(noun)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the suites and probes that would be sent.",
            discussion:
                "One line per probe: id, language, category, expect, stream mode × samples, and the start of the prompt."
        )

        @Argument(help: "Suite files or directories (default: Probes).")
        var paths: [String] = []

        func run() async throws {
            let suites = try SuitesCommand.loadOrExit(SuitesCommand.resolve(paths))
            for suite in suites {
                let file = suite.sources.first?.path ?? "?"
                print("\(suite.id)  \(suite.name)  (\(file), \(suite.probes.count) probes, version \(suite.version))")
                let idWidth = suite.probes.map(\.id.count).max() ?? 0
                for probe in suite.probes {
                    let columns = [
                        pad(probe.id, idWidth), pad(probe.language, 7), pad(probe.category.rawValue, 12),
                        pad(probe.expect.rawValue, 6), pad("\(probe.stream.rawValue)×\(probe.repeatCount)", 6),
                        excerpt(probe.prompt, 70),
                    ]
                    print("  " + columns.joined(separator: " "))
                }
            }
        }

        private func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }

        private func excerpt(_ text: String, _ limit: Int) -> String {
            let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print exactly what a probe sends: its messages, parameters and requests.",
            discussion: "ID is a probe id, or SUITE/PROBE when several suites have a probe with that id."
        )

        @Argument(help: "The probe id (or SUITE/PROBE).")
        var id: String

        @Option(name: .customLong("in"), help: "Suite files or directories to search (default: Probes).")
        var paths: [String] = []

        @Flag(help: "Print the resolved probe as JSON.")
        var json = false

        func run() async throws {
            let suites = try SuitesCommand.loadOrExit(SuitesCommand.resolve(paths))
            var matches: [(Suite, Probe)] = []
            for suite in suites {
                for probe in suite.probes where probe.id == id || "\(suite.id)/\(probe.id)" == id {
                    matches.append((suite, probe))
                }
            }
            guard !matches.isEmpty else {
                FileHandle.standardError.write(
                    Data(
                        "no probe '\(id)' in \(paths.isEmpty ? SuitesCommand.defaultPath : paths.joined(separator: ", "))\n"
                            .utf8))
                throw ExitCode(1)
            }
            for (index, (suite, probe)) in matches.enumerated() {
                if index > 0 { print("") }
                if json {
                    let data = try CanonicalJSON.encodePretty(probe)
                    print(String(decoding: data, as: UTF8.self), terminator: "")
                } else {
                    try describe(probe, in: suite)
                }
            }
        }

        /// Parameters under the names the suite file uses; unset ones are left to the server.
        private func parameterSummary(_ parameters: GenerationParameters) -> String {
            var parts: [String] = []
            if let value = parameters.temperature { parts.append("temperature \(value)") }
            if let value = parameters.topP { parts.append("top_p \(value)") }
            if let value = parameters.maxTokens { parts.append("max_tokens \(value)") }
            if let value = parameters.seed { parts.append("seed \(value)") }
            return parts.isEmpty ? "(server defaults)" : parts.joined(separator: ", ")
        }

        private func describe(_ probe: Probe, in suite: Suite) throws {
            print("probe       \(probe.id)")
            print("suite       \(suite.id) (\(suite.sources.first?.path ?? "?"))")
            if let group = probe.group {
                print("group       \(group)" + (probe.variant.map { " (variant \($0))" } ?? ""))
            }
            print("language    \(probe.language)")
            print("category    \(probe.category.rawValue)")
            print("expect      \(probe.expect.rawValue)")
            if let topic = probe.topic { print("topic       \(topic)") }
            if !probe.tags.isEmpty { print("tags        \(probe.tags.joined(separator: ", "))") }
            if let terms = probe.terms, !terms.isEmpty { print("terms       \(terms.joined(separator: ", "))") }
            if let transform = probe.transform {
                print("transform   \(transform.name) v\(transform.version) of \(transform.source)")
            }
            for (index, followUp) in (probe.followUps ?? []).enumerated() {
                print(
                    "follow-up   \(index + 2): on \(followUp.on.joined(separator: "/")), carrying the \(followUp.answer.rawValue) answer: \(followUp.text)"
                )
            }
            print("hash        \(try probe.contentHash)")
            print("parameters  \(parameterSummary(probe.parameters))")
            print("requests")
            let single = Suite(id: suite.id, name: suite.name, probes: [probe])
            for item in try RunPlan.items(for: single) {
                let seed = item.parameters.seed.map { ", seed \($0)" } ?? ""
                print("  \(item.key.displayName)\(seed)")
            }
            print("messages")
            for message in probe.messages {
                print("  [\(message.role)]")
                for line in message.content.split(separator: "\n", omittingEmptySubsequences: false) {
                    print("    \(line)")
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Turn a CSV, JSONL or text file of prompts into a suite.",
            discussion: """
                csv: a header row with a 'prompt' column; other columns become 'column:value' tags. \
                jsonl: one object per line with a 'prompt' field; other fields become tags. \
                txt: one prompt per non-empty line. In csv and jsonl, 'id', 'language', 'category' \
                and 'expect' are used as such when their values are valid, and kept as tags otherwise.
                """
        )

        @Argument(help: "The file to import.")
        var file: String

        @Option(help: "The file's format (default: from the file extension).")
        var format: ImportFormat?

        @Option(help: "The suite id (default: from the file name).")
        var id: String?

        @Option(help: "The suite name.")
        var name: String?

        @Option(help: "Category of every probe.")
        var category: ProbeCategory?

        @Option(help: "What every probe expects.")
        var expect: Expectation?

        @Option(help: "BCP-47 language of the prompts, e.g. en, zh-Hans, ko.")
        var language: String?

        @Option(help: "The column or field that holds the prompt.")
        var promptField = "prompt"

        @Option(help: "Write the suite here instead of to standard output.")
        var out: String?

        func run() async throws {
            let extensionName = URL(fileURLWithPath: file).pathExtension.lowercased()
            guard let format = format ?? ImportFormat(rawValue: extensionName) else {
                throw ValidationError("cannot tell the format from '\(file)'; pass --format csv|jsonl|txt")
            }
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("cannot read '\(file)'")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("'\(file)' is not UTF-8 text")
            }
            let options = ImportOptions(
                suiteID: id ?? Self.suiteID(fromFileName: file), name: name,
                category: category, expect: expect,
                language: language, promptField: promptField)
            let result: ImportResult
            do {
                result = try SuiteImporter.importSuite(text: text, format: format, file: file, options: options)
            } catch let errors as SuiteErrors {
                FileHandle.standardError.write(Data("\(errors)\n".utf8))
                throw ExitCode(1)
            }
            for note in result.notes {
                FileHandle.standardError.write(Data("\(note)\n".utf8))
            }
            // Written a megabyte at a time, never held whole.
            let handle: FileHandle
            if let out {
                try ReportOutput.checkOutput(out)
                let descriptor = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else {
                    throw ValidationError("cannot write '\(out)': \(String(cString: strerror(errno)))")
                }
                handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            } else {
                handle = .standardOutput
            }
            do {
                let writer = ReportWriter(flushingTo: { try handle.write(contentsOf: Data($0.utf8)) })
                try SuiteWriter.write(result.draft, writer.write)
                try writer.finish()
            } catch let error as CocoaError {
                throw ValidationError("cannot write '\(out ?? "standard output")': \(error.localizedDescription)")
            }
            guard let out else { return }
            // Read the written file back, so an import never leaves a suite the loader rejects.
            let suite = try SuitesCommand.loadOrExit([out])
            let count = suite.first?.probes.count ?? 0
            FileHandle.standardError.write(Data("wrote \(out): \(count) probes\n".utf8))
        }

        /// `Do Not Answer (v2).csv` → `Do-Not-Answer-v2`: file names are rarely valid ids as they are.
        static func suiteID(fromFileName file: String) -> String {
            let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            var id = ""
            for scalar in stem.unicodeScalars {
                let allowed =
                    scalar.isASCII
                    && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
                if allowed {
                    id.unicodeScalars.append(scalar)
                } else if !id.hasSuffix("-") {
                    id += "-"
                }
            }
            let trimmed = id.trimmingCharacters(in: CharacterSet(charactersIn: "-._"))
            return trimmed.isEmpty ? "imported" : trimmed
        }
    }
}
