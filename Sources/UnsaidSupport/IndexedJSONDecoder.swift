import Foundation
import Synchronization

/// Reads `Decodable` values from JSON bytes through a flat index of the document's tokens: the
/// fast path of `CanonicalJSON.decode`, which every archive reader (`rescore`, `verify`, resume,
/// reports) goes through for every record.
///
/// Why it exists: Foundation's `JSONDecoder` builds a `[String: value]` dictionary for every object
/// it opens and a coding path for every value. A streamed answer's record holds a few hundred
/// small event objects, and decoding them took two thirds of `rescore`'s time. Here one pass
/// indexes the document (containers know where their subtree ends, strings and numbers where
/// their bytes are), and a keyed container finds a key by comparing bytes over its few fields.
///
/// It never decides on its own what a document means. Wherever it cannot be sure to read a value
/// exactly as `JSONDecoder` does, it gives up and `decode` returns nil, and the caller decodes with
/// `JSONDecoder`:
/// - a document that is not strict RFC 8259 UTF-8 (`JSONDecoder` is more lenient: trailing commas,
///   a byte order mark, UTF-16), or nested deeper than `JSONParser.maximumDepth`;
/// - an object whose keys have escapes or non-ASCII characters (`JSONDecoder` compares keys as
///   Swift strings, under canonical equivalence), and repeated keys when all keys are listed;
/// - a lone UTF-16 surrogate in a `\u` escape;
/// - a number it would convert differently: a fraction or exponent requested as an integer when
///   its value is whole, an integer that does not fit, a `Double` that overflows or underflows,
///   any `Float`;
/// - `Date`, `Data`, `URL` and `Decimal`, which `JSONDecoder` decodes its own way, and super
///   decoders.
/// Such a give-up sticks even when a type swallows the error (`try?`), so a value is returned
/// only if nothing along the way was in doubt. Errors are left to `JSONDecoder` too: when decoding
/// fails here, `JSONDecoder` runs and throws its own error, so messages read as before.
/// `IndexedJSONDecoderTests` compares both decoders over every JSON document in the repository,
/// over archive records, and over mutations of them.
package enum IndexedJSONDecoder {
    /// The decoded value, or nil when `JSONDecoder` must decide (see above).
    package static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) -> T? {
        data.withContiguousStorageIfAvailable { decode(type, from: $0, userInfo: userInfo) } ?? nil
    }

    static func decode<T: Decodable>(
        _ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>, userInfo: [CodingUserInfoKey: any Sendable]
    ) -> T? {
        // `build` checks the UTF-8 of every string with non-ASCII bytes, which covers the document.
        guard let tokens = TokenIndex.build(bytes) else { return nil }
        let document = IndexedDocument(bytes: bytes, tokens: tokens, userInfo: userInfo)
        guard let value = try? document.decode(type, at: 0), !document.gaveUp else { return nil }
        return value
    }

    /// The value of a text read as a `CompactJSONDocument`, its long strings read from `source`
    /// when a value asks for them: the same value `decode(_:from:userInfo:)` gives for the whole
    /// text, or nil when that one would decline, or when a long string is a key or cannot be read
    /// (the caller then decodes the whole text, which decides as before).
    package static func decode<T: Decodable>(
        _ type: T.Type, from compact: CompactJSONDocument, reading source: any ExternalStringSource,
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) -> T? {
        compact.bytes.withUnsafeBufferPointer { bytes -> T? in
            guard var tokens = TokenIndex.build(bytes) else { return nil }
            // Each long string is the string token whose (empty) body is where it was left out;
            // both lists are in text order.
            var next = 0
            for index in tokens.indices where next < compact.strings.count && tokens[index].kind == .string {
                let string = compact.strings[next]
                guard tokens[index].start == string.compactPosition else { continue }
                tokens[index].flags = string.flags | JSONToken.isExternal
                tokens[index].count = next
                next += 1
            }
            guard next == compact.strings.count else { return nil }
            let document = IndexedDocument(
                bytes: bytes, tokens: tokens, userInfo: userInfo,
                external: (strings: compact.strings, source: source))
            guard let value = try? document.decode(type, at: 0), !document.gaveUp else { return nil }
            return value
        }
    }
}

/// One JSON value in the index.
struct JSONToken {
    enum Kind: UInt8 {
        case object, array, string, number, trueLiteral, falseLiteral, null
    }

    var kind: Kind
    /// Strings: `hasEscapes`, `hasNonASCII`, `isExternal`. Numbers: `isIntegerLiteral`.
    var flags: UInt8
    /// Elements of an array, fields of an object; for a string with `isExternal`, its index in the
    /// document's external strings.
    var count: Int
    /// Strings: the first byte after the opening quote. Numbers: the first byte.
    var start: Int
    /// Strings: the closing quote. Numbers: one past the last byte. Containers: the index of the
    /// token that follows the container's whole subtree.
    var end: Int

    static let hasEscapes: UInt8 = 1
    static let hasNonASCII: UInt8 = 2
    static let isIntegerLiteral: UInt8 = 4
    /// A string whose body was left in the file (`CompactJSONDocument`): its token is empty.
    static let isExternal: UInt8 = 8

    /// The index of the token after this value (and everything inside it), given its own index.
    func next(after index: Int) -> Int {
        kind == .object || kind == .array ? end : index + 1
    }
}

/// Builds the token index in one pass, accepting strict RFC 8259 only.
struct TokenIndex {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    private var tokens: [JSONToken] = []

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // About one token per 16 bytes of a record, but never reserved past 64 Ki tokens (2 MiB):
        // a 50 MB record of long strings has few tokens, and reserving by its size held 100 MB.
        tokens.reserveCapacity(min(bytes.count / 16, 1 << 16))
    }

    /// The tokens of one JSON text (surrounding whitespace allowed), nil when it is not one or
    /// is not well-formed UTF-8.
    static func build(_ bytes: UnsafeBufferPointer<UInt8>) -> [JSONToken]? {
        var index = TokenIndex(bytes: bytes)
        index.skipWhitespace()
        guard index.value() else { return nil }
        index.skipWhitespace()
        return index.position == bytes.count ? index.tokens : nil
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func value() -> Bool {
        guard let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "{"): return container(.object, closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["): return container(.array, closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true", .trueLiteral)
        case UInt8(ascii: "f"): return literal("false", .falseLiteral)
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONToken.Kind) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where bytes[position + offset] != expected[offset] {
            return false
        }
        tokens.append(JSONToken(kind: kind, flags: 0, count: 0, start: position, end: position + count))
        position += count
        return true
    }

    private mutating func container(_ kind: JSONToken.Kind, closing: UInt8) -> Bool {
        guard depth < JSONParser.maximumDepth else { return false }
        depth += 1
        defer { depth -= 1 }
        let index = tokens.count
        tokens.append(JSONToken(kind: kind, flags: 0, count: 0, start: position, end: 0))
        position += 1
        skipWhitespace()
        var count = 0
        if current == closing {
            position += 1
        } else {
            while true {
                skipWhitespace()
                if kind == .object {
                    guard current == UInt8(ascii: "\""), string() else { return false }
                    skipWhitespace()
                    guard current == UInt8(ascii: ":") else { return false }
                    position += 1
                    skipWhitespace()
                }
                guard value() else { return false }
                count += 1
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                } else if current == closing {
                    position += 1
                    break
                } else {
                    return false
                }
            }
        }
        tokens[index].count = count
        tokens[index].end = tokens.count
        return true
    }

    private mutating func string() -> Bool {
        position += 1
        let start = position
        var flags: UInt8 = 0
        if let base = bytes.baseAddress {
            // Blocks while they fit, then words, then the last few bytes one at a time.
            var scan = scanBlocks(from: UnsafeRawPointer(base), flags: &flags)
            if case .fewerThanEightLeft = scan { scan = scanWords(from: UnsafeRawPointer(base), flags: &flags) }
            switch scan {
            case .closed(let quote): return closeString(start: start, quote: quote, flags: flags)
            case .invalid: return false
            case .fewerThanEightLeft: break
            }
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { return closeString(start: start, quote: position, flags: flags) }
            if byte == UInt8(ascii: "\\") {
                flags |= JSONToken.hasEscapes
                guard let next = endOfEscape(at: position) else { return false }
                position = next
                continue
            }
            if byte < 0x20 { return false }
            if byte >= 0x80 { flags |= JSONToken.hasNonASCII }
            position += 1
        }
        return false
    }

    /// Appends the string token that ends at `quote`. A string with bytes of 0x80 and above must
    /// be well-formed UTF-8 there: outside strings the index admits ASCII only, and ASCII cuts
    /// any multi-byte sequence short, so a document whose strings pass is well-formed throughout
    /// (`JSONDecoder` refuses one that is not, and so does the index). Checking only such strings
    /// spares a pass over every byte of a line that was nearly all ASCII.
    @inline(__always)
    private mutating func closeString(start: Int, quote: Int, flags: UInt8) -> Bool {
        if flags & JSONToken.hasNonASCII != 0,
            UTF8Validation.firstInvalidOffset(in: UnsafeBufferPointer(rebasing: bytes[start..<quote])) != nil
        {
            return false
        }
        tokens.append(JSONToken(kind: .string, flags: flags, count: 0, start: start, end: quote))
        position = quote + 1
        return true
    }

    private enum WordScan {
        /// The closing quote is at this offset.
        case closed(Int)
        case invalid
        /// The string goes on past the last whole block or word; `position` is where it was left.
        case fewerThanEightLeft
    }

    /// Scans a string's bytes from `position` a block at a time: one of 16 bytes first (most
    /// strings are keys and short values, which it holds whole), then 64 at a time. Each block's
    /// escaped bytes come from its backslashes (`EscapeScanner`), so its closing quote is the
    /// first unescaped `"`, and only escapes other than `\"` and `\\` (rare: `\n` twice an event
    /// in a stream chunk) are looked at one by one. Leaves `position` at a byte that is not
    /// escaped, where the word scan can go on.
    @inline(__always)
    private mutating func scanBlocks(from base: UnsafeRawPointer, flags: inout UInt8) -> WordScan {
        var escapes = EscapeScanner()
        var width = 16
        while position + width <= bytes.count {
            let masks =
                width == 16 ? StringBlockMasks.sixteen(base + position) : StringBlockMasks.sixtyFour(base + position)
            // Masks have no bits past the block, except `escaped` (see `EscapeScanner`).
            let escaped = escapes.escaped(backslash: masks.backslash, width: width)
            let closing = masks.quote & ~escaped
            // The bytes before the closing quote, or the whole block when it has none.
            let inString: UInt64 = closing != 0 ? (closing & (0 &- closing)) &- 1 : width == 64 ? ~0 : 0xFFFF
            if masks.control & inString != 0 { return .invalid }
            if masks.backslash & inString != 0 { flags |= JSONToken.hasEscapes }
            if masks.nonASCII & inString != 0 { flags |= JSONToken.hasNonASCII }
            var letters = escaped & inString & ~(masks.quote | masks.backslash)
            while letters != 0 {
                // The backslash is the byte before (in the block before, for the block's first byte).
                guard endOfEscape(at: position + letters.trailingZeroBitCount - 1) != nil else { return .invalid }
                letters &= letters &- 1
            }
            if closing != 0 { return .closed(position + closing.trailingZeroBitCount) }
            position += width
            width = 64
        }
        // An escaped first byte is read again from its backslash, which the word scan expects.
        position -= Int(escapes.carry)
        return .fewerThanEightLeft
    }

    /// Scans a string's bytes from `position` eight at a time. Archived chunks are long strings of
    /// escaped JSON — a backslash every few bytes — so every flagged byte of a word is handled from
    /// the word's masks (`EscapeMask`) instead of loading the word again after each escape.
    @inline(__always)
    private mutating func scanWords(from base: UnsafeRawPointer, flags: inout UInt8) -> WordScan {
        while position + 8 <= bytes.count {
            let mask = EscapeMask(base + position)
            var special = mask.all
            while special != 0 {
                let bit = special.trailingZeroBitCount
                let offset = position + bit / 8
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    // Only the bytes before the quote belong to the string.
                    if mask.nonASCII & ((1 &<< UInt64(bit)) &- 1) != 0 { flags |= JSONToken.hasNonASCII }
                    return .closed(offset)
                }
                guard byte == UInt8(ascii: "\\"), let next = endOfEscape(at: offset) else { return .invalid }
                flags |= JSONToken.hasEscapes
                let consumed = next - position
                if consumed >= 8 {
                    // The escape ran into the next word: everything before it was the string's.
                    if mask.nonASCII != 0 { flags |= JSONToken.hasNonASCII }
                    position = next
                    break
                }
                // The escape's own bytes may be flagged (`\"`, `\\`): drop every flag before `next`.
                special &= ~((1 &<< UInt64(consumed &* 8)) &- 1)
                if special == 0 {
                    if mask.nonASCII != 0 { flags |= JSONToken.hasNonASCII }
                    position += 8
                }
            }
            if special == 0, mask.all == 0 {
                if mask.nonASCII != 0 { flags |= JSONToken.hasNonASCII }
                position += 8
            }
        }
        return .fewerThanEightLeft
    }

    /// The offset after the escape whose backslash is at `backslash`, nil when it is not one JSON allows.
    @inline(__always)
    private func endOfEscape(at backslash: Int) -> Int? {
        let escaped = backslash + 1
        guard escaped < bytes.count else { return nil }
        let letter = bytes[escaped]
        if Self.isSingleLetterEscape(letter) { return escaped + 1 }
        guard letter == UInt8(ascii: "u"), escaped + 4 < bytes.count else { return nil }
        for offset in 1...4 where EscapedText.hexValue(bytes[escaped + offset]) == nil {
            return nil
        }
        return escaped + 5
    }

    /// `"`, `\\`, `/`, `b`, `f`, `n`, `r` or `t`, looked up in a 128-bit set: chunks mix `\"` and `\n`
    /// at random, and a `switch` here compiled to a jump table whose mispredictions were most of
    /// what scanning them cost.
    @inline(__always)
    private static func isSingleLetterEscape(_ letter: UInt8) -> Bool {
        let below64: UInt64 = 1 << 34 | 1 << 47  // `"`, `/`
        let from64: UInt64 =
            1 << (92 - 64) | 1 << (98 - 64) | 1 << (102 - 64) | 1 << (110 - 64) | 1 << (114 - 64)
            | 1 << (116 - 64)  // `\\`, b, f, n, r, t
        let set = letter < 64 ? below64 : from64
        return letter < 128 && (set &>> UInt64(letter & 63)) & 1 != 0
    }

    private mutating func number() -> Bool {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, Self.isDigit(first) else { return false }
        position += 1
        if first != UInt8(ascii: "0") {
            while let byte = current, Self.isDigit(byte) { position += 1 }
        }
        var flags = JSONToken.isIntegerLiteral
        if current == UInt8(ascii: ".") {
            flags = 0
            position += 1
            guard let byte = current, Self.isDigit(byte) else { return false }
            while let byte = current, Self.isDigit(byte) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            flags = 0
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let byte = current, Self.isDigit(byte) else { return false }
            while let byte = current, Self.isDigit(byte) { position += 1 }
        }
        tokens.append(JSONToken(kind: .number, flags: flags, count: 0, start: start, end: position))
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

/// Turns the bytes of an escaped JSON string into its text.
enum EscapedText {
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The unescaped bytes of a validated string body, nil for a lone surrogate (which
    /// `JSONDecoder` must judge).
    static func unescape(_ body: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> Bool {
        output.removeAll(keepingCapacity: true)
        var position = 0
        while position < body.count {
            let byte = body[position]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                position += 1
                continue
            }
            let escaped = body[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard let scalar = unicodeEscape(body, at: &position) else { return false }
                UTF8.encode(scalar) { output.append($0) }
            default: output.append(escaped)  // `"`, `\`, `/`: the index admitted no other
            }
        }
        return true
    }

    /// `unescape` of a long string's body read a block at a time: unescapes `input` into
    /// `output` from `written` on and returns how many bytes of `input` it took, all of them but an
    /// escape that may go on in the next block (none when `final`); nil for a lone surrogate or
    /// output beyond `output` (neither in a body the reader checked, bar the surrogate).
    static func unescape(
        _ input: UnsafeBufferPointer<UInt8>, final: Bool, into output: UnsafeMutableBufferPointer<UInt8>,
        at written: inout Int
    ) -> Int? {
        var position = 0
        while position < input.count {
            let byte = input[position]
            guard byte == UInt8(ascii: "\\") else {
                // A run of plain bytes, copied at once.
                guard let source = input.baseAddress, let target = output.baseAddress else { return nil }
                let end =
                    memchr(source + position, 0x5C, input.count - position).map {
                        source.distance(to: $0.assumingMemoryBound(to: UInt8.self))
                    } ?? input.count
                let count = end - position
                guard written + count <= output.count else { return nil }
                (target + written).update(from: source + position, count: count)
                written += count
                position = end
                continue
            }
            // The longest escape is a surrogate pair, twelve bytes.
            if !final, input.count - position < 12 { return position }
            guard position + 1 < input.count else { return nil }
            let escaped = input[position + 1]
            position += 2
            let scalar: Unicode.Scalar
            switch escaped {
            case UInt8(ascii: "b"): scalar = "\u{08}"
            case UInt8(ascii: "f"): scalar = "\u{0C}"
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "t"): scalar = "\t"
            case UInt8(ascii: "u"):
                guard position + 4 <= input.count, let decoded = unicodeEscape(input, at: &position) else { return nil }
                scalar = decoded
            default:
                scalar = Unicode.Scalar(escaped)  // `"`, `\`, `/`: the reader admitted no other
            }
            guard written + UTF8.width(scalar) <= output.count else { return nil }
            UTF8.encode(scalar) { unit in
                output[written] = unit
                written += 1
            }
        }
        return position
    }

    /// The scalar of a `\u` escape whose four hex digits start at `position` (with the `\uXXXX`
    /// of its low surrogate after a high one), `position` moved past them; nil for a lone or
    /// broken surrogate.
    private static func unicodeEscape(_ bytes: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Unicode.Scalar? {
        let unit = hex4(bytes, at: position)
        position += 4
        var scalarValue = unit
        if (0xD800...0xDBFF).contains(unit) {
            guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else { return nil }
            let low = hex4(bytes, at: position + 2)
            guard (0xDC00...0xDFFF).contains(low) else { return nil }
            position += 6
            scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        }
        return Unicode.Scalar(scalarValue)
    }

    private static func hex4(_ body: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 4 | (hexValue(body[position + $1]) ?? 0) }
    }
}

/// A value the index cannot supply: the type does not match, or a give-up (see
/// `IndexedJSONDecoder`). Never seen outside: a failed decode is re-run by `JSONDecoder`.
struct IndexedDecodingFailure: Error {}

/// The indexed document and the decoding state shared by every container over it.
package final class IndexedDocument {
    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: [JSONToken]
    let userInfo: [CodingUserInfoKey: Any]
    /// Set by anything that `JSONDecoder` might read differently; the result is then discarded.
    private(set) var gaveUp = false
    private var scratch: [UInt8] = []
    /// How the last type decoded by `decode(_:at:)` is read, so an array of one type (a record
    /// holds hundreds of events) does not even look in `routes`.
    private var lastRoute: (type: ObjectIdentifier, route: Route)?

    // Unchecked: the only payload is a metatype, which is immutable and never isolated.
    private enum Route: @unchecked Sendable {
        case primitive(Primitive)
        case viaJSONDecoder
        case fields(any IndexedFieldDecodable.Type)
        case arrayOfFields(any IndexedFieldArray.Type)
        case decodable
    }

    /// How each type is read, worked out once per process: asking the runtime whether a type
    /// conforms to `IndexedFieldDecodable` cost more than reading a small value, and a record
    /// decodes dozens of values of a dozen types.
    private static let routes = Mutex<[ObjectIdentifier: Route]>([:])

    /// The long strings of a `CompactJSONDocument` and where to read them; nil for a whole text.
    private let external: (strings: [ExternalString], source: any ExternalStringSource)?

    init(
        bytes: UnsafeBufferPointer<UInt8>, tokens: [JSONToken], userInfo: [CodingUserInfoKey: any Sendable],
        external: (strings: [ExternalString], source: any ExternalStringSource)? = nil
    ) {
        self.bytes = bytes
        self.tokens = tokens
        self.userInfo = userInfo
        self.external = external
    }

    func giveUp() -> IndexedDecodingFailure {
        gaveUp = true
        return IndexedDecodingFailure()
    }

    func isNull(_ token: Int) -> Bool { tokens[token].kind == .null }

    func bool(at token: Int) throws -> Bool {
        switch tokens[token].kind {
        case .trueLiteral: return true
        case .falseLiteral: return false
        default: throw IndexedDecodingFailure()
        }
    }

    func string(at token: Int) throws -> String {
        let value = tokens[token]
        guard value.kind == .string else { throw IndexedDecodingFailure() }
        if value.flags & JSONToken.isExternal != 0 { return try externalString(value) }
        let body = UnsafeBufferPointer(rebasing: bytes[value.start..<value.end])
        guard value.flags & JSONToken.hasEscapes != 0 else { return String(decoding: body, as: UTF8.self) }
        guard EscapedText.unescape(body, into: &scratch) else { throw giveUp() }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// A long string's text, read from the file a block at a time straight into the string's own
    /// storage: reserved at the escaped length, which unescaping never exceeds, so the text is
    /// never held twice (a 16 MB answer read into a buffer, then copied into a string, was).
    private func externalString(_ value: JSONToken) throws -> String {
        guard let external, value.count < external.strings.count else { throw giveUp() }
        let string = external.strings[value.count]
        guard string.length > 0 else { return "" }
        if value.flags & JSONToken.hasEscapes == 0 {
            return try String(unsafeUninitializedCapacity: string.length) { output in
                guard external.source.read(at: string.offset, into: UnsafeMutableRawBufferPointer(output)) else {
                    throw giveUp()
                }
                return string.length
            }
        }
        var block = [UInt8](repeating: 0, count: min(string.length, Self.externalBlock))
        return try String(unsafeUninitializedCapacity: string.length) { output in
            var read = 0
            var written = 0
            // Bytes of an escape cut by the block's end are read again at the next block's start.
            var kept = 0
            while read < string.length {
                let count = min(block.count - kept, string.length - read)
                let filled = block.withUnsafeMutableBytes { raw in
                    external.source.read(
                        at: string.offset + read,
                        into: UnsafeMutableRawBufferPointer(rebasing: raw[kept..<kept + count]))
                }
                guard filled else { throw giveUp() }
                read += count
                let available = kept + count
                let consumed = try block.withUnsafeBufferPointer { input in
                    guard
                        let consumed = EscapedText.unescape(
                            UnsafeBufferPointer(rebasing: input[..<available]), final: read == string.length,
                            into: output, at: &written)
                    else { throw giveUp() }
                    return consumed
                }
                kept = available - consumed
                if kept > 0 {
                    block.withUnsafeMutableBufferPointer { buffer in
                        guard let base = buffer.baseAddress else { return }
                        base.update(from: base + consumed, count: kept)
                    }
                }
            }
            guard kept == 0 else { throw giveUp() }
            return written
        }
    }

    /// Bytes of a long escaped string read at a time.
    private static let externalBlock = 1 << 16

    /// The raw bytes of a key, nil when it has escapes or non-ASCII characters (see the type's
    /// note), or was left in the file.
    func plainKey(at token: Int) -> UnsafeBufferPointer<UInt8>? {
        let key = tokens[token]
        guard key.flags & (JSONToken.hasEscapes | JSONToken.hasNonASCII | JSONToken.isExternal) == 0 else {
            return nil
        }
        return UnsafeBufferPointer(rebasing: bytes[key.start..<key.end])
    }

    func integer<T: FixedWidthInteger>(at token: Int, as type: T.Type) throws -> T {
        let value = tokens[token]
        guard value.kind == .number else { throw IndexedDecodingFailure() }
        guard value.flags & JSONToken.isIntegerLiteral != 0 else {
            // `JSONDecoder` accepts a fraction or exponent with a whole value (through `Double`
            // or `Decimal`); a value that is not whole it refuses, as here.
            guard let double = Double(numberText(value)), double.isFinite, double.rounded(.towardZero) != double
            else { throw giveUp() }
            throw IndexedDecodingFailure()
        }
        var position = value.start
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative {
            guard T.isSigned else { throw giveUp() }
            position += 1
        }
        var result: T = 0
        while position < value.end {
            let digit = T(bytes[position] &- UInt8(ascii: "0"))
            let (shifted, overflowA) = result.multipliedReportingOverflow(by: 10)
            // Negative numbers accumulate downwards, so that `T.min` fits.
            let (next, overflowB) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else { throw giveUp() }
            result = next
            position += 1
        }
        return result
    }

    func double(at token: Int) throws -> Double {
        let value = tokens[token]
        guard value.kind == .number else { throw IndexedDecodingFailure() }
        // Both this and `JSONDecoder` round with the C library's `strtod`; an overflow, and an
        // underflow to zero, `JSONDecoder` refuses with its own message.
        guard let double = Double(numberText(value)), double.isFinite, double != 0 || isZeroLiteral(value) else {
            throw giveUp()
        }
        return double
    }

    /// What `JSONValue.init(from:)` reads through this decoder, built straight from the index
    /// instead of by trying each type in turn (every miss a thrown error): an annotation-heavy
    /// stream has one `JSONValue` per event. The rules are that initialiser's over `JSONDecoder`:
    /// an integer that fits `Int64` is `.int`; a fraction or exponent whose value is not whole is
    /// `.double`; a whole one, and an integer beyond `Int64`, make the decoder give up (as
    /// `integer(at:)` does on the same number).
    func jsonValue(at token: Int) throws -> JSONValue {
        let value = tokens[token]
        switch value.kind {
        case .null: return .null
        case .trueLiteral: return .bool(true)
        case .falseLiteral: return .bool(false)
        case .string: return .string(try string(at: token))
        case .number:
            if value.flags & JSONToken.isIntegerLiteral != 0 { return .int(try integer(at: token, as: Int64.self)) }
            guard let double = Double(numberText(value)), double.isFinite, double.rounded(.towardZero) != double
            else { throw giveUp() }
            return .double(double)
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(value.count)
            var element = token + 1
            for _ in 0..<value.count {
                elements.append(try jsonValue(at: element))
                element = tokens[element].next(after: element)
            }
            return .array(elements)
        case .object:
            var fields: [String: JSONValue] = [:]
            fields.reserveCapacity(value.count)
            var key = token + 1
            for _ in 0..<value.count {
                // Keys as a dictionary decoder lists them: plain ones only, each once.
                guard let name = plainKey(at: key) else { throw giveUp() }
                let text = String(decoding: name, as: UTF8.self)
                guard fields.updateValue(try jsonValue(at: key + 1), forKey: text) == nil else { throw giveUp() }
                key = tokens[key + 1].next(after: key + 1)
            }
            return .object(fields)
        }
    }

    private func numberText(_ value: JSONToken) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[value.start..<value.end]), as: UTF8.self)
    }

    /// Whether the digits before any exponent are all zeros.
    private func isZeroLiteral(_ value: JSONToken) -> Bool {
        for byte in bytes[value.start..<value.end] {
            switch byte {
            case UInt8(ascii: "1")...UInt8(ascii: "9"): return false
            case UInt8(ascii: "e"), UInt8(ascii: "E"): return true
            default: continue
            }
        }
        return true
    }

    func decode<T: Decodable>(_ type: T.Type, at token: Int) throws -> T {
        let route: Route
        let identifier = ObjectIdentifier(type)
        if let last = lastRoute, last.type == identifier {
            route = last.route
        } else {
            route = Self.routes.withLock { routes in
                if let known = routes[identifier] { return known }
                let found = Self.route(type)
                routes[identifier] = found
                return found
            }
            lastRoute = (identifier, route)
        }
        switch route {
        case .primitive(let primitive):
            // The common leaf types straight from the index, without a decoder per value.
            guard let value = try read(primitive, at: token) as? T else { throw giveUp() }
            return value
        case .viaJSONDecoder:
            throw giveUp()
        case .fields(let fieldType):
            var fields = try IndexedFields(document: self, object: token)
            guard let value = try fieldType.init(fields: &fields) as? T else { throw giveUp() }
            return value
        case .arrayOfFields(let arrayType):
            guard let value = try arrayType.init(document: self, array: token) as? T else { throw giveUp() }
            return value
        case .decodable:
            return try T(from: IndexedValueDecoder(document: self, token: token))
        }
    }

    private static func route<T: Decodable>(_ type: T.Type) -> Route {
        if let primitive = Primitive(type) { return .primitive(primitive) }
        // `JSONDecoder` reads these its own way (strategies, base64, URL parsing).
        if type == Date.self || type == Data.self || type == URL.self || type == Decimal.self {
            return .viaJSONDecoder
        }
        if let fieldType = type as? any IndexedFieldDecodable.Type { return .fields(fieldType) }
        if let arrayType = type as? any IndexedFieldArray.Type { return .arrayOfFields(arrayType) }
        return .decodable
    }

    /// The leaf types read straight from the index.
    private enum Primitive {
        case jsonValue, string, int, int64, bool, double

        init?<T>(_ type: T.Type) {
            switch type {
            case is JSONValue.Type: self = .jsonValue
            case is String.Type: self = .string
            case is Int.Type: self = .int
            case is Int64.Type: self = .int64
            case is Bool.Type: self = .bool
            case is Double.Type: self = .double
            default: return nil
            }
        }
    }

    private func read(_ primitive: Primitive, at token: Int) throws -> Any {
        switch primitive {
        case .jsonValue: return try jsonValue(at: token)
        case .string: return try string(at: token)
        case .int: return try integer(at: token, as: Int.self)
        case .int64: return try integer(at: token, as: Int64.self)
        case .bool: return try bool(at: token)
        case .double: return try double(at: token)
        }
    }
}

/// The `Decoder` for one value of the index.
struct IndexedValueDecoder: Decoder, SingleValueDecodingContainer {
    let document: IndexedDocument
    let token: Int

    // Only error messages read coding paths here, and errors are `JSONDecoder`'s to report.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { document.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try IndexedObjectContainer<Key>(document: document, object: token))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try IndexedArrayContainer(document: document, array: token)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { document.isNull(token) }
    func decode(_ type: Bool.Type) throws -> Bool { try document.bool(at: token) }
    func decode(_ type: String.Type) throws -> String { try document.string(at: token) }
    func decode(_ type: Double.Type) throws -> Double { try document.double(at: token) }
    func decode(_ type: Float.Type) throws -> Float { throw document.giveUp() }
    func decode(_ type: Int.Type) throws -> Int { try document.integer(at: token, as: type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try document.integer(at: token, as: type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try document.integer(at: token, as: type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try document.integer(at: token, as: type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(at: token, as: type) }
    func decode(_ type: UInt.Type) throws -> UInt { try document.integer(at: token, as: type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try document.integer(at: token, as: type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try document.integer(at: token, as: type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try document.integer(at: token, as: type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try document.integer(at: token, as: type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.decode(type, at: token) }
}

/// An object of the index, read as a keyed container.
struct IndexedObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: IndexedDocument
    let object: Int

    init(document: IndexedDocument, object: Int) throws {
        guard document.tokens[object].kind == .object else { throw IndexedDecodingFailure() }
        self.document = document
        self.object = object
        // Keys are matched byte for byte; `JSONDecoder` matches them as Swift strings, which can
        // differ only for keys with escapes or non-ASCII characters.
        var token = object + 1
        for _ in 0..<document.tokens[object].count {
            guard document.plainKey(at: token) != nil else { throw document.giveUp() }
            token = document.tokens[token + 1].next(after: token + 1)
        }
    }

    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] {
        var keys: [UnsafeBufferPointer<UInt8>] = []
        var token = object + 1
        for _ in 0..<document.tokens[object].count {
            if let key = document.plainKey(at: token) { keys.append(key) }
            token = document.tokens[token + 1].next(after: token + 1)
        }
        // `JSONDecoder` lists a repeated key once (its first value); leave that case to it.
        for (index, key) in keys.enumerated() where keys[..<index].contains(where: { $0.elementsEqual(key) }) {
            _ = document.giveUp()
            return []
        }
        return keys.compactMap { Key(stringValue: String(decoding: $0, as: UTF8.self)) }
    }

    /// The value token of the first field named `key` (the one `JSONDecoder` reads), if any.
    private func find(_ key: Key) -> Int? {
        var name = key.stringValue
        return name.withUTF8 { wanted -> Int? in
            var token = object + 1
            for _ in 0..<document.tokens[object].count {
                let field = document.tokens[token]
                if field.end - field.start == wanted.count,
                    UnsafeBufferPointer(rebasing: document.bytes[field.start..<field.end]).elementsEqual(wanted)
                {
                    return token + 1
                }
                token = document.tokens[token + 1].next(after: token + 1)
            }
            return nil
        }
    }

    private func value(_ key: Key) throws -> Int {
        guard let token = find(key) else { throw IndexedDecodingFailure() }
        return token
    }

    /// The value token, or nil when the key is absent or null (`decodeIfPresent`'s rule).
    private func presentValue(_ key: Key) -> Int? {
        guard let token = find(key), !document.isNull(token) else { return nil }
        return token
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { document.isNull(try value(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.bool(at: value(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.string(at: value(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.double(at: value(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw document.giveUp() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try document.integer(at: value(key), as: type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try document.integer(at: value(key), as: type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try document.integer(at: value(key), as: type)
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try document.integer(at: value(key), as: type)
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try document.integer(at: value(key), as: type)
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try document.integer(at: value(key), as: type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try document.integer(at: value(key), as: type)
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try document.integer(at: value(key), as: type)
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try document.integer(at: value(key), as: type)
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try document.integer(at: value(key), as: type)
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try document.decode(type, at: value(key))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try presentValue(key).map(document.bool(at:))
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try presentValue(key).map(document.string(at:))
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try presentValue(key).map(document.double(at:))
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try presentValue(key).map { try document.integer(at: $0, as: type) }
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try presentValue(key).map { try document.integer(at: $0, as: type) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try presentValue(key).map { try document.decode(type, at: $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try IndexedObjectContainer<NestedKey>(document: document, object: value(key)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try IndexedArrayContainer(document: document, array: value(key))
    }

    func superDecoder() throws -> any Decoder { throw document.giveUp() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw document.giveUp() }
}

/// An array of the index, read in order. As in `JSONDecoder`, a value that fails to decode does
/// not move the container on.
struct IndexedArrayContainer: UnkeyedDecodingContainer {
    let document: IndexedDocument
    let count: Int?
    private(set) var currentIndex = 0
    /// The token of the element at `currentIndex`.
    private var element: Int

    init(document: IndexedDocument, array: Int) throws {
        guard document.tokens[array].kind == .array else { throw IndexedDecodingFailure() }
        self.document = document
        self.count = document.tokens[array].count
        self.element = array + 1
    }

    var codingPath: [any CodingKey] { [] }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    /// Decodes the current element and moves on only if that succeeded.
    private mutating func next<T>(_ read: (IndexedDocument, Int) throws -> T) throws -> T {
        guard !isAtEnd else { throw IndexedDecodingFailure() }
        let value = try read(document, element)
        element = document.tokens[element].next(after: element)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw IndexedDecodingFailure() }
        guard document.isNull(element) else { return false }
        element += 1
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.bool(at: $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.string(at: $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.double(at: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { throw document.giveUp() }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.integer(at: $1, as: type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.integer(at: $1, as: type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.integer(at: $1, as: type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.integer(at: $1, as: type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.integer(at: $1, as: type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.integer(at: $1, as: type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.integer(at: $1, as: type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        try next { try $0.integer(at: $1, as: type) }
    }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        try next { try $0.integer(at: $1, as: type) }
    }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        try next { try $0.integer(at: $1, as: type) }
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { try $0.decode(type, at: $1) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next { KeyedDecodingContainer(try IndexedObjectContainer<NestedKey>(document: $0, object: $1)) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { try IndexedArrayContainer(document: $0, array: $1) }
    }

    mutating func superDecoder() throws -> any Decoder { throw document.giveUp() }
}

// MARK: - One pass over an object's fields

/// A type the indexed decoder can read in one pass over an object's fields, for the few types a
/// record holds hundreds of (stream events). Their `init(from:)` asks a keyed container for every
/// field it knows, present or not, and each ask is a search through the object's keys behind
/// `Codable`'s boxes; here each field present is looked at once.
///
/// `init(fields:)` must read exactly what the type's `init(from:)` reads from `JSONDecoder`:
/// unknown keys ignored, a repeated key's first value (`IndexedFields.next` skips the others),
/// `null` for an optional as absent, a missing required field an error. The record tests compare
/// the two over every fixture and over mutated records.
package protocol IndexedFieldDecodable: Decodable {
    init(fields: inout IndexedFields) throws
}

/// An array of `IndexedFieldDecodable` values (a response's events), read element by element
/// as `Array`'s `init(from:)` reads it through an unkeyed container, but into storage reserved
/// for the count the index already knows, and without looking up how to read each element and
/// casting it back from an existential: that was a tenth of reading a streamed record.
protocol IndexedFieldArray {
    init(document: IndexedDocument, array: Int) throws
}

extension Array: IndexedFieldArray where Element: IndexedFieldDecodable {
    init(document: IndexedDocument, array: Int) throws {
        var objects = try IndexedObjects(document: document, array: array)
        self.init()
        reserveCapacity(objects.count)
        while var fields = try objects.next() { append(try Element(fields: &fields)) }
    }
}

/// The objects of an array, each read through its fields: the walk `IndexedFieldArray` reads with,
/// and open to a type that reads hundreds of one concrete element type (a response's events) with
/// a direct call per element, where `IndexedFieldArray`'s generic code makes a witness call and a
/// copy of the value out of it for each. Reads exactly what `[Element]`'s `init(from:)` reads: an
/// element that is not an object (or has too many fields) stops the read, as decoding it as
/// `Element` does.
package struct IndexedObjects {
    let document: IndexedDocument
    /// How many elements the array has.
    package let count: Int
    private var element: Int
    private var remaining: Int

    init(document: IndexedDocument, array: Int) throws {
        guard document.tokens[array].kind == .array else { throw IndexedDecodingFailure() }
        self.document = document
        count = document.tokens[array].count
        remaining = count
        element = array + 1
    }

    /// The next element's fields; nil after the last.
    package mutating func next() throws -> IndexedFields? {
        guard remaining > 0 else { return nil }
        let fields = try IndexedFields(document: document, object: element)
        element = document.tokens[element].next(after: element)
        remaining -= 1
        return fields
    }
}

/// The fields of one object, in the order written, each key once (its first occurrence).
package struct IndexedFields {
    let document: IndexedDocument
    private let firstKey: Int
    private var token: Int
    private var remaining: Int
    /// The last key returned while every key so far has been in ascending order; nil otherwise.
    private var previousKey: UnsafeBufferPointer<UInt8>?

    /// Objects with more fields than this go to `JSONDecoder`: the repeated-key check below
    /// compares each key with the ones before it, which must stay cheap on hostile input.
    private static let maximumFields = 64

    init(document: IndexedDocument, object: Int) throws {
        guard document.tokens[object].kind == .object else { throw IndexedDecodingFailure() }
        guard document.tokens[object].count <= Self.maximumFields else { throw document.giveUp() }
        self.document = document
        firstKey = object + 1
        token = object + 1
        remaining = document.tokens[object].count
    }

    /// The next field whose key was not seen before; nil after the last.
    package mutating func next() throws -> IndexedField? {
        while remaining > 0 {
            let key = token
            let value = token + 1
            token = document.tokens[value].next(after: value)
            remaining -= 1
            // As in a keyed container: keys are matched by bytes, so escaped or non-ASCII ones go to
            // `JSONDecoder`.
            guard let name = document.plainKey(at: key) else { throw document.giveUp() }
            if key == firstKey || previousKey.map({ Self.isAscending($0, name) }) == true {
                // Archive records are canonical JSON, keys sorted: the first key, or one after a
                // strictly smaller one, itself after smaller ones all the way back, repeats none.
                previousKey = name
            } else {
                previousKey = nil
                if isRepeated(name, before: key) { continue }
            }
            return IndexedField(document: document, name: name, value: value)
        }
        return nil
    }

    /// Whether `earlier` sorts strictly before `later`, byte by byte (plain ASCII keys only, so this
    /// is also their order as UTF-16 code units, canonical JSON's order).
    private static func isAscending(_ earlier: UnsafeBufferPointer<UInt8>, _ later: UnsafeBufferPointer<UInt8>) -> Bool
    {
        let shared = min(earlier.count, later.count)
        var offset = 0
        while offset < shared {
            if earlier[offset] != later[offset] { return earlier[offset] < later[offset] }
            offset += 1
        }
        return earlier.count < later.count
    }

    private func isRepeated(_ name: UnsafeBufferPointer<UInt8>, before key: Int) -> Bool {
        var earlier = firstKey
        while earlier < key {
            if let other = document.plainKey(at: earlier), other.elementsEqual(name) { return true }
            earlier = document.tokens[earlier + 1].next(after: earlier + 1)
        }
        return false
    }

    /// The error for a required field that is absent, so that `JSONDecoder` reports it.
    package func missing() -> any Error { IndexedDecodingFailure() }

    /// The decoder's user info (`Decoder.userInfo`), for a type whose reading depends on it.
    package var userInfo: [CodingUserInfoKey: Any] { document.userInfo }
}

/// One field of an object in the index. Read only during the walk of the `IndexedFields` it came
/// from (inside the type's `init(fields:)`), which holds the document.
package struct IndexedField {
    /// Not retained: a strong reference cost an atomic retain and release for each field of
    /// every event (~1,300 pairs a streamed record) and is not needed while the walk holds the
    /// document (see above).
    private let unretained: Unmanaged<IndexedDocument>
    let name: UnsafeBufferPointer<UInt8>
    let value: Int

    init(document: IndexedDocument, name: UnsafeBufferPointer<UInt8>, value: Int) {
        unretained = .passUnretained(document)
        self.name = name
        self.value = value
    }

    /// Calls `body` with the document, without retaining it.
    @inline(__always)
    private func reading<Result>(_ body: (IndexedDocument) throws -> Result) rethrows -> Result {
        try unretained._withUnsafeGuaranteedRef(body)
    }

    /// Whether the key is `key`, byte for byte.
    package func `is`(_ key: StaticString) -> Bool {
        // `memcmp` rather than `elementsEqual`: a record's events ask this a few times each, and
        // the generic comparison went through iterators for every byte.
        guard key.utf8CodeUnitCount == name.count else { return false }
        guard let base = name.baseAddress else { return true }
        return memcmp(key.utf8Start, base, name.count) == 0
    }

    package var isNull: Bool { reading { $0.isNull(value) } }

    /// `decodeIfPresent`'s reading: nil for `null`.
    package func decodeIfNotNull<T: Decodable>(_ type: T.Type) throws -> T? {
        isNull ? nil : try reading { try $0.decode(type, at: value) }
    }

    // The common leaf types without going through a generic (callers in other modules get no
    // specialised copy of one).
    package func int() throws -> Int { try reading { try $0.integer(at: value, as: Int.self) } }
    package func int64() throws -> Int64 { try reading { try $0.integer(at: value, as: Int64.self) } }
    /// `decodeIfPresent(Int.self)`'s reading: nil for `null`.
    package func intIfNotNull() throws -> Int? { isNull ? nil : try int() }
    /// `decodeIfPresent(Int64.self)`'s reading: nil for `null`.
    package func int64IfNotNull() throws -> Int64? { isNull ? nil : try int64() }
    package func stringIfNotNull() throws -> String? { isNull ? nil : try reading { try $0.string(at: value) } }
    package func boolIfNotNull() throws -> Bool? { isNull ? nil : try reading { try $0.bool(at: value) } }
    /// `decodeIfPresent(Double.self)`'s reading: nil for `null`.
    package func doubleIfNotNull() throws -> Double? { isNull ? nil : try reading { try $0.double(at: value) } }
    /// `decodeIfPresent` of a string-backed enum: nil for `null`; a string that is no case is an
    /// error (as `JSONDecoder` says, which then reads the value and says so).
    package func enumIfNotNull<Value: RawRepresentable>(_ type: Value.Type) throws -> Value?
    where Value.RawValue == String {
        guard let raw = try stringIfNotNull() else { return nil }
        guard let value = Value(rawValue: raw) else { throw IndexedDecodingFailure() }
        return value
    }
    /// The elements of an array of objects, nil for `null` (see `IndexedObjects`).
    package func objectsIfNotNull() throws -> IndexedObjects? {
        isNull ? nil : try reading { try IndexedObjects(document: $0, array: value) }
    }
}
