import Foundation

/// The output formats of `unsaid report` and `unsaid compare`.
package enum ReportFormat: String, CaseIterable, Sendable {
    case md
    case html
    case csv
    case junit
    case json

    package func render(_ document: ReportDocument) throws -> String {
        try ReportWriter.collect { try render(document, to: $0) }
    }

    /// Writes the report to `writer` as it is rendered, and finishes the writer: the formats that
    /// list every request write each request's part as its entry is read back.
    package func render(_ document: ReportDocument, to writer: ReportWriter) throws {
        switch self {
        case .md: try writer.write(try MarkdownReport.render(document))
        case .html: try HTMLReport.render(document, to: writer)
        case .csv: try CSVReport.render(document, to: writer)
        case .junit: try JUnitReport.render(document, to: writer)
        case .json: try JSONReport.render(document, to: writer)
        }
        try writer.finish()
    }
}
