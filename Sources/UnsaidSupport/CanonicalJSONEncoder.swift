import Foundation

/// The `Encoder` behind `CanonicalJSON.encode`: RFC 8785 (JCS) bytes, written by the project
/// rather than by Foundation, so a hash never depends on another library's number formatting.
///
/// Encoding builds a light tree that holds the values themselves (a string is a reference to the
/// `String`, a number the number), because synthesized `Codable` encodes fields in declaration order
/// and JCS wants them sorted; `serialize` then writes every byte once, straight into the output:
/// keys in UTF-16 order, strings escaped and numbers formatted as they are copied out. Nothing goes
/// through `Any`, `NSNumber` or a dictionary; scalar types are recognised by one protocol check
/// (`CanonicalScalar`), a `JSONValue` is rendered in one pass, non-finite numbers are refused while
/// encoding (where the coding path is known), and paths are only assembled when an error needs one.
///
/// The types a transcript record is made of skip the tree: they are `CanonicalWritable` and write
/// their bytes themselves (see `CanonicalWriter`); any value they decline goes through the tree.
struct CanonicalJSONEncoder {
    /// Whether `CanonicalWritable` values write themselves (always, but for the tests that hold
    /// those writers to the `Encodable` bytes).
    var usesWriters = true

    func encode<T: Encodable>(_ value: T) throws -> Data {
        Data(try encodeBytes(value))
    }

    func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        if usesWriters, let writable = value as? CanonicalWritable, let bytes = Self.written(writable) {
            return bytes
        }
        return try encodeThroughTree(value)
    }

    /// `encodeBytes` for a type known to write itself: the same bytes, without asking at run time
    /// whether it does. The cast (a conformance lookup, and a boxed copy of a value too large for
    /// an existential's inline buffer) ran for every record, verdict and probe hash of a run.
    func encodeBytes<T: CanonicalWritable>(_ value: T) throws -> [UInt8] {
        if usesWriters, let bytes = Self.written(value) { return bytes }
        return try encodeThroughTree(value)
    }

    /// The bytes through `Encodable`'s tree (writable values nested in it still write themselves
    /// when `usesWriters`).
    private func encodeThroughTree<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = EncodingSlot()
        try CanonicalValueEncoder(slot: root, parent: nil, key: nil, usesWriters: usesWriters).encodeValue(value)
        guard let node = root.node else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        Self.serialize(node, into: &output)
        return output
    }

    /// The bytes a `CanonicalWritable` value writes itself, or nil when it declines (then it goes
    /// through `Encodable`, which writes the same bytes or throws the error with its path).
    static func written(_ value: some CanonicalWritable) -> [UInt8]? {
        // One byte more for the newline `CanonicalJSON.encodeLine` appends.
        var writer = CanonicalWriter(capacity: value.canonicalSizeHint + 1)
        do {
            try value.write(to: &writer)
        } catch {
            return nil
        }
        return writer.bytes
    }

    /// `encodeBytes`'s bytes and a newline, handed to `body` where a `CanonicalWritable` value
    /// wrote them (a record's line, tens of kilobytes, is then never copied into an array).
    func withLine<T: Encodable, R>(_ value: T, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        if usesWriters, let writable = value as? CanonicalWritable {
            return try withWrittenLine(writable, else: value, body)
        }
        return try withEncodedLine(value, body)
    }

    /// `withLine` for a type known to write itself (see `encodeBytes`): the same line.
    func withLine<T: CanonicalWritable, R>(
        _ value: T, sizeHint: Int? = nil, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        guard usesWriters else { return try withEncodedLine(value, body) }
        return try withWrittenLine(value, else: value, sizeHint: sizeHint, body)
    }

    /// The line `writable` writes, or, when it declines, `value`'s through `encodeBytes`.
    private func withWrittenLine<W: CanonicalWritable, T: Encodable, R>(
        _ writable: W, else value: T, sizeHint: Int? = nil, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        var writer = CanonicalWriter(capacity: (sizeHint ?? writable.canonicalSizeHint) + 1)
        do {
            try writable.write(to: &writer)
        } catch {
            // Declined: `encodeBytes` asks it once more before the tree (rare).
            return try withEncodedLine(value, body)
        }
        var newline = UInt8(0x0A)
        withUnsafeBytes(of: &newline) { writer.append(raw: $0) }
        return try writer.withBytes(body)
    }

    /// `encodeBytes(value)` and a newline, handed to `body`.
    private func withEncodedLine<T: Encodable, R>(_ value: T, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R
    {
        var bytes = try encodeBytes(value)
        bytes.append(0x0A)
        return try bytes.withUnsafeBytes(body)
    }

    /// Writes `value`'s line (the bytes `withLine` hands over) to `sink` in pieces of about
    /// `pieceSize` bytes, in order, the last one ending with the newline (`last` is true for it),
    /// so a very large value is never held whole. Returns false, after handing some pieces to
    /// `sink` perhaps, when the value's writer declined part of it: then the caller undoes those
    /// pieces and takes `withLine`, which encodes the value through `Encodable`.
    func writeLine<T: CanonicalWritable>(
        _ value: T, inPiecesOf pieceSize: Int, to sink: (UnsafeRawBufferPointer, _ last: Bool) -> Void
    ) -> Bool {
        withoutActuallyEscaping(sink) { sink in
            var writer = CanonicalWriter(pieceSize: pieceSize) { sink($0, false) }
            do {
                try value.write(to: &writer)
            } catch {
                return false
            }
            var newline = UInt8(0x0A)
            withUnsafeBytes(of: &newline) { writer.append(raw: $0) }
            // The newline is in the buffer, so the last piece is never empty.
            writer.withBytes { sink($0, true) }
            return true
        }
    }

    private static func serialize(_ node: JSONNode, into output: inout [UInt8]) {
        switch node {
        case .null: CanonicalLiteral.append("null", to: &output)
        case .bool(let value): CanonicalLiteral.append(value ? "true" : "false", to: &output)
        case .int(let value): IntegerText.append(value, to: &output)
        case .unsigned(let value): IntegerText.append(value, to: &output)
        // Finite by construction: the encoder refused NaN and infinities with their path.
        case .double(let value): _ = ECMAScriptNumber.append(value, to: &output)
        case .float(let value): _ = ECMAScriptNumber.append(value, to: &output)
        case .string(let value): JCSString.append(value, to: &output)
        case .rendered(let bytes): output.append(contentsOf: bytes)
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var first = true
            for index in object.sortedUniqueIndices() {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                JCSString.append(object.keys[index], to: &output)
                output.append(UInt8(ascii: ":"))
                serialize(object.values[index], into: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, element) in array.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                serialize(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .slot(let slot):
            // A super-encoder that wrote nothing stands for an empty object, as in JSONEncoder.
            if let inner = slot.node {
                serialize(inner, into: &output)
            } else {
                CanonicalLiteral.append("{}", to: &output)
            }
        }
    }
}

// MARK: - The value tree

indirect enum JSONNode {
    case null
    case bool(Bool)
    case int(Int64)
    case unsigned(UInt64)
    case double(Double)
    case float(Float)
    case string(String)
    /// Bytes already in canonical form (a `JSONValue`, rendered in one pass).
    case rendered([UInt8])
    case object(ObjectNode)
    case array(ArrayNode)
    /// Filled in later (by a super-encoder); empty means `{}`.
    case slot(EncodingSlot)
}

final class ObjectNode {
    var keys: [String] = []
    var values: [JSONNode] = []

    /// Indices in JCS order: keys compared as UTF-16 code units (RFC 8785 §3.2.3). A key written
    /// twice keeps its last value, as JSONEncoder's dictionary-backed containers do.
    func sortedUniqueIndices() -> [Int] {
        var order = Array(keys.indices)
        if order.count < 2 { return order }
        order.sort { left, right in
            let comparison = JCSKeyOrder.compare(keys[left], keys[right])
            return comparison == 0 ? left < right : comparison < 0
        }
        var unique: [Int] = []
        unique.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            if position + 1 < order.count, JCSKeyOrder.compare(keys[order[position + 1]], keys[index]) == 0 { continue }
            unique.append(index)
        }
        return unique
    }
}

final class ArrayNode {
    var elements: [JSONNode] = []
}

/// Where one encoder's value ends up.
final class EncodingSlot {
    var node: JSONNode?
}

/// RFC 8785 §3.2.3: property names sort by their UTF-16 code units.
///
/// UTF-8 byte order is code point order, which agrees with UTF-16 order except between U+E000–U+FFFF
/// (lead byte EE/EF) and the supplementary planes (lead byte F0–F4, surrogates D800–DBFF in UTF-16,
/// so they sort *before* U+E000). Comparing bytes and fixing up that one case avoids transcoding.
enum JCSKeyOrder {
    /// Negative, zero or positive as `left` sorts before, the same as (byte for byte), or after `right`.
    static func compare(_ left: String, _ right: String) -> Int {
        var leftBytes = left.utf8.makeIterator()
        var rightBytes = right.utf8.makeIterator()
        while true {
            switch (leftBytes.next(), rightBytes.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case let (a?, b?):
                if a == b { continue }
                if isHighBMPLead(a) && isSupplementaryLead(b) { return 1 }
                if isSupplementaryLead(a) && isHighBMPLead(b) { return -1 }
                return a < b ? -1 : 1
            }
        }
    }

    private static func isHighBMPLead(_ byte: UInt8) -> Bool { byte == 0xEE || byte == 0xEF }
    private static func isSupplementaryLead(_ byte: UInt8) -> Bool { byte >= 0xF0 && byte <= 0xF4 }
}

// MARK: - Encoder

/// One position in the value being encoded (the top, a field, an element).
final class CanonicalValueEncoder: Encoder {
    let slot: EncodingSlot
    /// Where this position sits, kept as a parent link: the path is only assembled when asked for
    /// (errors), not copied for every nested value.
    private let parent: CanonicalValueEncoder?
    private let key: CodingKey?
    private let usesWriters: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(slot: EncodingSlot, parent: CanonicalValueEncoder?, key: CodingKey?, usesWriters: Bool) {
        self.slot = slot
        self.parent = parent
        self.key = key
        self.usesWriters = usesWriters
    }

    var codingPath: [CodingKey] {
        var path: [CodingKey] = []
        var position: CanonicalValueEncoder? = self
        while let current = position {
            if let key = current.key { path.append(key) }
            position = current.parent
        }
        return path.reversed()
    }

    func child(at key: CodingKey, slot: EncodingSlot = EncodingSlot()) -> CanonicalValueEncoder {
        CanonicalValueEncoder(slot: slot, parent: self, key: key, usesWriters: usesWriters)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing)? = slot.node {
            object = existing
        } else {
            object = ObjectNode()
            slot.node = .object(object)
        }
        return KeyedEncodingContainer(CanonicalKeyedContainer<Key>(encoder: self, object: object))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing)? = slot.node {
            array = existing
        } else {
            array = ArrayNode()
            slot.node = .array(array)
        }
        return CanonicalUnkeyedContainer(encoder: self, array: array)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        CanonicalSingleValueContainer(encoder: self)
    }

    /// Encodes any value into this encoder's slot, rendering the types JSON has words for directly.
    func encodeValue<T: Encodable>(_ value: T) throws {
        if let scalar = value as? CanonicalScalar {
            slot.node = try scalar.node(at: self, key: nil)
        } else if usesWriters, let writable = value as? CanonicalWritable,
            let bytes = CanonicalJSONEncoder.written(writable)
        {
            slot.node = .rendered(bytes)
        } else {
            try value.encode(to: self)
        }
    }

    /// The node for `value` at `key` below this position: scalars rendered in place, anything
    /// else through a child encoder.
    func node<T: Encodable>(for value: T, at key: CodingKey) throws -> JSONNode {
        if let scalar = value as? CanonicalScalar {
            return try scalar.node(at: self, key: key)
        }
        if usesWriters, let writable = value as? CanonicalWritable, let bytes = CanonicalJSONEncoder.written(writable) {
            return .rendered(bytes)
        }
        let child = child(at: key)
        try value.encode(to: child)
        return child.slot.node ?? .object(ObjectNode())  // encoded nothing: `{}`, as JSONEncoder does
    }

    /// A finite double or float as a node; NaN and infinities are refused here, with the path.
    func floatNode<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ number: F, key: CodingKey?, wrap: (F) -> JSONNode
    ) throws -> JSONNode {
        guard number.isFinite else { throw FloatText.nonFinite(number, at: self, key: key) }
        return wrap(number)
    }
}

// MARK: - Scalars

/// Types written as one JSON scalar (or, for `JSONValue`, rendered whole), found with one
/// conformance check instead of a cast per type.
protocol CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) throws -> JSONNode
}

/// Integers keep every digit (`Int64.max` stays exact) rather than passing through a double as
/// JCS's I-JSON subset would; every integer Unsaid writes is far below 2^53, where the two agree.
enum IntegerText {
    /// "00" to "99", for writing two digits at a time.
    static var pairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// Decimal digits of `magnitude` (at most 2^63, the magnitude of `Int64.min`: 19 digits).
    static func digitCount(_ magnitude: UInt64) -> Int {
        var count = 1
        var bound: UInt64 = 10
        while count < 19, magnitude >= bound {
            count += 1
            bound &*= 10
        }
        return count
    }

    static func append<I: BinaryInteger>(_ number: I, to output: inout [UInt8]) {
        if number == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        if number < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            while magnitude > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            output.append(contentsOf: buffer[start...])
        }
    }
}

enum FloatText {
    static func nonFinite<F: BinaryFloatingPoint>(
        _ number: F, at encoder: CanonicalValueEncoder, key: CodingKey?
    ) -> EncodingError {
        let path = encoder.codingPath + (key.map { [$0] } ?? [])
        let place = path.isEmpty ? "the top" : CodingPathText.describe(path)
        return EncodingError.invalidValue(
            number,
            EncodingError.Context(
                codingPath: path,
                debugDescription:
                    "\(number) at \(place) is not a finite number; canonical JSON (RFC 8785) cannot carry it"))
    }
}

enum CanonicalLiteral {
    static func append(_ word: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }
}

extension String: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .string(self) }
}
extension Bool: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .bool(self) }
}
extension Int: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .int(Int64(self)) }
}
extension Int64: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .int(self) }
}
extension Int32: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .int(Int64(self)) }
}
extension Int16: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .int(Int64(self)) }
}
extension Int8: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .int(Int64(self)) }
}
extension UInt: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .unsigned(UInt64(self)) }
}
extension UInt64: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .unsigned(self) }
}
extension UInt32: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .unsigned(UInt64(self)) }
}
extension UInt16: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .unsigned(UInt64(self)) }
}
extension UInt8: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .unsigned(UInt64(self)) }
}
extension Double: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) throws -> JSONNode {
        try encoder.floatNode(self, key: key, wrap: JSONNode.double)
    }
}
extension Float: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) throws -> JSONNode {
        try encoder.floatNode(self, key: key, wrap: JSONNode.float)
    }
}
/// JSONEncoder's default strategies for the two Foundation types it treats specially.
extension Data: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .string(base64EncodedString()) }
}
extension URL: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) -> JSONNode { .string(absoluteString) }
}

/// A `JSONValue` (provider fields Unsaid keeps as they came) is written in one recursive pass, keys
/// sorted as everywhere else, instead of through `Encodable` one value at a time. Only when a
/// non-finite double turns up is the path to it looked for, for the error.
extension JSONValue: CanonicalScalar {
    func node(at encoder: CanonicalValueEncoder, key: CodingKey?) throws -> JSONNode {
        var output: [UInt8] = []
        guard append(to: &output) else {
            let (inner, number) = firstNonFinite() ?? ([], .nan)
            let path = encoder.codingPath + (key.map { [$0] } ?? []) + inner
            let place = path.isEmpty ? "the top" : CodingPathText.describe(path)
            throw EncodingError.invalidValue(
                number,
                EncodingError.Context(
                    codingPath: path,
                    debugDescription:
                        "\(number) at \(place) is not a finite number; canonical JSON (RFC 8785) cannot carry it"))
        }
        return .rendered(output)
    }

    /// `false` at the first NaN or infinity (the output is then incomplete and discarded).
    func append(to output: inout [UInt8]) -> Bool {
        switch self {
        case .null: CanonicalLiteral.append("null", to: &output)
        case .bool(let value): CanonicalLiteral.append(value ? "true" : "false", to: &output)
        case .int(let value): IntegerText.append(value, to: &output)
        case .double(let value): return ECMAScriptNumber.append(value, to: &output)
        case .string(let value): JCSString.append(value, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                guard element.append(to: &output) else { return false }
            }
            output.append(UInt8(ascii: "]"))
        case .object(let fields):
            output.append(UInt8(ascii: "{"))
            for (index, name) in fields.keys.sorted(by: { JCSKeyOrder.compare($0, $1) < 0 }).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JCSString.append(name, to: &output)
                output.append(UInt8(ascii: ":"))
                guard fields[name]?.append(to: &output) ?? false else { return false }
            }
            output.append(UInt8(ascii: "}"))
        }
        return true
    }

    /// Where the first NaN or infinity sits (in output order), and which it is.
    private func firstNonFinite() -> ([CodingKey], Double)? {
        switch self {
        case .double(let value): return value.isFinite ? nil : ([], value)
        case .array(let values):
            for (index, element) in values.enumerated() {
                if let (inner, value) = element.firstNonFinite() { return ([IndexKey(intValue: index)] + inner, value) }
            }
            return nil
        case .object(let fields):
            for name in fields.keys.sorted(by: { JCSKeyOrder.compare($0, $1) < 0 }) {
                if let (inner, value) = fields[name]?.firstNonFinite() { return ([NameKey(name)] + inner, value) }
            }
            return nil
        default: return nil
        }
    }
}

// MARK: - Containers

private struct CanonicalKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: CanonicalValueEncoder
    let object: ObjectNode
    var codingPath: [CodingKey] { encoder.codingPath }

    private func add(_ node: JSONNode, for key: Key) {
        object.keys.append(key.stringValue)
        object.values.append(node)
    }

    mutating func encodeNil(forKey key: Key) throws { add(.null, for: key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(.bool(value), for: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { add(.string(value), for: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        add(try value.node(at: encoder, key: key), for: key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        add(try value.node(at: encoder, key: key), for: key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(value.node(at: encoder, key: key), for: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        add(try encoder.node(for: value, at: key), for: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        add(.object(nested), for: key)
        return KeyedEncodingContainer(
            CanonicalKeyedContainer<NestedKey>(encoder: encoder.child(at: key), object: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let nested = ArrayNode()
        add(.array(nested), for: key)
        return CanonicalUnkeyedContainer(encoder: encoder.child(at: key), array: nested)
    }

    mutating func superEncoder() -> Encoder { superEncoder(named: NameKey("super")) }
    mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(named: key) }

    private func superEncoder(named key: CodingKey) -> Encoder {
        let slot = EncodingSlot()
        object.keys.append(key.stringValue)
        object.values.append(.slot(slot))
        return encoder.child(at: key, slot: slot)
    }
}

private struct CanonicalUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: CanonicalValueEncoder
    let array: ArrayNode
    var codingPath: [CodingKey] { encoder.codingPath }
    var count: Int { array.elements.count }

    private var nextKey: CodingKey { IndexKey(intValue: array.elements.count) }

    mutating func encodeNil() throws { array.elements.append(.null) }
    mutating func encode(_ value: Bool) throws { array.elements.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.elements.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.elements.append(try value.node(at: encoder, key: nextKey)) }
    mutating func encode(_ value: Float) throws { array.elements.append(try value.node(at: encoder, key: nextKey)) }
    mutating func encode(_ value: Int) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int8) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int16) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int32) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int64) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt8) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt16) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt32) throws { array.elements.append(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt64) throws { array.elements.append(value.node(at: encoder, key: nil)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try encoder.node(for: value, at: nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = encoder.child(at: nextKey)
        let nested = ObjectNode()
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(encoder: child, object: nested))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = encoder.child(at: nextKey)
        let nested = ArrayNode()
        array.elements.append(.array(nested))
        return CanonicalUnkeyedContainer(encoder: child, array: nested)
    }

    mutating func superEncoder() -> Encoder {
        let slot = EncodingSlot()
        let child = encoder.child(at: nextKey, slot: slot)
        array.elements.append(.slot(slot))
        return child
    }
}

private struct CanonicalSingleValueContainer: SingleValueEncodingContainer {
    let encoder: CanonicalValueEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    private func set(_ node: JSONNode) { encoder.slot.node = node }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(try value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Float) throws { set(try value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int8) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int16) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int32) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: Int64) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt8) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt16) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt32) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode(_ value: UInt64) throws { set(value.node(at: encoder, key: nil)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
