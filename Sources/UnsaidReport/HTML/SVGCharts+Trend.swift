import Foundation

extension SVGCharts {
    /// One small multiple of a trend: a rate over runs on a 0–100% axis, each run a point with
    /// its Wilson 95% whisker, consecutive points joined. Runs without data leave a gap.
    static func trendPanel(title: String, labels: [String], estimates: [RateEstimate?], colorIndex: Int = 0) -> String {
        let panelWidth = 260, panelHeight = 150
        let left = 34, right = 12, top = 22, bottom = 30
        let plotWidth = Double(panelWidth - left - right), plotHeight = Double(panelHeight - top - bottom)
        let color = HTMLAssets.runColor(colorIndex)
        func x(_ index: Int) -> Double {
            labels.count < 2
                ? Double(left) + plotWidth / 2 : Double(left) + plotWidth * Double(index) / Double(labels.count - 1)
        }
        func y(_ value: Double) -> Double { Double(top) + plotHeight * (1 - value) }
        var body = "<text x=\"0\" y=\"14\">\(esc(clip(title, 34)))</text>"
        for tick in [0.0, 0.5, 1.0] {
            body +=
                "<line class=\"axis\" x1=\"\(left)\" y1=\"\(fmt(y(tick)))\" x2=\"\(panelWidth - right)\" y2=\"\(fmt(y(tick)))\"/>"
            body +=
                "<text x=\"\(left - 4)\" y=\"\(fmt(y(tick) + 4))\" text-anchor=\"end\" class=\"muted\">\(Int(tick * 100))%</text>"
        }
        var segment: [String] = []
        var segments: [[String]] = []
        for (index, estimate) in estimates.enumerated() {
            guard let estimate else {
                if !segment.isEmpty { segments.append(segment) }
                segment = []
                continue
            }
            segment.append("\(fmt(x(index))),\(fmt(y(estimate.rate)))")
        }
        if !segment.isEmpty { segments.append(segment) }
        for points in segments where points.count > 1 {
            body +=
                "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        }
        for (index, estimate) in estimates.enumerated() {
            let label = labels[index]
            body +=
                "<text x=\"\(fmt(x(index)))\" y=\"\(panelHeight - 8)\" text-anchor=\"middle\" class=\"muted\">\(esc(clip(label, 10)))</text>"
            guard let estimate else { continue }
            body += "<g><title>\(esc("\(title) · \(label): \(estimate.formatted)"))</title>"
            body +=
                "<line x1=\"\(fmt(x(index)))\" y1=\"\(fmt(y(estimate.lower)))\" x2=\"\(fmt(x(index)))\" y2=\"\(fmt(y(estimate.upper)))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            body += "<circle cx=\"\(fmt(x(index)))\" cy=\"\(fmt(y(estimate.rate)))\" r=\"3.5\" fill=\"\(color)\"/></g>"
        }
        return
            "<svg viewBox=\"0 0 \(panelWidth) \(panelHeight)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" role=\"img\" aria-label=\"\(esc(title))\">"
            + "<title>\(esc(title))</title>" + body + "</svg>"
    }
}
