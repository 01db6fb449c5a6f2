import Foundation

/// Unsaid's JSON reader: strict RFC 8259, from UTF-8 bytes straight to `JSONValue` in one pass.
///
/// It is the only one (`JSONValue.parse` calls it). Decoding `JSONValue` through `JSONDecoder` tries
/// each JSON type in turn and throws on every miss; that cost close to a millisecond per stream
/// chunk, and a probe has hundreds of chunks. Numbers follow `JSONValue`'s rule: an integer literal
/// that fits `Int64` is `.int`, any other number `.double`; numbers too large for a `Double` are
/// rejected, as `JSONDecoder` rejects them. A leading UTF-8 byte order mark is skipped (RFC 8259 §8.1
/// allows it; files saved on Windows carry one).
///
/// `JSONParserDifferentialTests` checks it against `JSONDecoder` and `JSONSerialization` over every
/// JSON text in the repository. It departs from them on purpose in five places: trailing commas, and
/// a NUL byte after the value, are rejected (swift-foundation accepts both); a lone UTF-16 surrogate
/// in a `\u` escape and invalid UTF-8 inside a string become U+FFFD instead of failing the whole
/// document (a provider's chunk cut mid-character keeps its text; the raw bytes are archived anyway);
/// a repeated key keeps its last value, as `JSONSerialization` does (`JSONDecoder` keeps the first).
package enum JSONParser {
    /// Nesting deeper than this is rejected instead of exhausting the stack on hostile input.
    package static let maximumDepth = 512

    /// Parses one JSON text (surrounding whitespace allowed); nil when the bytes are not JSON.
    package static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }
    }

    package static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { parse(buffer: $0) }
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var reader = Reader(bytes: buffer)
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { reader.position = 3 }
        reader.skipWhitespace()
        guard let value = reader.value() else { return nil }
        reader.skipWhitespace()
        return reader.position == buffer.count ? value : nil
    }
}

/// A pull reader over one JSON text, for a caller that knows the shape it expects and wants only
/// a few of its fields: it walks objects and arrays member by member, reads the wanted strings,
/// and parses or skips everything else by exactly `JSONParser`'s rules (the same reader underneath,
/// the same depth limit), so a document it walks to the end is one `JSONParser` accepts, and any
/// value it returns is the one `JSONParser` would have put there.
///
/// Keys come back as their raw bytes, and only plain ones (ASCII, no escape): a key the caller
/// cannot compare byte for byte stops the walk, because `JSONParser` keys objects by Swift
/// `String`, whose equality is canonical equivalence. Valid only inside `withReader`.
package struct JSONPullReader {
    fileprivate var reader: Reader

    package enum Element {
        /// Positioned at the element's value.
        case element
        case end
        case invalid
    }

    package enum TextOrNull: Equatable {
        case text(String)
        case null
        /// Some other value (not consumed), or not JSON.
        case other
    }

    /// Runs `body` over the UTF-8 of `text`, positioned at its first value (after a BOM and whitespace).
    package static func withReader<R>(_ text: String, _ body: (inout JSONPullReader) -> R) -> R {
        var text = text
        return text.withUTF8 { withReader($0, body) }
    }

    /// Runs `body` over `bytes`, positioned at their first value (after a BOM and whitespace).
    /// Strings read from ill-formed UTF-8 are repaired as `String(decoding:as:)` repairs them.
    package static func withReader<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout JSONPullReader) -> R) -> R {
        var pull = JSONPullReader(reader: Reader(bytes: bytes))
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { pull.reader.position = 3 }
        pull.reader.skipWhitespace()
        return body(&pull)
    }

    /// Runs `body` over `bytes` positioned at `offset` (nothing skipped), for a caller that
    /// knows what the bytes before it were read as.
    package static func withReader<R>(
        _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, _ body: (inout JSONPullReader) -> R
    ) -> R {
        var pull = JSONPullReader(reader: Reader(bytes: bytes))
        pull.reader.position = min(max(0, offset), bytes.count)
        return body(&pull)
    }

    /// Where the reader is: the offset of the next byte it will read.
    package var offset: Int { reader.position }

    /// Whether only whitespace is left: the text was one JSON value.
    package mutating func atEnd() -> Bool {
        reader.skipWhitespace()
        return reader.position == reader.bytes.count
    }

    /// The first byte of the value at the current position (whitespace skipped), nil at the end:
    /// for a caller that reads a value one way or another by its type.
    package mutating func peek() -> UInt8? {
        reader.skipWhitespace()
        return reader.current
    }

    /// Enters the array at the current position; false when it is not one (or nesting is too deep).
    package mutating func enterArray() -> Bool {
        enter(UInt8(ascii: "["))
    }

    private mutating func enter(_ opening: UInt8) -> Bool {
        reader.skipWhitespace()
        guard reader.current == opening, reader.depth < JSONParser.maximumDepth
        else { return false }
        reader.depth += 1
        reader.position += 1
        return true
    }

    /// Walks the members of the object at the current position: `member` gets each key (its raw
    /// bytes), positioned at its value, and must read or skip that value. False when the object
    /// is not JSON `JSONParser` accepts, when a key is not plain (an escape or a non-ASCII byte),
    /// or when `member` returns false; the walk stops there.
    package mutating func readObject(
        _ member: (inout JSONPullReader, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool {
        guard enter(UInt8(ascii: "{")) else { return false }
        var first = true
        while true {
            guard let more = step(closing: UInt8(ascii: "}"), first: first) else { return false }
            guard more else { return true }
            first = false
            guard let key = plainKey(), member(&self, key) else { return false }
        }
    }

    /// The next element of the array entered last; `first` is true for the first call on it.
    package mutating func nextElement(first: Bool) -> Element {
        guard let more = step(closing: UInt8(ascii: "]"), first: first) else { return .invalid }
        return more ? .element : .end
    }

    /// Past the separator before the next member or element: true when there is one, false at
    /// the container's end (consumed), nil when the bytes are not JSON. A closing bracket is
    /// accepted first or after a value, never after a comma (JSONParser refuses trailing commas).
    private mutating func step(closing: UInt8, first: Bool) -> Bool? {
        reader.skipWhitespace()
        guard let byte = reader.current else { return nil }
        if byte == closing {
            reader.position += 1
            reader.depth -= 1
            return false
        }
        if !first {
            guard byte == UInt8(ascii: ",") else { return nil }
            reader.position += 1
            reader.skipWhitespace()
        }
        return true
    }

    /// A key of plain bytes and its colon, leaving the position at its value.
    private mutating func plainKey() -> UnsafeBufferPointer<UInt8>? {
        // In locals: the loop then keeps the bytes and the index in registers. Byte by byte: keys
        // are a few bytes long, and finding their end a word at a time (as `plainRunEnd` does for
        // strings) was no cheaper.
        let bytes = reader.bytes
        guard reader.position < bytes.count, bytes[reader.position] == UInt8(ascii: "\"") else { return nil }
        let start = reader.position + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { break }
            // Plain is 0x20 to 0x7F (one unsigned comparison), and no backslash.
            guard byte &- 0x20 < 0x60, byte != UInt8(ascii: "\\") else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        reader.position = end + 1
        reader.skipWhitespace()
        guard reader.current == UInt8(ascii: ":") else { return nil }
        reader.position += 1
        reader.skipWhitespace()
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// The value at the current position, as `JSONParser` reads it; nil when it is not JSON.
    package mutating func value() -> JSONValue? {
        reader.skipWhitespace()
        return reader.value()
    }

    /// Steps over the value at the current position; false when it is not JSON `JSONParser`
    /// accepts. A string, the commonest value skipped, is checked without making a `String`;
    /// anything else is read as `value()` reads it.
    package mutating func skipValue() -> Bool {
        reader.skipWhitespace()
        guard let byte = reader.current else { return false }
        switch byte {
        case UInt8(ascii: "\""): return reader.skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return reader.skipNumber()
        default: return reader.value() != nil
        }
    }

    /// A string or null at the current position, read; `.other` for anything else, after which
    /// the position is unspecified and the walk should stop.
    package mutating func textOrNull() -> TextOrNull {
        reader.skipWhitespace()
        switch reader.current {
        case UInt8(ascii: "\""):
            guard case .string(let text)? = reader.value() else { return .other }
            return .text(text)
        case UInt8(ascii: "n"):
            guard case .null? = reader.value() else { return .other }
            return .null
        default:
            return .other
        }
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0
    /// Reused for strings with escapes.
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    fileprivate var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    /// Where the plain run of a string starting at `start` ends: the first `"`, `\\` or control
    /// character from there (or the end of the bytes), found eight bytes at a time with
    /// `EscapeMask` — the strings of a stream chunk (ids, names, text) are read or stepped over
    /// for every event.
    fileprivate func plainRunEnd(from start: Int) -> Int {
        var index = start
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                let mask = EscapeMask(UnsafeRawPointer(base + index)).all
                if mask != 0 { return index + mask.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            index += 1
        }
        return index
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func value() -> JSONValue? {
        guard let byte = current else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return nil }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where bytes[position + offset] != expected[offset] {
            return nil
        }
        position += count
        return value
    }

    private mutating func object() -> JSONValue? {
        guard depth < JSONParser.maximumDepth else { return nil }
        depth += 1
        defer { depth -= 1 }
        position += 1
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { return nil }
            position += 1
            skipWhitespace()
            guard let element = value() else { return nil }
            fields[key] = element
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(fields)
            default: return nil
            }
        }
    }

    private mutating func array() -> JSONValue? {
        guard depth < JSONParser.maximumDepth else { return nil }
        depth += 1
        defer { depth -= 1 }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            guard let element = value() else { return nil }
            elements.append(element)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: return nil
            }
        }
    }

    /// Reads a string starting at its opening quote.
    private mutating func string() -> String? {
        position += 1
        let start = position
        // Fast path: no escapes, decode the slice directly.
        position = plainRunEnd(from: start)
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            position += 1
            return text
        case UInt8(ascii: "\\"): break
        default: return nil
        }

        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard let escaped = current else { return nil }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    UTF8.encode(scalar) { scratch.append($0) }
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                scratch.append(byte)
                position += 1
            }
        }
        return nil
    }

    /// Steps over a string starting at its opening quote, accepting exactly what `string()`
    /// accepts: no control byte, every escape one of JSON's, four hex digits after each `\u`
    /// (a surrogate escape that is not part of a pair is repaired there, never refused).
    mutating func skipString() -> Bool {
        // The plain run first: most strings skipped have no escape.
        let index = plainRunEnd(from: position + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            position = index + 1
            return true
        }
        position = index
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return true
            case UInt8(ascii: "\\"):
                guard let escaped = current else { return false }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard hex4() != nil else { return false }
                default:
                    return false
                }
            case 0..<0x20:
                return false
            default:
                continue
            }
        }
        return false
    }

    /// Steps over a number, accepting exactly what `number()` accepts. An integer of at most 18
    /// digits always fits `Int64`, so it needs no value; anything else is read by `number()`.
    mutating func skipNumber() -> Bool {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { return false }
        position += 1
        var digits = 1
        if first != UInt8(ascii: "0") {
            while let byte = current, isDigit(byte) {
                position += 1
                digits += 1
            }
        }
        if digits <= 18, current != UInt8(ascii: "."), current != UInt8(ascii: "e"), current != UInt8(ascii: "E") {
            return true
        }
        position = start
        return number() != nil
    }

    /// Reads the hex digits after `\u` (and a following low surrogate escape, if any).
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let unit = hex4() else { return nil }
        if (0xD800...0xDBFF).contains(unit) {
            // A high surrogate is only whole with a `\uDC00`–`\uDFFF` right after it.
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            {
                let save = position
                position += 2
                if let low = hex4(), (0xDC00...0xDFFF).contains(low) {
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                }
                position = save
            }
            return Unicode.Scalar(0xFFFD)
        }
        return Unicode.Scalar(unit) ?? Unicode.Scalar(0xFFFD)
    }

    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = EscapedText.hexValue(bytes[position]) else { return nil }
            unit = unit << 4 | digit
            position += 1
        }
        return unit
    }

    private mutating func number() -> JSONValue? {
        let start = position
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        guard let first = current, isDigit(first) else { return nil }
        position += 1
        if first != UInt8(ascii: "0") {
            while let byte = current, isDigit(byte) { position += 1 }
        }
        var integral = true
        if current == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard let byte = current, isDigit(byte) else { return nil }
            while let byte = current, isDigit(byte) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let byte = current, isDigit(byte) else { return nil }
            while let byte = current, isDigit(byte) { position += 1 }
        }
        let literal = UnsafeBufferPointer(rebasing: bytes[start..<position])
        if integral, let integer = int64(literal, negative: negative) {
            return .int(integer)
        }
        guard let double = Double(String(decoding: literal, as: UTF8.self)), double.isFinite else { return nil }
        return .double(double)
    }

    /// The integer value of a validated integer literal, nil when it does not fit `Int64`.
    private func int64(_ literal: UnsafeBufferPointer<UInt8>, negative: Bool) -> Int64? {
        var value: Int64 = 0
        for byte in literal.dropFirst(negative ? 1 : 0) {
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatively so Int64.min fits.
            let (next, overflowB) = shifted.subtractingReportingOverflow(digit)
            if overflowA || overflowB { return nil }
            value = next
        }
        if negative { return value }
        let (positive, overflow) = (0 as Int64).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
