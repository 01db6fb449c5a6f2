import Foundation
import UnsaidTranscript
import UnsaidVerdict
import UnsaidSuite
import UnsaidSupport

/// The stream of one attempt drawn on a time axis, with the events listed below it, so a reader
/// can see content arrive and then the moment it was withdrawn, filtered or cut off.
enum StreamTimeline {
    /// The verdicts whose answers get a timeline in the HTML report.
    static let drawnFor: Set<VerdictLabel> = [.retracted, .truncated, .filtered]

    /// Content events listed at each end of a long stream; the middle is summarised.
    static let shownAtEachEnd = 8

    /// - Parameter language: the probe's language, for the `lang` of quoted content.
    static func render(_ attempt: Attempt, evidence: [Evidence], language: String = "") -> String {
        let events = attempt.response.events
        guard !events.isEmpty else { return "" }
        let flagged = Set(evidence.compactMap(\.event))
        let end = max(events.map(\.t).max() ?? 0, attempt.elapsed, 1)
        let width = 760.0, left = 10.0, plot = width - 2 * left
        func x(_ t: Int64) -> String { SVGCharts.fmt(left + Double(t) / Double(end) * plot) }
        var svg =
            "<svg viewBox=\"0 0 \(Int(width)) 56\" width=\"\(Int(width))\" height=\"56\" role=\"img\" aria-label=\"stream timeline\">"
        svg +=
            "<line class=\"axis\" x1=\"\(SVGCharts.fmt(left))\" y1=\"24\" x2=\"\(SVGCharts.fmt(left + plot))\" y2=\"24\"/>"
        for event in events {
            let signal = isSignal(event) || flagged.contains(event.index)
            let color = signal ? "#c62828" : "#1565c0"
            let height = signal ? 14 : 8
            svg +=
                "<line x1=\"\(x(event.t))\" y1=\"\(24 - height)\" x2=\"\(x(event.t))\" y2=\"\(24 + height)\" stroke=\"\(color)\" stroke-width=\"\(signal ? 2 : 1)\">"
            // A tooltip is plain text: when it quotes CJK content, the whole tooltip carries its language.
            let tip = "#\(event.index) at \(ms(event.t)) ms: \(describe(event))"
            let tipLanguage =
                HTMLLanguage.isCJK(language)
                ? language
                : tip.unicodeScalars.contains(where: HTMLLanguage.isCJKScalar) ? HTMLLanguage.guess(tip) : ""
            svg += "<title\(HTMLLanguage.attribute(tipLanguage))>\(XMLEscaping.escape(tip))</title></line>"
        }
        svg += "<text x=\"\(SVGCharts.fmt(left))\" y=\"52\" class=\"muted\">0 ms</text>"
        svg +=
            "<text x=\"\(SVGCharts.fmt(left + plot))\" y=\"52\" text-anchor=\"end\" class=\"muted\">\(ms(end)) ms</text></svg>\n"

        // List every signal event and the content at both ends of the stream.
        let contentIndices = events.indices.filter { !isSignal(events[$0]) && !flagged.contains(events[$0].index) }
        let keep = Set(contentIndices.prefix(shownAtEachEnd) + contentIndices.suffix(shownAtEachEnd))
        var rows = ""
        var skipped = 0
        for (position, event) in events.enumerated() {
            let signal = isSignal(event) || flagged.contains(event.index)
            guard signal || keep.contains(position) else {
                skipped += 1
                continue
            }
            if skipped > 0 {
                rows += "<tr><td></td><td></td><td class=\"note\">… \(skipped) more content events …</td></tr>\n"
                skipped = 0
            }
            let what = HTMLLanguage.taggedRuns(describe(event), language: language)
            rows +=
                "<tr><td class=\"num\">\(ms(event.t))</td><td class=\"num\">#\(event.index)</td><td>\(signal ? "<strong>\(what)</strong>" : what)</td></tr>\n"
        }
        return svg
            + "<table class=\"events\"><thead><tr><th class=\"num\">t (ms)</th><th class=\"num\">event</th><th>what arrived</th></tr></thead><tbody>\n"
            + rows + "</tbody></table>\n"
    }

    /// Anything other than a plain content delta.
    static func isSignal(_ event: ChatEvent) -> Bool {
        event.finishReason != nil || event.error != nil || event.refusal != nil || event.malformed != nil
            || event.done == true || !(event.annotations ?? [:]).isEmpty
    }

    static func describe(_ event: ChatEvent) -> String {
        var parts: [String] = []
        if let content = event.content, !content.isEmpty {
            parts.append("content “\(Excerpt.of(content, length: 80))”")
        }
        if let reasoning = event.reasoning, !reasoning.isEmpty {
            parts.append("reasoning “\(Excerpt.of(reasoning, length: 60))”")
        }
        if let refusal = event.refusal { parts.append("refusal “\(Excerpt.of(refusal, length: 80))”") }
        if let reason = event.finishReason { parts.append("finish_reason: \(reason)") }
        if let error = event.error {
            parts.append("error \(error.code ?? "?"): \(Excerpt.of(error.message ?? "", length: 80))")
        }
        if let annotations = event.annotations, !annotations.isEmpty {
            parts.append("annotations: " + annotations.keys.sorted().joined(separator: ", "))
        }
        if let malformed = event.malformed { parts.append("malformed “\(Excerpt.of(malformed, length: 60))”") }
        if event.done == true { parts.append("[DONE]") }
        return parts.isEmpty ? "(empty delta)" : parts.joined(separator: "; ")
    }

    /// Microseconds as milliseconds with one decimal.
    static func ms(_ microseconds: Int64) -> String { String(format: "%.1f", Double(microseconds) / 1000) }
}
