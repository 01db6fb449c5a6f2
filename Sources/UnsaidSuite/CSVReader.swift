import Foundation

/// One CSV record and the line it starts on (a quoted field may span several lines).
package struct CSVRecord: Sendable, Equatable {
    package var line: Int
    package var fields: [String]
}

/// A small RFC 4180 reader: comma-separated, fields optionally in double quotes, `""` for a quote
/// inside a quoted field, quoted fields may hold commas and line breaks, records end in LF, CRLF
/// or CR. Blank lines are skipped, a leading byte-order mark is ignored, and a line break inside
/// a quoted field comes out as a single "\n".
///
/// Prompt sets are exactly the data that contains commas, quotes and newlines, so splitting on
/// commas is not an option; this is small enough to own rather than depend on.
package enum CSVReader {
    package struct Failure: Error, Equatable, Sendable {
        package var line: Int
        package var column: Int
        package var message: String
    }

    package static func records(_ text: String) throws -> [CSVRecord] {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }

        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var fieldQuoted = false
        var fieldQuotedInRecord = false
        var inQuotes = false
        var afterClosingQuote = false
        var line = 1, column = 0
        var recordLine = 1
        var quoteStart = (line: 1, column: 1)

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            fieldQuoted = false
            afterClosingQuote = false
        }
        func endRecord() {
            endField()
            // A line with nothing on it is not a record with one empty field.
            if !(fields.count == 1 && fields[0].isEmpty && !fieldQuotedInRecord) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields = []
            fieldQuotedInRecord = false
        }

        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
            column += 1
            if inQuotes {
                if scalar == "\"" {
                    if next == "\"" {
                        field.append("\"")
                        index += 2
                        column += 1
                        continue
                    }
                    inQuotes = false
                    afterClosingQuote = true
                } else if scalar == "\r" {
                    // A line break inside a field is kept as "\n" whatever the file's line endings,
                    // so a prompt reads the same whether the CSV came from Windows or not.
                    field.append("\n")
                    if next == "\n" { index += 1 }
                    line += 1
                    column = 0
                } else {
                    field.append(scalar)
                    if scalar == "\n" {
                        line += 1
                        column = 0
                    }
                }
                index += 1
                continue
            }
            switch scalar {
            case ",":
                endField()
            case "\r", "\n":
                endRecord()
                if scalar == "\r" && next == "\n" { index += 1 }
                line += 1
                column = 0
                recordLine = line
            case "\"":
                if field.isEmpty && !fieldQuoted {
                    inQuotes = true
                    fieldQuoted = true
                    fieldQuotedInRecord = true
                    quoteStart = (line, column)
                } else if afterClosingQuote {
                    throw Failure(line: line, column: column, message: "unexpected '\"' after a closing quote")
                } else {
                    // A stray quote inside an unquoted field: keep it, as most spreadsheet exports expect.
                    field.append(scalar)
                }
            default:
                if afterClosingQuote {
                    throw Failure(
                        line: line, column: column,
                        message: "unexpected character after a closing quote (quote the whole field)")
                }
                field.append(scalar)
            }
            index += 1
        }
        if inQuotes {
            throw Failure(line: quoteStart.line, column: quoteStart.column, message: "unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty || fieldQuoted {
            endRecord()
        }
        return records
    }
}
