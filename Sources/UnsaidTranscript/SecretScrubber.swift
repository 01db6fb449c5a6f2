import Foundation

/// Finds configured secret values in bytes, in every form a server might echo them in, and
/// replaces them — also when one occurrence is spread over several pieces (network chunks, or
/// the content deltas of a stream).
///
/// Forms recognised, mixed freely character by character because a JSON encoder or a proxy may
/// escape only some characters:
/// - the plain UTF-8 bytes;
/// - JSON escapes: `\u002d` (any hex case, surrogate pairs, and the doubled `\\u002d` of JSON
///   nested in a JSON string), `\/`, `\"`, `\\`;
/// - percent-encoding `%2D` (any hex case) and `+` for a space;
/// - base64 (standard and URL-safe alphabet) at any of the three byte alignments, so a secret is
///   found inside a longer base64 blob too — `Authorization: Basic base64(user:password)` echoed
///   back, for example.
///
/// Pure and allocation-light when nothing matches: pieces without a secret are returned as they
/// were, so untouched evidence keeps its exact bytes.
package struct SecretScrubber: Sendable, Equatable {
    package static let placeholder = "[REDACTED]"

    /// The literal secrets, longest first so a secret that contains another is replaced whole.
    package let secrets: [String]
    private let patterns: [Pattern]
    private let base64Needles: [[UInt8]]

    package init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted {
            $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1
        }
        patterns = self.secrets.map(Pattern.init)
        base64Needles = Array(Set(self.secrets.flatMap { Self.base64Cores(of: Array($0.utf8)) }))
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    package var isEmpty: Bool { secrets.isEmpty }

    // MARK: - Whole values

    package func scrub(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        let bytes = Array(text.utf8)
        guard let pieces = scrub(pieces: [bytes]) else { return text }
        return String(decoding: pieces[0], as: UTF8.self)
    }

    package func scrub(bytes: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty, let pieces = scrub(pieces: [bytes]) else { return bytes }
        return pieces[0]
    }

    /// Whether the bytes hold a secret in any recognised form.
    package func contains(_ bytes: [UInt8]) -> Bool {
        !matches(in: bytes).isEmpty
    }

    // MARK: - Pieces

    /// Scrubs a sequence of pieces as if they were one byte string, then cuts the result back
    /// into the same number of pieces: a match is replaced by the placeholder in the piece where
    /// it starts, and its bytes in later pieces are dropped. Nil when nothing matched.
    package func scrub(pieces: [[UInt8]]) -> [[UInt8]]? {
        guard !secrets.isEmpty else { return nil }
        let joined = pieces.flatMap { $0 }
        let ranges = matches(in: joined)
        guard !ranges.isEmpty else { return nil }
        let placeholderBytes = Array(Self.placeholder.utf8)
        return Self.replacing(ranges.map { ($0, placeholderBytes) }, in: pieces)
    }

    /// Replaces byte ranges of the pieces taken as one byte string (ranges in order, not
    /// overlapping), then cuts the result back into the same number of pieces: a replacement goes
    /// into the piece where its range starts, and the range's bytes in later pieces are dropped.
    package static func replacing(
        _ replacements: [(range: Range<Int>, bytes: [UInt8])], in pieces: [[UInt8]]
    ) -> [[UInt8]] {
        let joined = pieces.flatMap { $0 }
        // Owner piece of every byte of `joined`.
        var starts: [Int] = []
        var offset = 0
        for piece in pieces {
            starts.append(offset)
            offset += piece.count
        }
        func owner(of byte: Int) -> Int {
            // The last piece starting at or before `byte` that is not empty.
            var low = 0, high = pieces.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if starts[mid] <= byte { low = mid } else { high = mid - 1 }
            }
            while low > 0 && pieces[low].isEmpty { low -= 1 }
            return low
        }
        var result = pieces.map { _ in [UInt8]() }
        var cursor = 0
        var index = 0
        while cursor < joined.count {
            if index < replacements.count, replacements[index].range.lowerBound == cursor {
                result[owner(of: cursor)].append(contentsOf: replacements[index].bytes)
                cursor = replacements[index].range.upperBound
                index += 1
            } else {
                let piece = owner(of: cursor)
                let end = min(
                    starts[piece] + pieces[piece].count,
                    index < replacements.count ? replacements[index].range.lowerBound : joined.count)
                result[piece].append(contentsOf: joined[cursor..<end])
                cursor = end
            }
        }
        return result
    }

    /// Non-overlapping match ranges, in order. Longer secrets win where matches overlap.
    func matches(in bytes: [UInt8]) -> [Range<Int>] {
        guard !secrets.isEmpty, !bytes.isEmpty else { return [] }
        var found: [Range<Int>] = []
        for pattern in patterns {
            var index = 0
            while index < bytes.count {
                if pattern.mayStart(with: bytes[index]), let end = pattern.match(bytes, at: index) {
                    found.append(index..<end)
                    index = end
                } else {
                    index += 1
                }
            }
        }
        for needle in base64Needles {
            guard let first = needle.first, needle.count <= bytes.count else { continue }
            var index = 0
            while index + needle.count <= bytes.count {
                if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) {
                    found.append(index..<(index + needle.count))
                    index += needle.count
                } else {
                    index += 1
                }
            }
        }
        guard found.count > 1 else { return found }
        // Merge overlapping ranges into one replacement.
        found.sort { $0.lowerBound != $1.lowerBound ? $0.lowerBound < $1.lowerBound : $0.upperBound > $1.upperBound }
        var merged: [Range<Int>] = [found[0]]
        for range in found.dropFirst() {
            let last = merged[merged.count - 1]
            if range.lowerBound < last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    // MARK: - Base64

    /// The base64 characters that depend only on the secret's bytes, for each of the three
    /// alignments the secret can have inside a longer encoded value, in both alphabets.
    static func base64Cores(of secret: [UInt8]) -> [[UInt8]] {
        // Shorter secrets would give cores short enough to occur by chance.
        guard secret.count >= 6 else { return [] }
        var cores: [[UInt8]] = []
        for offset in 0..<3 {
            let padded = [UInt8](repeating: 0, count: offset) + secret
            let encoded = Array(Data(padded).base64EncodedString().utf8)
            // Character k carries bits 6k..<6k+6 of the padded input; keep those entirely
            // inside the secret's bits.
            let firstBit = offset * 8, endBit = (offset + secret.count) * 8
            let first = (firstBit + 5) / 6
            let end = endBit / 6
            guard end - first >= 8, end <= encoded.count else { continue }
            let core = Array(encoded[first..<end])
            cores.append(core)
            let urlSafe = core.map {
                $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0
            }
            if urlSafe != core { cores.append(urlSafe) }
        }
        return cores
    }

    // MARK: - Encoded text matching

    /// One secret as a sequence of Unicode scalars, each of which may appear in any of its forms.
    private struct Pattern: Sendable, Equatable {
        let scalars: [Unicode.Scalar]
        let firstBytes: Set<UInt8>

        init(_ secret: String) {
            scalars = Array(secret.unicodeScalars)
            var first: Set<UInt8> = [UInt8(ascii: "\\"), UInt8(ascii: "%")]
            if let scalar = scalars.first {
                first.formUnion(String(scalar).utf8.prefix(1))
                if scalar == " " { first.insert(UInt8(ascii: "+")) }
            }
            firstBytes = first
        }

        func mayStart(with byte: UInt8) -> Bool { firstBytes.contains(byte) }

        /// The end of the longest match starting at `start`, trying every form of every scalar
        /// (a set of positions advanced scalar by scalar, so ambiguous forms cannot blow up).
        func match(_ bytes: [UInt8], at start: Int) -> Int? {
            var positions: Set<Int> = [start]
            for scalar in scalars {
                var next: Set<Int> = []
                for position in positions {
                    Self.advance(over: scalar, in: bytes, from: position, into: &next)
                }
                if next.isEmpty { return nil }
                positions = next
            }
            return positions.max()
        }

        private static func advance(
            over scalar: Unicode.Scalar, in bytes: [UInt8], from position: Int,
            into ends: inout Set<Int>
        ) {
            let utf8 = Array(String(scalar).utf8)
            // Plain.
            if position + utf8.count <= bytes.count, bytes[position..<(position + utf8.count)].elementsEqual(utf8) {
                ends.insert(position + utf8.count)
            }
            // Percent-encoding of every byte of the scalar, and `+` for a space.
            var cursor = position
            var percentOK = true
            for byte in utf8 {
                guard cursor + 2 < bytes.count, bytes[cursor] == UInt8(ascii: "%"),
                    let value = hexValue(bytes[cursor + 1], bytes[cursor + 2]), value == byte
                else {
                    percentOK = false
                    break
                }
                cursor += 3
            }
            if percentOK { ends.insert(cursor) }
            if scalar == " ", position < bytes.count, bytes[position] == UInt8(ascii: "+") { ends.insert(position + 1) }
            // JSON escapes, with one or more backslashes (JSON inside a JSON string doubles them).
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\\") else { return }
            var slashes = position
            while slashes < bytes.count, bytes[slashes] == UInt8(ascii: "\\") { slashes += 1 }
            guard slashes < bytes.count else { return }
            let escape = bytes[slashes]
            if (scalar == "/" && escape == UInt8(ascii: "/")) || (scalar == "\"" && escape == UInt8(ascii: "\"")) {
                ends.insert(slashes + 1)
            }
            if scalar == "\\" && slashes - position >= 2 { ends.insert(position + 2) }
            guard escape == UInt8(ascii: "u") else { return }
            if scalar.value < 0x10000 {
                if let value = hex4(bytes, at: slashes + 1), value == scalar.value { ends.insert(slashes + 5) }
            } else {
                // A surrogate pair: \uD83D\uDE00 (the second escape with the same backslashes).
                let high = 0xD800 + ((scalar.value - 0x10000) >> 10)
                let low = 0xDC00 + ((scalar.value - 0x10000) & 0x3FF)
                guard let first = hex4(bytes, at: slashes + 1), first == high else { return }
                var second = slashes + 5
                while second < bytes.count, bytes[second] == UInt8(ascii: "\\") { second += 1 }
                guard second > slashes + 5, second < bytes.count, bytes[second] == UInt8(ascii: "u"),
                    let value = hex4(bytes, at: second + 1), value == low
                else { return }
                ends.insert(second + 5)
            }
        }

        private static func hex4(_ bytes: [UInt8], at index: Int) -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[index..<(index + 4)] {
                guard let digit = hexDigit(byte) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        private static func hexValue(_ high: UInt8, _ low: UInt8) -> UInt8? {
            guard let h = hexDigit(high), let l = hexDigit(low) else { return nil }
            return h << 4 | l
        }

        private static func hexDigit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
    }
}
