import Foundation

/// A list written, an item at a time, into a document that `CanonicalJSON.prettyEncoder()`
/// encoded with that list empty: the bytes the encoder gives for the whole document, without
/// holding every item. The encoder writes a value the same wherever it sits but for its
/// indentation, so an item encoded alone only needs indenting. `unsaid report --format json`
/// writes its request rows so, and `unsaid run --json` its spooled problem lists.
enum PrettyJSONList {
    /// The list under `key` as the encoder writes it empty, its items `indent` spaces deep
    /// (its key and closing bracket two less).
    static func empty(_ key: String, indent: Int) -> String {
        opening(key) + "\n" + spaces(indent - 2) + "]"
    }

    /// The list under `key` up to its first item.
    static func opening(_ key: String) -> String { "\"\(key)\" : [\n" }

    /// Between two items.
    static let separator = ",\n"

    /// After the last item, for items `indent` spaces deep.
    static func closing(indent: Int) -> String { "\n" + spaces(indent - 2) + "]" }

    /// An item the encoder wrote on its own, as it writes it `indent` spaces deep: every line
    /// indented but the empty line inside an empty array, which the encoder leaves without any.
    static func item(_ encoded: Data, indent: Int) -> String {
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count * 2)
        var atLineStart = true
        for byte in encoded {
            if atLineStart && byte != newline { bytes.append(contentsOf: repeatElement(space, count: indent)) }
            bytes.append(byte)
            atLineStart = byte == newline
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func spaces(_ count: Int) -> String { String(repeating: " ", count: count) }
}
