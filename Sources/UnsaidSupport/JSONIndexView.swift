import Foundation

/// A read-only look at one JSON text through its token index (see `IndexedJSONDecoder`), for a
/// reader that wants a few fields of a small document many times over: the chat-chunk reader
/// reads every stream event this way instead of building a `JSONValue` dictionary per object.
///
/// It answers exactly as `JSONParser` (the project's `JSONValue` reader) would for the same text,
/// and gives up where it might not: an object with a repeated key (`JSONParser` keeps the last
/// value), a key with escapes or non-ASCII characters (a `[String: JSONValue]` compares keys as
/// Swift strings), a lone surrogate (`JSONParser` reads U+FFFD), a byte order mark, more than
/// `maximumFields` fields in an object. `withView` then returns nil and the caller parses with
/// `JSONParser`. Subtrees a reader wants whole (`jsonValue`) are parsed by `JSONParser` itself.
package struct JSONIndexView {
    private let document: IndexedDocument
    private let node: Int

    /// Objects with more fields than this are left to `JSONParser`: the repeated-key check compares
    /// each key with the others, which must stay cheap on hostile input.
    package static let maximumFields = 64

    /// Runs `body` over a view of `text`; nil when the text is not one JSON value the index reads,
    /// or when anything `body` looked at made the view give up.
    package static func withView<Result>(of text: String, _ body: (JSONIndexView) -> Result) -> Result? {
        var text = text
        return text.withUTF8 { bytes -> Result? in
            guard let tokens = TokenIndex.build(bytes),
                tokens.allSatisfy({ isReadableNumber($0, in: bytes) })
            else { return nil }
            let document = IndexedDocument(bytes: bytes, tokens: tokens, userInfo: [:])
            let result = body(JSONIndexView(document: document, node: 0))
            return document.gaveUp ? nil : result
        }
    }

    /// `JSONParser` refuses a whole document with a number too large for a `Double` (`1e400`),
    /// even in a field nobody reads; the index only checks the grammar, so the view checks this.
    private static func isReadableNumber(_ token: JSONToken, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard token.kind == .number else { return true }
        // Integers of up to 18 characters fit `Int64`, and their reading cannot fail.
        if token.flags & JSONToken.isIntegerLiteral != 0, token.end - token.start <= 18 { return true }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]), as: UTF8.self)
        return Double(text)?.isFinite == true
    }

    private init(document: IndexedDocument, node: Int) {
        self.document = document
        self.node = node
    }

    private var token: JSONToken { document.tokens[node] }

    package var isNull: Bool { token.kind == .null }
    package var isObject: Bool { token.kind == .object }

    package var stringValue: String? {
        guard token.kind == .string else { return nil }
        return try? document.string(at: node)  // a lone surrogate gives up
    }

    /// The value as `JSONParser` reads it (it parses the value's own bytes).
    package var jsonValue: JSONValue {
        let start = token.kind == .string ? token.start - 1 : token.start
        guard let value = JSONParser.parse(UnsafeBufferPointer(rebasing: document.bytes[start..<token.byteEnd])) else {
            _ = document.giveUp()
            return .null
        }
        return value
    }

    /// The elements of an array; nil for anything else.
    package var elements: [JSONIndexView]? {
        guard token.kind == .array else { return nil }
        var result: [JSONIndexView] = []
        result.reserveCapacity(token.count)
        var element = node + 1
        for _ in 0..<token.count {
            result.append(JSONIndexView(document: document, node: element))
            element = document.tokens[element].next(after: element)
        }
        return result
    }

    /// The fields of an object in the order written; nil for anything else. Gives up on what a
    /// dictionary would read differently (see the type's note).
    package var fields: [(key: String, value: JSONIndexView)]? {
        guard let keys = checkedKeys() else { return nil }
        return keys.map { key in
            (
                String(decoding: document.bytes[document.tokens[key].start..<document.tokens[key].end], as: UTF8.self),
                JSONIndexView(document: document, node: key + 1)
            )
        }
    }

    /// The key tokens of an object, once it is known that a dictionary would hold the same fields.
    private func checkedKeys() -> [Int]? {
        guard token.kind == .object else { return nil }
        guard token.count <= Self.maximumFields else {
            _ = document.giveUp()
            return nil
        }
        var keys: [Int] = []
        keys.reserveCapacity(token.count)
        var key = node + 1
        for _ in 0..<token.count {
            guard let name = document.plainKey(at: key),
                !keys.contains(where: { document.plainKey(at: $0)?.elementsEqual(name) ?? true })
            else {
                _ = document.giveUp()
                return nil
            }
            keys.append(key)
            key = document.tokens[key + 1].next(after: key + 1)
        }
        return keys
    }
}
