import Foundation

/// Inline SVG charts for the HTML report, drawn from numbers alone (no script, no fonts to load).
enum SVGCharts {
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

    /// Horizontal 100% bars, one per row, segments coloured by verdict, each with a tooltip.
    static func verdictStacks(_ rows: [StackRow], title: String) -> String {
        let barX = groupColumn + labelColumn
        let barWidth = width - barX - 60
        let legendHeight = 28
        var y = legendHeight
        var body = ""
        var previousGroup: String?
        for row in rows {
            if let previousGroup, previousGroup != row.group { y += groupGap }
            let textY = y + rowHeight / 2 + 4
            if previousGroup != row.group {
                body += "<text x=\"0\" y=\"\(textY)\">\(esc(clip(row.group, 30)))</text>"
            }
            previousGroup = row.group
            body += "<text x=\"\(groupColumn)\" y=\"\(textY)\" class=\"muted\">\(esc(clip(row.label, 26)))</text>"
            let total = row.slice.requests
            var x = Double(barX)
            for label in VerdictLabel.allCases {
                let count = row.slice.count(label)
                guard count > 0, total > 0 else { continue }
                let share = Double(count) / Double(total)
                let w = share * Double(barWidth)
                body += "<rect x=\"\(fmt(x))\" y=\"\(y + 2)\" width=\"\(fmt(w))\" height=\"\(rowHeight - 4)\" fill=\"\(HTMLAssets.color(label))\">"
                body += "<title>\(esc("\(row.group) · \(row.label): \(label.rawValue) \(count) of \(total) (\(Percent.format(share)))"))</title></rect>"
                x += w
            }
            body += "<text x=\"\(barX + barWidth + 8)\" y=\"\(textY)\" class=\"muted\">n=\(total)</text>"
            y += rowHeight
        }
        var legend = ""
        var legendX = 0
        for label in VerdictLabel.allCases {
            legend += "<rect x=\"\(legendX)\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(HTMLAssets.color(label))\"/>"
            legend += "<text x=\"\(legendX + 16)\" y=\"16\">\(label.rawValue)</text>"
            legendX += 16 + label.rawValue.count * 7 + 14
        }
        let height = y + 6
        return "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(esc(title))\">"
            + "<title>\(esc(title))</title>" + legend + body + "</svg>\n"
    }

    /// Point estimates with Wilson 95% interval whiskers on a 0–100% axis.
    static func intervals(_ rows: [IntervalRow], title: String) -> String {
        let plotX = groupColumn + labelColumn
        let plotWidth = width - plotX - 150
        let top = 22
        var y = top
        var body = ""
        var previousGroup: String?
        func xFor(_ value: Double) -> Double { Double(plotX) + value * Double(plotWidth) }
        for row in rows {
            if let previousGroup, previousGroup != row.group { y += groupGap }
            let mid = y + rowHeight / 2
            if previousGroup != row.group {
                body += "<text x=\"0\" y=\"\(mid + 4)\">\(esc(clip(row.group, 30)))</text>"
            }
            previousGroup = row.group
            let color = HTMLAssets.runColor(row.colorIndex)
            let estimate = row.estimate
            body += "<text x=\"\(groupColumn)\" y=\"\(mid + 4)\" class=\"muted\">\(esc(clip(row.label, 26)))</text>"
            body += "<g><title>\(esc("\(row.group) · \(row.label): \(estimate.formatted)"))</title>"
            body += "<line x1=\"\(fmt(xFor(estimate.lower)))\" y1=\"\(mid)\" x2=\"\(fmt(xFor(estimate.upper)))\" y2=\"\(mid)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            for end in [estimate.lower, estimate.upper] {
                body += "<line x1=\"\(fmt(xFor(end)))\" y1=\"\(mid - 5)\" x2=\"\(fmt(xFor(end)))\" y2=\"\(mid + 5)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            }
            body += "<circle cx=\"\(fmt(xFor(estimate.rate)))\" cy=\"\(mid)\" r=\"4.5\" fill=\"\(color)\"/></g>"
            body += "<text x=\"\(plotX + plotWidth + 10)\" y=\"\(mid + 4)\">\(esc("\(Percent.format(estimate.rate)) (\(estimate.count)/\(estimate.total))"))</text>"
            y += rowHeight
        }
        var axis = ""
        for tick in stride(from: 0, through: 100, by: 25) {
            let x = fmt(xFor(Double(tick) / 100))
            axis += "<line class=\"axis\" x1=\"\(x)\" y1=\"\(top - 4)\" x2=\"\(x)\" y2=\"\(y)\"/>"
            axis += "<text x=\"\(x)\" y=\"12\" text-anchor=\"middle\" class=\"muted\">\(tick)%</text>"
        }
        let height = y + 8
        return "<svg viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(esc(title))\">"
            + "<title>\(esc(title))</title>" + axis + body + "</svg>\n"
    }

    static func esc(_ text: String) -> String { XMLEscaping.escape(text) }

    /// Labels longer than the column would run into the bars; the full text is in the tooltip.
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
