import Foundation

/// The file formats `unsaid suites import` reads.
public enum ImportFormat: String, CaseIterable, Sendable {
    /// A header row with a `prompt` column (any case); other columns become `column:value` tags.
    case csv
    /// One JSON object per line with a `prompt` field; other scalar fields become tags.
    case jsonl
    /// One prompt per non-empty line.
    case txt
}

/// Choices the person importing makes for the whole suite.
public struct ImportOptions: Sendable {
    public var suiteID: String
    public var name: String?
    public var category: ProbeCategory?
    public var expect: Expectation?
    public var language: String?
    /// The column or field holding the prompt (`prompt` by default; compared case-insensitively).
    public var promptField: String

    public init(suiteID: String, name: String? = nil, category: ProbeCategory? = nil,
                expect: Expectation? = nil, language: String? = nil, promptField: String = "prompt") {
        self.suiteID = suiteID
        self.name = name
        self.category = category
        self.expect = expect
        self.language = language
        self.promptField = promptField
    }
}

/// The imported suite and notes about records that were skipped.
public struct ImportResult: Sendable {
    public var draft: SuiteDraft
    /// `file:line: …` for each record left out (an empty prompt, say), for the terminal.
    public var notes: [String]
}

/// Turns the prompt sets people already use (CSV, JSONL, plain text) into suites.
///
/// Besides the prompt, the fields `id`, `language`, `category` and `expect` (any case) are used
/// for what they name when their value is valid here; a value that is not (`language: English`,
/// `category: chemical_biological`, an id with spaces or one already used) is kept as a tag
/// `field:value` instead, so a public data set imports as it is and nothing it says is lost.
/// Every other column or field becomes a `name:value` tag. Probes without a usable id are
/// numbered `p0001`, `p0002`, … by record.
public enum SuiteImporter {
    public static func importSuite(text: String, format: ImportFormat, file: String,
                                   options: ImportOptions) throws -> ImportResult {
        guard SuiteSchema.isValidIdentifier(options.suiteID) else {
            throw SuiteErrors([SuiteError(file: file, field: "id", message:
                "'\(options.suiteID)' is not a valid suite id (use letters, digits, '.', '_' and '-')")])
        }
        var language: String?
        if let given = options.language {
            guard let tag = LanguageTag.canonical(given) else {
                throw SuiteErrors([SuiteError(file: file, field: "language", message:
                    "'\(given)' is not a BCP-47 language tag (like en, zh-Hans, zh-Hant, ko, pt-BR)")])
            }
            language = tag
        }
        let records: [ImportRecord]
        switch format {
        case .csv: records = try csvRecords(text, file: file, promptField: options.promptField)
        case .jsonl: records = try jsonlRecords(text, file: file, promptField: options.promptField)
        case .txt: records = txtRecords(text)
        }
        var builder = ProbeBuilder(file: file)
        for record in records {
            builder.add(record)
        }
        guard !builder.probes.isEmpty else {
            throw SuiteErrors([SuiteError(file: file, message: "no prompts found")])
        }
        let draft = SuiteDraft(
            id: options.suiteID,
            name: options.name ?? "Imported from \(SuitePaths.fileName(of: file))",
            description: "Imported from \(SuitePaths.fileName(of: file)) (\(format.rawValue)) by unsaid suites import.",
            version: "1", language: language, category: options.category, expect: options.expect,
            probes: builder.probes)
        return ImportResult(draft: draft, notes: builder.notes)
    }

    // MARK: - Formats

    private static func csvRecords(_ text: String, file: String, promptField: String) throws -> [ImportRecord] {
        let rows: [CSVRecord]
        do {
            rows = try CSVReader.records(text)
        } catch let failure as CSVReader.Failure {
            throw SuiteErrors([SuiteError(file: file, line: failure.line, column: failure.column,
                                          message: failure.message)])
        }
        guard let header = rows.first else {
            throw SuiteErrors([SuiteError(file: file, message: "the file is empty")])
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard columns.contains(where: { $0.lowercased() == promptField.lowercased() }) else {
            throw SuiteErrors([SuiteError(file: file, line: header.line, message:
                "no '\(promptField)' column (columns: \(columns.joined(separator: ", ")))")])
        }
        var records: [ImportRecord] = []
        var errors: [SuiteError] = []
        for row in rows.dropFirst() {
            guard row.fields.count == columns.count else {
                errors.append(SuiteError(file: file, line: row.line, message:
                    "the row has \(row.fields.count) fields but the header has \(columns.count)"))
                continue
            }
            records.append(ImportRecord(line: row.line, promptField: promptField,
                                        fields: Array(zip(columns, row.fields))))
        }
        guard errors.isEmpty else { throw SuiteErrors(errors) }
        return records
    }

    private static func jsonlRecords(_ text: String, file: String, promptField: String) throws -> [ImportRecord] {
        var records: [ImportRecord] = []
        var errors: [SuiteError] = []
        for (index, rawLine) in lines(text).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            guard let object = JSONValue.parse(Data(line.utf8))?.objectValue else {
                errors.append(SuiteError(file: file, line: index + 1, message: "not a JSON object"))
                continue
            }
            // JSON objects are unordered; sorting the keys keeps the tag order the same on every import.
            let fields = object.keys.sorted().compactMap { key -> (String, String)? in
                guard let value = object[key], let text = scalarText(value) else { return nil }
                return (key, text)
            }
            records.append(ImportRecord(line: index + 1, promptField: promptField, fields: fields))
        }
        guard errors.isEmpty else { throw SuiteErrors(errors) }
        return records
    }

    private static func txtRecords(_ text: String) -> [ImportRecord] {
        lines(text).enumerated().compactMap { index, rawLine in
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { return nil }
            return ImportRecord(line: index + 1, promptField: "prompt", fields: [("prompt", line)])
        }
    }

    /// Lines split at LF, CRLF or CR alike (a CRLF is one `Character`, so splitting at "\n" alone
    /// would miss it).
    private static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// Strings as they are, numbers and booleans as written; nested values are not tag material.
    private static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        case .null, .array, .object: return nil
        }
    }
}

/// One record of any format: its line and its named fields in order.
private struct ImportRecord {
    var line: Int
    var promptField: String
    var fields: [(name: String, value: String)]
}

/// Turns records into probes: picks out the prompt and the recognized fields, numbers probes
/// without a usable id, and keeps everything else as tags.
private struct ProbeBuilder {
    let file: String
    var probes: [SuiteDraft.Probe] = []
    var notes: [String] = []
    private var usedIDs = Set<String>()

    init(file: String) {
        self.file = file
    }

    mutating func add(_ record: ImportRecord) {
        var prompt: String?
        var id: String?
        var language: String?
        var category: ProbeCategory?
        var expect: Expectation?
        var tags: [String] = []
        func tag(_ name: String, _ value: String) {
            let flattened = value.components(separatedBy: .newlines).joined(separator: " ")
                .trimmingCharacters(in: .whitespaces)
            let tag = "\(name):\(flattened)"
            if !flattened.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        for (name, value) in record.fields {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            switch name.lowercased() {
            case record.promptField.lowercased():
                prompt = value
            case "id":
                if SuiteSchema.isValidIdentifier(trimmed), !usedIDs.contains(trimmed) {
                    id = trimmed
                } else {
                    tag(name, value)
                }
            case "language":
                if let canonical = LanguageTag.canonical(trimmed) { language = canonical } else { tag(name, value) }
            case "category":
                if let value = ProbeCategory(rawValue: trimmed) { category = value } else { tag(name, value) }
            case "expect":
                if let value = Expectation(rawValue: trimmed) { expect = value } else { tag(name, value) }
            default:
                tag(name, value)
            }
        }
        guard let prompt, !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            notes.append("\(file):\(record.line): no prompt; skipped")
            return
        }
        let probeID = id ?? freshID(number: probes.count + 1)
        usedIDs.insert(probeID)
        probes.append(SuiteDraft.Probe(id: probeID, prompt: prompt, language: language, category: category,
                                       expect: expect, tags: tags))
    }

    private func freshID(number: Int) -> String {
        let digits = String(number)
        let base = "p" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        var candidate = base
        var counter = 2
        while usedIDs.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        return candidate
    }
}
