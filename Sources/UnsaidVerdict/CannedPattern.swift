import Foundation

/// A canned reply as the classifier looks for it: normalised the way answers are, plus what it
/// takes to rule it out (or find it) without Foundation's search, which compares by canonical
/// equivalence one character cluster at a time and dominated judging long answers.
///
/// `String.range(of:)` finds the first range whose canonical decomposition equals the needle's,
/// on character-cluster boundaries. The shortcuts below only answer when that search provably
/// gives the same answer:
/// - printable-ASCII needle in printable-ASCII text: every character is its own cluster and its
///   own decomposition, so the first literal occurrence is the answer;
/// - printable-ASCII needle, literal absent, and the text holds none of the three non-ASCII
///   scalars whose decomposition is ASCII (U+037E, U+1FEF, U+212A): no range can decompose to it;
/// - a needle holding a CJK unified ideograph (which decomposes to itself) that the text lacks,
///   with no CJK compatibility ideograph (the only scalars that decompose to one) in the text.
/// Everything else falls back to `range(of:)`.
struct CannedPattern: Sendable {
    let text: CannedText
    let normalised: String
    /// UTF-16 of `normalised` when it is non-empty printable ASCII.
    private let printableASCII: [UInt16]?
    /// A CJK unified ideograph (U+4E00–U+9FFF) of `normalised`.
    private let ideograph: UInt16?

    init(text: CannedText, normalised: String) {
        self.text = text
        self.normalised = normalised
        let units = Array(normalised.utf16)
        printableASCII = !units.isEmpty && units.allSatisfy(Self.isPrintableASCII) ? units : nil
        ideograph = units.first { (0x4E00...0x9FFF).contains($0) }
    }

    static func isPrintableASCII(_ unit: UInt16) -> Bool { (0x20...0x7E).contains(unit) }

    /// The first occurrence in `text`, as `text.text.range(of: normalised)` finds it.
    func find(in text: NormalisedText) -> NSRange? {
        if let literal = printableASCII {
            if text.isPrintableASCII { return Self.firstRange(of: literal, in: text.units) }
            if Self.firstRange(of: literal, in: text.units) == nil,
                !text.units.contains(where: { $0 == 0x037E || $0 == 0x1FEF || $0 == 0x212A })
            {
                return nil
            }
        } else if let ideograph {
            // U+D87E is the lead surrogate of the supplementary compatibility ideographs.
            let possible =
                !text.isPrintableASCII
                && text.units.contains { $0 == ideograph || (0xF900...0xFAFF).contains($0) || $0 == 0xD87E }
            if !possible { return nil }
        }
        guard let found = text.text.range(of: normalised) else { return nil }
        return NSRange(found, in: text.text)
    }

    static func firstRange(of needle: [UInt16], in haystack: [UInt16]) -> NSRange? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var start = 0
        let lastStart = haystack.count - needle.count
        while start <= lastStart {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return NSRange(location: start, length: needle.count) }
            }
            start += 1
        }
        return nil
    }
}
