/// Writes canonical JSON (RFC 8785, the bytes `CanonicalJSON.encode` defines) straight into one
/// byte buffer, for the types that make up most of an archive: a transcript record holds hundreds
/// of wire chunks and events, and encoding them through `Encodable` builds a node, a key string
/// and an array entry for every field before a byte is written.
///
/// A `CanonicalWritable` type writes its fields itself, in JCS key order. It never decides alone:
/// whatever it cannot write exactly as the `Encodable` path would (a non-finite number, a nested
/// value that is not writable and whose encoding fails) makes it decline, and the value is then
/// encoded through `Encodable`, errors included. Its `Encodable` conformance stays the reference;
/// tests hold the two to the same bytes.
package protocol CanonicalWritable: Encodable {
    /// Writes the value as one JSON value. Keys must come in JCS order; debug builds check it.
    func write(to writer: inout CanonicalWriter) throws(CanonicalWriter.Declined)

    /// Bytes to reserve before writing the value as a whole: at least its size, roughly. A large
    /// value written into a buffer that grows by doubling is held twice while it grows (a 50 MB
    /// record: 69 MB and 35 MB at once); reserving too much costs little, because memory that
    /// large is mapped on demand and pages never written are never resident.
    var canonicalSizeHint: Int { get }
}

extension CanonicalWritable {
    package var canonicalSizeHint: Int { 1024 }
}

package struct CanonicalWriter {
    /// Thrown when a value cannot be written here exactly as `Encodable` would write it.
    package struct Declined: Error {}

    package private(set) var bytes: [UInt8]
    /// Whether the next key or array element needs a comma before it.
    private var needsComma = false
    #if DEBUG
    /// The last key written in each open object, to check JCS order.
    private var openKeys: [[UInt8]?] = []
    #endif

    package init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Structure

    package mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        #if DEBUG
        openKeys.append(nil)
        #endif
    }

    package mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
        #if DEBUG
        openKeys.removeLast()
        #endif
    }

    package mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    package mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A key the caller knows to be plain ASCII needing no escape (a Swift property name).
    package mutating func key(_ name: StaticString) {
        let raw = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        #if DEBUG
        checkOrder(Array(raw))
        #endif
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: raw)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A key from data (a dictionary key), escaped as JCS escapes strings.
    package mutating func key(_ name: String) {
        #if DEBUG
        checkOrder(Array(name.utf8))
        #endif
        separate()
        JCSString.append(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    #if DEBUG
    private mutating func checkOrder(_ name: [UInt8]) {
        guard let depth = openKeys.indices.last else { return }
        if let previous = openKeys[depth] {
            let comparison = JCSKeyOrder.compare(
                String(decoding: previous, as: UTF8.self), String(decoding: name, as: UTF8.self))
            assert(comparison < 0, "canonical keys out of order: \(String(decoding: name, as: UTF8.self))")
        }
        openKeys[depth] = name
    }
    #endif

    // MARK: Values

    package mutating func value(_ text: String) {
        separate()
        JCSString.append(text, to: &bytes)
        needsComma = true
    }

    package mutating func value(_ number: Int64) {
        separate()
        IntegerText.append(number, to: &bytes)
        needsComma = true
    }

    package mutating func value(_ number: Int) { value(Int64(number)) }

    package mutating func value(_ flag: Bool) {
        separate()
        CanonicalLiteral.append(flag ? "true" : "false", to: &bytes)
        needsComma = true
    }

    package mutating func value(_ json: JSONValue) throws(Declined) {
        separate()
        guard json.append(to: &bytes) else { throw Declined() }
        needsComma = true
    }

    package mutating func value<T: CanonicalWritable>(_ item: T) throws(Declined) {
        try item.write(to: &self)
    }

    /// A value that is not writable here, through the `Encodable` encoder. Any error declines, so
    /// the whole value is encoded again through `Encodable` and reports the error with its full path.
    package mutating func encoded<T: Encodable>(_ item: T) throws(Declined) {
        let data: [UInt8]
        do {
            data = try CanonicalJSONEncoder().encodeBytes(item)
        } catch {
            throw Declined()
        }
        separate()
        bytes.append(contentsOf: data)
        needsComma = true
    }

    package mutating func array<T: CanonicalWritable>(_ items: [T]) throws(Declined) {
        beginArray()
        for item in items { try item.write(to: &self) }
        endArray()
    }

    /// A `[String: JSONValue]` as `Encodable` writes a dictionary: an object, keys in JCS order.
    package mutating func object(_ fields: [String: JSONValue]) throws(Declined) {
        beginObject()
        for name in fields.keys.sorted(by: { JCSKeyOrder.compare($0, $1) < 0 }) {
            key(name)
            guard let field = fields[name] else { continue }
            try value(field)
        }
        endObject()
    }

    // MARK: Fields (synthesized `Encodable` leaves a nil optional out)

    package mutating func field(_ name: StaticString, _ text: String?) {
        guard let text else { return }
        key(name)
        value(text)
    }

    package mutating func field(_ name: StaticString, _ number: Int?) {
        guard let number else { return }
        key(name)
        value(number)
    }

    package mutating func field(_ name: StaticString, _ number: Int64?) {
        guard let number else { return }
        key(name)
        value(number)
    }

    package mutating func field(_ name: StaticString, _ flag: Bool?) {
        guard let flag else { return }
        key(name)
        value(flag)
    }

    package mutating func field(_ name: StaticString, _ json: JSONValue?) throws(Declined) {
        guard let json else { return }
        key(name)
        try value(json)
    }

    package mutating func field<T: CanonicalWritable>(_ name: StaticString, _ item: T?) throws(Declined) {
        guard let item else { return }
        key(name)
        try item.write(to: &self)
    }

    package mutating func field<T: CanonicalWritable>(_ name: StaticString, _ items: [T]) throws(Declined) {
        key(name)
        try array(items)
    }

    package mutating func field(_ name: StaticString, _ fields: [String: JSONValue]?) throws(Declined) {
        guard let fields else { return }
        key(name)
        try object(fields)
    }

    /// A `RawRepresentable` string enum, as `Encodable` writes it.
    package mutating func field<T: RawRepresentable>(_ name: StaticString, _ item: T?) where T.RawValue == String {
        guard let item else { return }
        key(name)
        value(item.rawValue)
    }

    package mutating func encodedField<T: Encodable>(_ name: StaticString, _ item: T) throws(Declined) {
        key(name)
        try encoded(item)
    }
}
