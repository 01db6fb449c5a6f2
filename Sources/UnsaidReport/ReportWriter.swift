import Foundation

/// Where a report's text goes as it is rendered: collected into one string (tests, the end of
/// `unsaid run`), or handed on a megabyte or so at a time, so that a report of a large run is
/// written while it is rendered instead of built whole first (the HTML report of 100,000
/// requests is 142 MB of text, and it was held again as bytes on its way out). Any text written
/// in pieces goes the same way: `run`'s problem lists and `--json` summary, `suites import`.
package final class ReportWriter {
    private var pending = ""
    private let flush: ((String) throws -> Void)?
    /// Text held before it is handed on.
    static let flushSize = 1 << 20

    /// A writer that collects everything; `text` has it.
    package init() {
        flush = nil
    }

    /// A writer that hands its text to `flush` in pieces, in order; `finish()` hands on the rest.
    package init(flushingTo flush: @escaping (String) throws -> Void) {
        self.flush = flush
    }

    package func write(_ text: String) throws {
        pending += text
        if let flush, pending.utf8.count >= Self.flushSize {
            try flush(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Hands on what is still held (a collecting writer keeps it).
    package func finish() throws {
        guard let flush, !pending.isEmpty else { return }
        try flush(pending)
        pending = ""
    }

    /// Everything written to a collecting writer.
    package var text: String { pending }

    /// What `render` writes, as one string.
    static func collect(_ render: (ReportWriter) throws -> Void) rethrows -> String {
        let writer = ReportWriter()
        try render(writer)
        return writer.text
    }
}
