import Foundation
import UnsaidSuite

/// Inline SVG charts for the HTML report, drawn from numbers alone (no script, no fonts to load).
package enum SVGCharts {
    /// One bar of a stacked verdict chart: a label pair and the verdict counts behind it.
    struct StackRow {
        var group: String
        var label: String
        var slice: SliceMetrics
    }

    /// One line of an interval chart.
    struct IntervalRow {
        var group: String
        var label: String
        var colorIndex: Int
        var estimate: RateEstimate
    }

    static let width = 880
    static let groupColumn = 200
    static let labelColumn = 170
    static let rowHeight = 20
    static let groupGap = 8
    /// Characters per line of the group and label columns, and the height of each further line.
    /// (About 6.5 px a character at 12 px: the columns are 200 and 170 px wide.)
    static let groupChars = 28
    static let labelChars = 23
    static let lineHeight = 14

    /// Text for a column, in as many `<tspan>` lines as it needs: a model label is never cut,
    /// since two labels differing only at the end would otherwise read as one.
    static func wrappedText(_ text: String, x: Int, y: Int, chars: Int, muted: Bool = false) -> String {
        let lines = lines(text, chars)
        let spans = lines.enumerated().map { index, line in
            "<tspan x=\"\(x)\" dy=\"\(index == 0 ? 0 : lineHeight)\">\(esc(line))</tspan>"
        }.joined()
        return "<text x=\"\(x)\" y=\"\(y)\"\(muted ? " class=\"muted\"" : "")>\(spans)</text>"
    }

    /// Height of a row whose labels take `lines` lines.
    static func rowHeight(lines: Int) -> Int { rowHeight + max(0, lines - 1) * lineHeight }

    /// Splits text into lines of at most `width` characters: at the last space of the line if it
    /// is past a third of it (`model (run id)` breaks before the run id), else after the last
    /// `-`, `/`, `_`, `.` or `:` past half of it, else anywhere.
    static func lines(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = []
        var rest = Substring(text)
        while rest.count > width {
            // One character more than fits, so a space just after a full line counts as a break.
            let window = rest.prefix(width + 1)
            let position = { (index: Substring.Index) in window.distance(from: window.startIndex, to: index) }
            let marks: Set<Character> = ["-", "/", "_", ".", ":"]
            var cut = window.index(window.startIndex, offsetBy: width)
            if let space = window.lastIndex(of: " "), position(space) >= width / 3 {
                cut = space
            } else if let mark = window.dropLast().lastIndex(where: { marks.contains($0) }), position(mark) >= width / 2
            {
                cut = window.index(after: mark)
            }
            lines.append(String(rest[..<cut]).trimmingCharacters(in: .whitespaces))
            rest = rest[cut...].drop(while: { $0 == " " })
        }
        if !rest.isEmpty || lines.isEmpty { lines.append(String(rest)) }
        return lines
    }

    /// Rows laid out top to bottom from `top`, as both charts draw them: a gap between groups, the
    /// group's name beside its first row, each row's label, and each row as tall as the longer of
    /// the two once wrapped. `marks` draws a row's own marks given the row's top; the result is the
    /// whole body and the y below the last row.
    static func groupedRows<Row>(
        _ rows: [Row], top: Int, group: (Row) -> String, label: (Row) -> String,
        marks: (Row, _ y: Int) -> String
    ) -> (body: String, bottom: Int) {
        var y = top
        var body = ""
        var previousGroup: String?
        for row in rows {
            if let previousGroup, previousGroup != group(row) { y += groupGap }
            let textY = y + rowHeight / 2 + 4
            let newGroup = previousGroup != group(row)
            if newGroup { body += wrappedText(group(row), x: 0, y: textY, chars: groupChars) }
            previousGroup = group(row)
            body += wrappedText(label(row), x: groupColumn, y: textY, chars: labelChars, muted: true)
            body += marks(row, y)
            y += rowHeight(
                lines: max(lines(label(row), labelChars).count, newGroup ? lines(group(row), groupChars).count : 1))
        }
        return (body, y)
    }

    /// Horizontal 100% bars, one per row, segments coloured by verdict, each with a tooltip.
    static func verdictStacks(_ rows: [StackRow], title: String) -> String {
        let barX = groupColumn + labelColumn
        let barWidth = width - barX - 60
        let legendHeight = 28
        let (body, bottom) = groupedRows(rows, top: legendHeight, group: \.group, label: \.label) { row, y in
            var body = ""
            let total = row.slice.requests
            var x = Double(barX)
            for label in VerdictLabel.allCases {
                let count = row.slice.count(label)
                guard count > 0, total > 0 else { continue }
                let share = Double(count) / Double(total)
                let w = share * Double(barWidth)
                body +=
                    "<rect x=\"\(fmt(x))\" y=\"\(y + 2)\" width=\"\(fmt(w))\" height=\"\(rowHeight - 4)\" fill=\"\(HTMLAssets.color(label))\">"
                body +=
                    "<title>\(esc("\(row.group) · \(row.label): \(label.rawValue) \(count) of \(total) (\(Percent.format(share)))"))</title></rect>"
                x += w
            }
            body +=
                "<text x=\"\(barX + barWidth + 8)\" y=\"\(y + rowHeight / 2 + 4)\" class=\"muted\">n=\(total)</text>"
            return body
        }
        var legend = ""
        var legendX = 0
        for label in VerdictLabel.allCases {
            legend += "<rect x=\"\(legendX)\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(HTMLAssets.color(label))\"/>"
            legend += "<text x=\"\(legendX + 16)\" y=\"16\">\(label.rawValue)</text>"
            legendX += 16 + label.rawValue.count * 7 + 14
        }
        let height = bottom + 6
        return
            "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(esc(title))\">"
            + "<title>\(esc(title))</title>" + legend + body + "</svg>\n"
    }

    /// Point estimates with Wilson 95% interval whiskers on a 0–100% axis.
    static func intervals(_ rows: [IntervalRow], title: String) -> String {
        let plotX = groupColumn + labelColumn
        let plotWidth = width - plotX - 150
        let top = 22
        func xFor(_ value: Double) -> Double { Double(plotX) + value * Double(plotWidth) }
        let (body, y) = groupedRows(rows, top: top, group: \.group, label: \.label) { row, y in
            let mid = y + rowHeight / 2
            let color = HTMLAssets.runColor(row.colorIndex)
            let estimate = row.estimate
            var body = "<g><title>\(esc("\(row.group) · \(row.label): \(estimate.formatted)"))</title>"
            body +=
                "<line x1=\"\(fmt(xFor(estimate.lower)))\" y1=\"\(mid)\" x2=\"\(fmt(xFor(estimate.upper)))\" y2=\"\(mid)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            for end in [estimate.lower, estimate.upper] {
                body +=
                    "<line x1=\"\(fmt(xFor(end)))\" y1=\"\(mid - 5)\" x2=\"\(fmt(xFor(end)))\" y2=\"\(mid + 5)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            }
            body += "<circle cx=\"\(fmt(xFor(estimate.rate)))\" cy=\"\(mid)\" r=\"4.5\" fill=\"\(color)\"/></g>"
            body +=
                "<text x=\"\(plotX + plotWidth + 10)\" y=\"\(mid + 4)\">\(esc("\(Percent.format(estimate.rate)) (\(estimate.count)/\(estimate.total))"))</text>"
            return body
        }
        var axis = ""
        for tick in stride(from: 0, through: 100, by: 25) {
            let x = fmt(xFor(Double(tick) / 100))
            axis += "<line class=\"axis\" x1=\"\(x)\" y1=\"\(top - 4)\" x2=\"\(x)\" y2=\"\(y)\"/>"
            axis += "<text x=\"\(x)\" y=\"12\" text-anchor=\"middle\" class=\"muted\">\(tick)%</text>"
        }
        let height = y + 8
        return
            "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(esc(title))\">"
            + "<title>\(esc(title))</title>" + axis + body + "</svg>\n"
    }

    static func esc(_ text: String) -> String { XMLEscaping.escape(text) }

    /// Cuts text to `length` characters with `…` (trend chart titles and date ticks, whose full
    /// text is in a tooltip); the report's model labels wrap instead (`wrappedText`).
    static func clip(_ text: String, _ length: Int) -> String {
        text.count > length ? String(text.prefix(length - 1)) + "…" : text
    }

    /// Two decimals, no trailing zeros: stable across platforms and compact.
    static func fmt(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
