import Foundation

/// A JSON text read from a file a piece at a time and kept without the bodies of its long strings:
/// what `IndexedJSONDecoder.decode(_:from:reading:userInfo:)` reads a huge archive line from. A
/// line of a runaway answer repeats the answer three times (raw chunks, each event's text, the
/// assembled text), nearly all of it in long strings; held whole, the line cost ~3× the response
/// cap before anything was decoded. Here each long string is a range of the file, read when (and
/// only if) a value asks for it, so a caller that never reads the raw chunks never holds them.
package struct CompactJSONDocument: Sendable {
    /// The text with each long string's body left out (`""` in its place).
    package var bytes: [UInt8]
    /// The long strings, in the order they occur.
    package var strings: [ExternalString]
}

/// A string body left in the file: where its escaped bytes lie, and what the token index would
/// have flagged in them.
package struct ExternalString: Sendable, Equatable {
    /// File offset of the body's first byte (after the opening quote).
    package var offset: Int
    /// Escaped bytes of the body, up to the closing quote.
    package var length: Int
    /// `JSONToken.hasEscapes` and `JSONToken.hasNonASCII`.
    var flags: UInt8
    /// Index in `CompactJSONDocument.bytes` of the empty body that stands for it (its closing quote).
    var compactPosition: Int
}

/// Where the bodies of long strings are read from once the text has gone by.
package protocol ExternalStringSource {
    /// Fills `buffer` with the file's bytes from `offset`; false when they cannot all be read.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool
}

/// Builds a `CompactJSONDocument` from pieces of one JSON text fed in order, checking each long
/// string's body as the token index would have (no control bytes, only the escapes JSON allows,
/// well-formed UTF-8) across piece boundaries; everything else is copied and left to the token
/// index, which checks the compact text as it checks a whole one. A text whose long strings do not
/// pass gives no document: the caller then reads the text whole, so a broken one is judged exactly
/// as before.
package struct CompactJSONBuilder {
    /// String bodies longer than this (in escaped bytes) stay in the file.
    package static let defaultLongString = 1 << 10

    private let longString: Int
    private var bytes: [UInt8] = []
    private var strings: [ExternalString] = []
    /// File offset of the next byte fed.
    private var offset: Int
    private var failed = false

    private var inString = false
    /// The string being read: its body's file offset and index in `bytes`, its flags so far, and
    /// whether it is long (its body no longer copied).
    private var bodyOffset = 0
    private var bodyPosition = 0
    private var flags: UInt8 = 0
    private var isLong = false
    /// Inside an escape: 1 right after the backslash, 2...5 for the hex digits of `\u` still due
    /// (5 means four are due); 0 outside one.
    private var escapeState = 0
    /// UTF-8 continuation bytes still due, and the range the next one must fall in.
    private var continuations = 0
    private var continuationLow: UInt8 = 0x80
    private var continuationHigh: UInt8 = 0xBF

    /// - Parameter offset: the file offset of the text's first byte.
    /// - Parameter longString: string bodies longer than this stay in the file (tests make it small).
    package init(startingAt offset: Int, longString: Int = CompactJSONBuilder.defaultLongString) {
        self.offset = offset
        self.longString = max(0, longString)
    }

    /// The document, or nil when a long string was not a valid JSON string body or the text ended
    /// inside a string (the caller then reads the text whole).
    package func finish() -> CompactJSONDocument? {
        guard !failed, !inString else { return nil }
        return CompactJSONDocument(bytes: bytes, strings: strings)
    }

    /// Takes the next piece of the text.
    package mutating func append(_ piece: UnsafeRawBufferPointer) {
        defer { offset += piece.count }
        guard !failed, let base = piece.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let count = piece.count
        var index = 0
        while index < count {
            if !inString {
                // Outside strings everything is copied; the next quote opens a string.
                guard let quote = memchr(base + index, 0x22, count - index) else {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: base + index, count: count - index))
                    return
                }
                let end = base.distance(to: quote.assumingMemoryBound(to: UInt8.self)) + 1
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + index, count: end - index))
                inString = true
                bodyOffset = offset + end
                bodyPosition = bytes.count
                flags = 0
                isLong = false
                index = end
                continue
            }
            let start = index
            let closing = scanBody(base, from: &index, count: count)
            if failed { return }
            if !isLong {
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start))
                // The body so far, without its closing quote, decides whether it is long.
                if offset + index - bodyOffset - (closing ? 1 : 0) > longString {
                    bytes.removeSubrange(bodyPosition...)
                    isLong = true
                    if closing { bytes.append(0x22) }
                }
            } else if closing {
                bytes.append(0x22)
            }
            if closing {
                inString = false
                if isLong {
                    strings.append(
                        ExternalString(
                            offset: bodyOffset, length: offset + index - 1 - bodyOffset, flags: flags,
                            compactPosition: bodyPosition))
                }
            }
        }
    }

    /// Checks string body bytes from `index` until the closing quote (returns true, `index` past
    /// it) or the end of the piece (false); sets `failed` at a byte the token index refuses.
    private mutating func scanBody(_ base: UnsafePointer<UInt8>, from index: inout Int, count: Int) -> Bool {
        while index < count {
            // Plain runs 64 bytes at a time, where no escape or UTF-8 sequence is open.
            if escapeState == 0, continuations == 0 {
                while index + 64 <= count {
                    let masks = StringBlockMasks.sixtyFour(UnsafeRawPointer(base + index))
                    let special = masks.quote | masks.backslash | masks.control | masks.nonASCII
                    if special == 0 {
                        index += 64
                    } else {
                        index += special.trailingZeroBitCount
                        break
                    }
                }
                guard index < count else { return false }
            }
            let byte = base[index]
            index += 1
            if escapeState == 1 {
                if byte == UInt8(ascii: "u") {
                    escapeState = 5
                } else if Self.isSingleLetterEscape(byte) {
                    escapeState = 0
                } else {
                    failed = true
                    return false
                }
            } else if escapeState > 1 {
                guard EscapedText.hexValue(byte) != nil else {
                    failed = true
                    return false
                }
                escapeState = escapeState == 2 ? 0 : escapeState - 1
            } else if continuations > 0 {
                guard byte >= continuationLow, byte <= continuationHigh else {
                    failed = true
                    return false
                }
                continuations -= 1
                continuationLow = 0x80
                continuationHigh = 0xBF
            } else if byte == UInt8(ascii: "\"") {
                return true
            } else if byte == UInt8(ascii: "\\") {
                flags |= JSONToken.hasEscapes
                escapeState = 1
            } else if byte < 0x20 {
                failed = true
                return false
            } else if byte >= 0x80 {
                flags |= JSONToken.hasNonASCII
                guard startSequence(byte) else {
                    failed = true
                    return false
                }
            }
        }
        return false
    }

    /// Opens a UTF-8 sequence at its lead byte (Unicode Table 3-7, as `UTF8Validation`).
    private mutating func startSequence(_ lead: UInt8) -> Bool {
        guard let sequence = UTF8Validation.sequence(startingWith: lead) else { return false }
        (continuations, continuationLow, continuationHigh) = sequence
        return true
    }

    /// The escapes the token index admits besides `\u`: `"`, `\`, `/`, b, f, n, r, t.
    private static func isSingleLetterEscape(_ letter: UInt8) -> Bool {
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            true
        default: false
        }
    }
}
