import Foundation

/// The `Encoder` behind `CanonicalJSON.encode`: RFC 8785 (JCS) bytes, written by the project
/// rather than by Foundation, so a hash never depends on another library's number formatting.
///
/// Scalars are rendered to their final bytes the moment they are encoded, into one shared buffer.
/// Objects only remember which rendered range belongs to which key, because synthesized `Codable`
/// encodes fields in declaration order and JCS wants them sorted; `serialize` then copies the
/// ranges out in sorted order. Nothing goes through `Any`, `NSNumber` or a dictionary.
struct CanonicalJSONEncoder {
    func encode<T: Encodable>(_ value: T) throws -> Data {
        let scalars = ScalarBuffer()
        let root = EncodingSlot()
        try CanonicalValueEncoder(scalars: scalars, slot: root, codingPath: []).encodeValue(value)
        guard let node = root.node else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        var output: [UInt8] = []
        output.reserveCapacity(scalars.bytes.count + 64)
        Self.serialize(node, scalars: scalars.bytes, into: &output)
        return Data(output)
    }

    private static func serialize(_ node: JSONNode, scalars: [UInt8], into output: inout [UInt8]) {
        switch node {
        case .scalar(let range):
            output.append(contentsOf: scalars[range])
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            var first = true
            for index in object.sortedUniqueIndices() {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                output.append(contentsOf: scalars[object.keys[index].rendered])
                output.append(UInt8(ascii: ":"))
                serialize(object.values[index], scalars: scalars, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, element) in array.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                serialize(element, scalars: scalars, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .slot(let slot):
            // A super-encoder that wrote nothing stands for an empty object, as in JSONEncoder.
            if let inner = slot.node {
                serialize(inner, scalars: scalars, into: &output)
            } else {
                output.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            }
        }
    }
}

// MARK: - The value tree

/// Rendered scalar bytes (numbers, literals, quoted strings, quoted keys) for one encode call.
final class ScalarBuffer {
    var bytes: [UInt8] = []

    func append(_ render: (inout [UInt8]) throws -> Void) rethrows -> Range<Int> {
        let start = bytes.count
        try render(&bytes)
        return start..<bytes.count
    }
}

indirect enum JSONNode {
    case scalar(Range<Int>)
    case object(ObjectNode)
    case array(ArrayNode)
    /// Filled in later (by a super-encoder); empty means `{}`.
    case slot(EncodingSlot)
}

final class ObjectNode {
    struct Key {
        var name: String
        /// The key already quoted and escaped, in the scalar buffer.
        var rendered: Range<Int>
    }
    var keys: [Key] = []
    var values: [JSONNode] = []

    /// Indices in JCS order: keys compared as UTF-16 code units (RFC 8785 §3.2.3). A key written
    /// twice keeps its last value, as JSONEncoder's dictionary-backed containers do.
    func sortedUniqueIndices() -> [Int] {
        var order = Array(keys.indices)
        if order.count < 2 { return order }
        order.sort { left, right in
            let order = JCSKeyOrder.compare(keys[left].name, keys[right].name)
            return order == 0 ? left < right : order < 0
        }
        var unique: [Int] = []
        unique.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            if position + 1 < order.count, JCSKeyOrder.compare(keys[order[position + 1]].name, keys[index].name) == 0 { continue }
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
    let scalars: ScalarBuffer
    let slot: EncodingSlot
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(scalars: ScalarBuffer, slot: EncodingSlot, codingPath: [CodingKey]) {
        self.scalars = scalars
        self.slot = slot
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing)? = slot.node {
            object = existing
        } else {
            object = ObjectNode()
            slot.node = .object(object)
        }
        return KeyedEncodingContainer(CanonicalKeyedContainer<Key>(encoder: self, object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing)? = slot.node {
            array = existing
        } else {
            array = ArrayNode()
            slot.node = .array(array)
        }
        return CanonicalUnkeyedContainer(encoder: self, array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        CanonicalSingleValueContainer(encoder: self)
    }

    /// Encodes any value into this encoder's slot, rendering the types JSON has words for directly.
    func encodeValue<T: Encodable>(_ value: T) throws {
        if let node = try scalarNode(value) {
            slot.node = node
        } else {
            try value.encode(to: self)
        }
    }

    /// The node for `value` at `key` below this position: scalars rendered in place, anything
    /// else through a child encoder.
    func node<T: Encodable>(for value: T, at key: CodingKey) throws -> JSONNode {
        if let node = try scalarNode(value, key: key) { return node }
        let child = CanonicalValueEncoder(scalars: scalars, slot: EncodingSlot(), codingPath: codingPath + [key])
        try value.encode(to: child)
        return child.slot.node ?? .object(ObjectNode())  // encoded nothing: `{}`, as JSONEncoder does
    }

    private func scalarNode<T: Encodable>(_ value: T, key: CodingKey? = nil) throws -> JSONNode? {
        switch value {
        case let text as String: return .scalar(renderString(text))
        case let flag as Bool: return .scalar(renderLiteral(flag ? "true" : "false"))
        case let number as Int: return .scalar(renderInteger(number))
        case let number as Int64: return .scalar(renderInteger(number))
        case let number as Int32: return .scalar(renderInteger(number))
        case let number as Int16: return .scalar(renderInteger(number))
        case let number as Int8: return .scalar(renderInteger(number))
        case let number as UInt: return .scalar(renderInteger(number))
        case let number as UInt64: return .scalar(renderInteger(number))
        case let number as UInt32: return .scalar(renderInteger(number))
        case let number as UInt16: return .scalar(renderInteger(number))
        case let number as UInt8: return .scalar(renderInteger(number))
        case let number as Double: return .scalar(try renderFloat(number, key: key))
        case let number as Float: return .scalar(try renderFloat(number, key: key))
        // JSONEncoder's default strategies for the two Foundation types it treats specially.
        case let data as Data: return .scalar(renderString(data.base64EncodedString()))
        case let url as URL: return .scalar(renderString(url.absoluteString))
        default: return nil
        }
    }

    func renderString(_ text: String) -> Range<Int> {
        scalars.append { JCSString.append(text, to: &$0) }
    }

    func renderLiteral(_ word: StaticString) -> Range<Int> {
        scalars.append { $0.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)) }
    }

    /// Integers keep every digit (`Int64.max` stays exact) rather than passing through a double
    /// as JCS's I-JSON subset would; every integer Unsaid writes is far below 2^53, where the two agree.
    func renderInteger<I: BinaryInteger>(_ number: I) -> Range<Int> {
        scalars.append { $0.append(contentsOf: String(number).utf8) }
    }

    func renderFloat<F: BinaryFloatingPoint & LosslessStringConvertible>(_ number: F, key: CodingKey?) throws -> Range<Int> {
        try scalars.append { output in
            guard ECMAScriptNumber.append(number, to: &output) else {
                let path = key.map { codingPath + [$0] } ?? codingPath
                throw EncodingError.invalidValue(number, EncodingError.Context(
                    codingPath: path,
                    debugDescription: "\(number) at \(CodingPathText.describe(path).isEmpty ? "the top" : CodingPathText.describe(path)) is not a finite number; canonical JSON (RFC 8785) cannot carry it"))
            }
        }
    }
}

private struct CanonicalKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: CanonicalValueEncoder
    let object: ObjectNode
    let codingPath: [CodingKey]

    private func add(_ node: JSONNode, for key: Key) {
        object.keys.append(ObjectNode.Key(name: key.stringValue, rendered: encoder.renderString(key.stringValue)))
        object.values.append(node)
    }

    mutating func encodeNil(forKey key: Key) throws { add(.scalar(encoder.renderLiteral("null")), for: key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(.scalar(encoder.renderLiteral(value ? "true" : "false")), for: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { add(.scalar(encoder.renderString(value)), for: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { add(.scalar(try encoder.renderFloat(value, key: key)), for: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { add(.scalar(try encoder.renderFloat(value, key: key)), for: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(.scalar(encoder.renderInteger(value)), for: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        add(try encoder.node(for: value, at: key), for: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        add(.object(nested), for: key)
        let child = CanonicalValueEncoder(scalars: encoder.scalars, slot: EncodingSlot(), codingPath: codingPath + [key])
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(encoder: child, object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let nested = ArrayNode()
        add(.array(nested), for: key)
        let child = CanonicalValueEncoder(scalars: encoder.scalars, slot: EncodingSlot(), codingPath: codingPath + [key])
        return CanonicalUnkeyedContainer(encoder: child, array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> Encoder { superEncoder(named: SuperKey.super) }
    mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(named: key) }

    private func superEncoder(named key: CodingKey) -> Encoder {
        let slot = EncodingSlot()
        object.keys.append(ObjectNode.Key(name: key.stringValue, rendered: encoder.renderString(key.stringValue)))
        object.values.append(.slot(slot))
        return CanonicalValueEncoder(scalars: encoder.scalars, slot: slot, codingPath: codingPath + [key])
    }
}

private struct CanonicalUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: CanonicalValueEncoder
    let array: ArrayNode
    let codingPath: [CodingKey]
    var count: Int { array.elements.count }

    private var nextKey: CodingKey { IndexKey(intValue: array.elements.count) }

    mutating func encodeNil() throws { array.elements.append(.scalar(encoder.renderLiteral("null"))) }
    mutating func encode(_ value: Bool) throws { array.elements.append(.scalar(encoder.renderLiteral(value ? "true" : "false"))) }
    mutating func encode(_ value: String) throws { array.elements.append(.scalar(encoder.renderString(value))) }
    mutating func encode(_ value: Double) throws { array.elements.append(.scalar(try encoder.renderFloat(value, key: nextKey))) }
    mutating func encode(_ value: Float) throws { array.elements.append(.scalar(try encoder.renderFloat(value, key: nextKey))) }
    mutating func encode(_ value: Int) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: Int8) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: Int16) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: Int32) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: Int64) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: UInt) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: UInt8) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: UInt16) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: UInt32) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }
    mutating func encode(_ value: UInt64) throws { array.elements.append(.scalar(encoder.renderInteger(value))) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try encoder.node(for: value, at: nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [nextKey]
        let nested = ObjectNode()
        array.elements.append(.object(nested))
        let child = CanonicalValueEncoder(scalars: encoder.scalars, slot: EncodingSlot(), codingPath: path)
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(encoder: child, object: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let path = codingPath + [nextKey]
        let nested = ArrayNode()
        array.elements.append(.array(nested))
        let child = CanonicalValueEncoder(scalars: encoder.scalars, slot: EncodingSlot(), codingPath: path)
        return CanonicalUnkeyedContainer(encoder: child, array: nested, codingPath: path)
    }

    mutating func superEncoder() -> Encoder {
        let path = codingPath + [nextKey]
        let slot = EncodingSlot()
        array.elements.append(.slot(slot))
        return CanonicalValueEncoder(scalars: encoder.scalars, slot: slot, codingPath: path)
    }
}

private struct CanonicalSingleValueContainer: SingleValueEncodingContainer {
    let encoder: CanonicalValueEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    private func set(_ range: Range<Int>) { encoder.slot.node = .scalar(range) }

    mutating func encodeNil() throws { set(encoder.renderLiteral("null")) }
    mutating func encode(_ value: Bool) throws { set(encoder.renderLiteral(value ? "true" : "false")) }
    mutating func encode(_ value: String) throws { set(encoder.renderString(value)) }
    mutating func encode(_ value: Double) throws { set(try encoder.renderFloat(value, key: nil)) }
    mutating func encode(_ value: Float) throws { set(try encoder.renderFloat(value, key: nil)) }
    mutating func encode(_ value: Int) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: Int8) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: Int16) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: Int32) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: Int64) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: UInt) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: UInt8) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: UInt16) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: UInt32) throws { set(encoder.renderInteger(value)) }
    mutating func encode(_ value: UInt64) throws { set(encoder.renderInteger(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private enum SuperKey: String, CodingKey {
    case `super`
}
