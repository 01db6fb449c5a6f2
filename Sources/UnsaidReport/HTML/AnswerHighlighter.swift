import Foundation
import UnsaidVerdict

/// Renders an answer as escaped HTML with its evidence marked in place: content that was
/// withdrawn struck through (`<del>`), the canned text that replaced it marked (`<mark>`), and
/// other matched text (e.g. a known refusal) marked as a match.
///
/// Evidence spans are UTF-8 byte offsets into the assembled answer. Offsets that fall outside
/// the text or inside a multi-byte character are clamped and moved back to the start of the
/// character, so a wrong offset can misplace a highlight but never garble the text.
package enum AnswerHighlighter {
    enum Kind: Int, Comparable {
        case withdrawn = 0
        case replacement = 1
        case match = 2

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        var open: String {
            switch self {
            case .withdrawn: return "<del title=\"withdrawn\">"
            case .replacement: return "<mark title=\"replacement\">"
            case .match: return "<mark class=\"match\" title=\"matched\">"
            }
        }

        var close: String { self == .withdrawn ? "</del>" : "</mark>" }
    }

    /// - Parameter language: the probe's language, which the surrounding element declares; runs
    ///   of CJK text inside an answer in another language get their own `lang` (`HTMLLanguage`).
    static func render(_ text: String, evidence: [Evidence], language: String = "") -> String {
        let bytes = Array(text.utf8)
        var spans: [(start: Int, end: Int, kind: Kind)] = []
        for item in evidence {
            if let span = item.withdrawn { spans.append((span.start, span.end, .withdrawn)) }
            if let span = item.replacement { spans.append((span.start, span.end, .replacement)) }
            if let span = item.span { spans.append((span.start, span.end, .match)) }
        }
        spans = spans.map { (snap($0.start, bytes), snap($0.end, bytes), $0.kind) }.filter { $0.start < $0.end }
        guard !spans.isEmpty else { return HTMLLanguage.tagged(text, in: language) }
        var cuts = Set([0, bytes.count])
        for span in spans {
            cuts.insert(span.start)
            cuts.insert(span.end)
        }
        let points = cuts.sorted()
        var out = ""
        for (from, to) in zip(points, points.dropFirst()) where from < to {
            let kinds = Set(spans.filter { $0.start <= from && to <= $0.end }.map(\.kind)).sorted()
            let piece = HTMLLanguage.tagged(String(decoding: bytes[from..<to], as: UTF8.self), in: language)
            out += kinds.map(\.open).joined() + piece + kinds.reversed().map(\.close).joined()
        }
        return out
    }

    /// Clamps to the text and moves back to the first byte of a UTF-8 sequence.
    static func snap(_ offset: Int, _ bytes: [UInt8]) -> Int {
        var index = min(max(offset, 0), bytes.count)
        while index > 0 && index < bytes.count && bytes[index] & 0xC0 == 0x80 { index -= 1 }
        return index
    }
}
