import Foundation

/// A GitHub-flavoured Markdown pipe table with padded columns, so the same text reads well both
/// rendered and raw in a terminal (`unsaid compare` prints it as is).
package struct MarkdownTable: Sendable {
    package var header: [String]
    package var rows: [[String]]
    /// Columns whose cells are right-aligned (numbers).
    package var rightAligned: Set<Int>

    package init(header: [String], rows: [[String]], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned
    }

    package func render() -> String {
        let cells = ([header] + rows).map { $0.map(MarkdownTable.escape) }
        var widths = Array(repeating: 3, count: header.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ row: [String]) -> String {
            let padded = widths.indices.map { index -> String in
                let cell = index < row.count ? row[index] : ""
                let fill = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? fill + cell : cell + fill
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = widths.indices.map { index in
            rightAligned.contains(index)
                ? String(repeating: "-", count: widths[index] - 1) + ":" : String(repeating: "-", count: widths[index])
        }
        var lines = [line(cells[0]), "| " + rule.joined(separator: " | ") + " |"]
        lines += cells.dropFirst().map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Keeps a cell on one line, its pipes from ending it early, and model text such as
    /// `<script>` or `<pid>` from being taken for HTML by Markdown renderers.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "<", with: "\\<")
            .replacingOccurrences(of: "\r", with: " ")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
