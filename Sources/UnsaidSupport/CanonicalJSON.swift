import Foundation

/// One way to turn values into JSON bytes everywhere Unsaid writes evidence: transcript and
/// verdict lines, judge and label records, fixture keys, probe hashes.
///
/// `encode` writes **RFC 8785, the JSON Canonicalization Scheme (JCS)**, with the project's own
/// encoder (`CanonicalJSONEncoder`), so the bytes — and every hash over them — are defined here
/// and not by whichever Foundation the binary was built with:
/// - no whitespace; object keys sorted by their UTF-16 code units (so "😀" sorts before "דּ");
///   a key encoded twice keeps its last value;
/// - strings: `\"` `\\` `\b` `\f` `\n` `\r` `\t`, other control characters as `\u00xx` (lower-case
///   hex), everything else raw UTF-8; `/` is not escaped;
/// - floating-point numbers as ECMAScript's `Number.prototype.toString`: shortest round-trip digits,
///   plain from 1e-6 to below 1e21 (`0.000001`, `100000000000000000000`), exponent form outside
///   (`1e+21`, `1e-7`), `-0` as `0`; NaN and infinities throw `EncodingError.invalidValue`;
/// - integers (`Int`, `Int64`, …) with all their digits. This is the one documented departure from
///   JCS, which would round integers beyond 2^53 through a double; every integer Unsaid writes
///   (counts, byte offsets, microseconds) is far below that, where both agree;
/// - `Data` as a base64 string, `URL` as its absolute string, `Date` as `Date` encodes itself (seconds
///   since 2001 as a number): JSONEncoder's default strategies, kept so records read as before.
///   No archived record holds a `Date` or `Data` today.
///
/// Archive hashes are taken over the stored line bytes, so archives written before this encoder
/// (Foundation's `JSONEncoder` with sorted keys) still verify. The two differ only for doubles below
/// 1e-4 in magnitude (`1e-05` became `0.00001`, `1e-07` became `1e-7`) or from 2^53 up to 1e21
/// (`1e+16` became `10000000000000000`), and for keys mixing U+E000–U+FFFF with characters beyond
/// U+FFFF; no record Unsaid writes holds such a number or key.
package enum CanonicalJSON {
    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        try CanonicalJSONEncoder().encode(value)
    }

    /// `encode` for a type known to write itself: the same bytes, without the run-time check
    /// whether it does (see `CanonicalJSONEncoder.encodeBytes`).
    package static func encode<T: CanonicalWritable>(_ value: T) throws -> Data {
        Data(try CanonicalJSONEncoder().encodeBytes(value))
    }

    /// `encode`'s bytes followed by a newline: one line of a JSON Lines file, built in one buffer
    /// (a record's line can be tens of megabytes; it is not copied to add the newline).
    package static func encodeLine<T: Encodable>(_ value: T) throws -> [UInt8] {
        var bytes = try CanonicalJSONEncoder().encodeBytes(value)
        bytes.append(0x0A)
        return bytes
    }

    /// `encodeLine`'s bytes (or error) handed to `body` without copying them out of the buffer
    /// they were written in; valid only during `body`.
    package static func withLine<T: Encodable, R>(
        _ value: T, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        try CanonicalJSONEncoder().withLine(value, body)
    }

    /// `withLine` for a type known to write itself: the same line, without the run-time check.
    /// - Parameter sizeHint: `value.canonicalSizeHint` when the caller has it already (a record's
    ///   hint walks every chunk and event of its transcript); only what the buffer reserves.
    package static func withLine<T: CanonicalWritable, R>(
        _ value: T, sizeHint: Int? = nil, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        try CanonicalJSONEncoder().withLine(value, sizeHint: sizeHint, body)
    }

    /// `withLine`'s bytes handed to `sink` in pieces of about `pieceSize` bytes (see
    /// `CanonicalJSONEncoder.writeLine`); false when the value declined and the caller must undo
    /// the pieces and take `withLine` instead.
    package static func writeLine<T: CanonicalWritable>(
        _ value: T, inPiecesOf pieceSize: Int, to sink: (UnsafeRawBufferPointer, _ last: Bool) -> Void
    ) -> Bool {
        CanonicalJSONEncoder().writeLine(value, inPiecesOf: pieceSize, to: sink)
    }

    /// The same bytes (or error) as `encode`, with every value going through `Encodable`: the
    /// reference the `CanonicalWritable` writers are tested against.
    package static func encodeThroughEncodable<T: Encodable>(_ value: T) throws -> Data {
        try CanonicalJSONEncoder(usesWriters: false).encode(value)
    }

    /// Human-facing files (manifest, goldens) are pretty-printed but still key-sorted.
    ///
    /// This stays on Foundation's `JSONEncoder` (sorted keys, unescaped slashes, two-space indent,
    /// `"key" : value`): these files are read by people and hashed as the bytes stored, never
    /// re-derived, and keeping the encoder keeps every existing manifest and golden byte-identical.
    package static func encodePretty<T: Encodable>(_ value: T) throws -> Data {
        var data = try prettyEncoder().encode(value)
        data.append(0x0A)
        return data
    }

    /// The encoder of `encodePretty`, without the final newline, for a caller that encodes many
    /// values into one file (`unsaid report --format json`'s rows).
    package static func prettyEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return encoder
    }

    /// Reads through `IndexedJSONDecoder`, and through Foundation's `JSONDecoder` wherever that one
    /// declines; the value is the same either way, and errors are always `JSONDecoder`'s.
    ///
    /// - Parameter userInfo: options for the types' `init(from:)` (e.g. `Attempt.scoringOnly`).
    package static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, userInfo: [CodingUserInfoKey: Bool] = [:]
    ) throws -> T {
        if let value = IndexedJSONDecoder.decode(type, from: data, userInfo: userInfo) { return value }
        let decoder = JSONDecoder()
        for (key, value) in userInfo { decoder.userInfo[key] = value }
        return try decoder.decode(type, from: data)
    }
}
