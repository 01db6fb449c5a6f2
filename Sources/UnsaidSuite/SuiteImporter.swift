import Foundation
import UnsaidSupport

/// Turns the prompt sets people already use (CSV, JSONL, plain text) into suites.
///
/// Besides the prompt, the fields `id`, `language`, `category` and `expect` (any case) are used
/// for what they name when their value is valid here; a value that is not (`language: English`,
/// `category: chemical_biological`, an id with spaces or one already used) is kept as a tag
/// `field:value` instead, so a public data set imports as it is and nothing it says is lost.
/// Every other column or field becomes a `name:value` tag. Probes without a usable id are
/// numbered `p0001`, `p0002`, … by record.
package enum SuiteImporter {
    package static func importSuite(
        text: String, format: ImportFormat, file: String,
        options: ImportOptions
    ) throws -> ImportResult {
        guard SuiteSchema.isValidIdentifier(options.suiteID) else {
            throw SuiteErrors([
                SuiteError(
                    file: file, field: "id",
                    message:
                        "'\(options.suiteID)' is not a valid suite id (use letters, digits, '.', '_' and '-')")
            ])
        }
        var language: String?
        if let given = options.language {
            guard let tag = LanguageTag.canonical(given) else {
                throw SuiteErrors([
                    SuiteError(
                        file: file, field: "language",
                        message:
                            "'\(given)' is not a BCP-47 language tag (like en, zh-Hans, zh-Hant, ko, pt-BR)")
                ])
            }
            language = tag
        }
        let records: [ImportRecord]
        switch format {
        case .csv: records = try csvRecords(text, file: file, promptField: options.promptField)
        case .jsonl: records = try jsonlRecords(text, file: file, promptField: options.promptField)
        case .txt: records = txtRecords(text)
        }
        var builder = ImportedProbeBuilder(file: file)
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
            throw SuiteErrors([
                SuiteError(
                    file: file, line: failure.line, column: failure.column,
                    message: failure.message)
            ])
        }
        guard let header = rows.first else {
            throw SuiteErrors([SuiteError(file: file, message: "the file is empty")])
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard columns.contains(where: { $0.lowercased() == promptField.lowercased() }) else {
            throw SuiteErrors([
                SuiteError(
                    file: file, line: header.line,
                    message:
                        "no '\(promptField)' column (columns: \(columns.joined(separator: ", ")))")
            ])
        }
        var records: [ImportRecord] = []
        var errors: [SuiteError] = []
        for row in rows.dropFirst() {
            guard row.fields.count == columns.count else {
                errors.append(
                    SuiteError(
                        file: file, line: row.line,
                        message:
                            "the row has \(row.fields.count) fields but the header has \(columns.count)"))
                continue
            }
            records.append(
                ImportRecord(
                    line: row.line, promptField: promptField,
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
