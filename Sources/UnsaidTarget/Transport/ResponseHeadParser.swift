import UnsaidTranscript

/// Assembles the final status line and headers from the header lines libcurl delivers one by one.
///
/// A response can carry several header blocks: interim `1xx` ones (`100 Continue`, `103 Early
/// Hints`) before the real one. Each status line starts a fresh block, and only a block with a
/// final status is reported. Lines after that (chunked trailers) are ignored.
package struct ResponseHeadParser: Sendable {
    private var status: Int?
    private var headers: [HTTPHeader] = []
    private(set) var isComplete = false

    /// Feeds one header line as libcurl delivers it (line ending included). Returns the head when
    /// this line ends a block with a final status.
    mutating func feed(line rawLine: String) -> (status: Int, headers: [HTTPHeader])? {
        guard !isComplete else { return nil }
        // Most lines are a header of plain ASCII: read on its bytes, where the character walk
        // below cost ~1% of a streamed run (a handful of headers a response).
        var line = rawLine
        if let header = line.withUTF8(Self.plainHeader) {
            headers.append(header)
            return nil
        }
        return feedInCharacters(line: rawLine)
    }

    /// A header line of ASCII bytes that is neither a status line, a blank line nor a folded
    /// continuation, read as `feedInCharacters` reads it (for ASCII, bytes are characters, and
    /// `"\r\n"`, the one character of two, is a newline either way); nil for any other line.
    static func plainHeader(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPHeader? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var end = bytes.count
        // LF, VT, FF and CR: the ASCII characters that are newlines.
        while end > 0, (0x0A...0x0D).contains(bytes[end - 1]) { end -= 1 }
        guard end > 0, bytes[0] != UInt8(ascii: " "), bytes[0] != UInt8(ascii: "\t"),
            !bytes[..<end].starts(with: httpPrefix),
            let colon = bytes[..<end].firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        return HTTPHeader(name: trimmedText(bytes[..<colon]), value: trimmedText(bytes[(colon + 1)..<end]))
    }

    private static let httpPrefix = Array("HTTP/".utf8)

    /// The bytes without leading and trailing spaces and tabs, as text.
    private static func trimmedText(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[start...last], as: UTF8.self)
    }

    /// `feed(line:)` in characters: the reference for the byte path above, and the path for
    /// status lines, blank lines, folded lines and anything not ASCII.
    mutating func feedInCharacters(line rawLine: String) -> (status: Int, headers: [HTTPHeader])? {
        guard !isComplete else { return nil }
        var line = Substring(rawLine)
        // "\r\n" is a single Character in Swift, and a newline one.
        while let last = line.last, last.isNewline { line.removeLast() }

        if line.hasPrefix("HTTP/") {
            // "HTTP/1.1 200 OK" or "HTTP/2 200": the status is the second token.
            let tokens = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            status = tokens.count >= 2 ? Int(tokens[1]) : nil
            headers = []
            return nil
        }
        if line.isEmpty {
            guard let status else { return nil }
            if (100..<200).contains(status) {
                // An interim block: the real one follows.
                self.status = nil
                headers = []
                return nil
            }
            isComplete = true
            return (status, headers)
        }
        if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
            // Obsolete line folding: the line continues the previous header's value.
            headers[headers.count - 1].value += " " + line.trimmingWhitespace()
            return nil
        }
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon].trimmingWhitespace()
        let value = line[line.index(after: colon)...].trimmingWhitespace()
        headers.append(HTTPHeader(name: name, value: value))
        return nil
    }

    /// The head so far, for a transfer that ended without the blank line closing its block.
    var partialHead: (status: Int, headers: [HTTPHeader])? {
        guard !isComplete, let status, !(100..<200).contains(status) else { return nil }
        return (status, headers)
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }),
            let end = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
