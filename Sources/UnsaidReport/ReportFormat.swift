import Foundation

/// The output formats of `unsaid report` and `unsaid compare`.
package enum ReportFormat: String, CaseIterable, Sendable {
    case md
    case html
    case csv
    case junit
    case json

    package func render(_ document: ReportDocument) throws -> String {
        switch self {
        case .md: return try MarkdownReport.render(document)
        case .html: return try HTMLReport.render(document)
        case .csv: return try CSVReport.render(document)
        case .junit: return try JUnitReport.render(document)
        case .json: return try JSONReport.render(document)
        }
    }
}
