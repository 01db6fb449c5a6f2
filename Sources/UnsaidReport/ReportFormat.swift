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
        case .md: return MarkdownReport.render(document)
        case .html: return HTMLReport.render(document)
        case .csv: return CSVReport.render(document)
        case .junit: return JUnitReport.render(document)
        case .json: return try JSONReport.render(document)
        }
    }
}
