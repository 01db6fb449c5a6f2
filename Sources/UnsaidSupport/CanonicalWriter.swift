#if canImport(Glibc)
import Glibc
#endif

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

/// The output is a buffer of its own (`malloc`'d, grown with `realloc`) rather than an array: a
/// record is written as thousands of tiny appends, and each append to an array checks that the
/// storage is unique and has room; here it is one comparison. Strings are escaped straight into
/// room reserved for their longest escaping (see `JCSString.write`), which an array cannot offer
/// without filling it first. Not copyable, so the buffer has one owner and is freed once.
package struct CanonicalWriter: ~Copyable {
    /// Thrown when a value cannot be written here exactly as `Encodable` would write it.
    package struct Declined: Error {}

    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// Where a writer made by `init(pieceSize:spill:)` hands its full buffer instead of growing it.
    private var spill: ((UnsafeRawBufferPointer) -> Void)?
    /// Whether the next key or array element needs a comma before it.
    private var needsComma = false
    #if DEBUG
    /// The last key written in each open object, to check JCS order.
    private var openKeys: [[UInt8]?] = []
    #endif

    package init(capacity: Int = 1024) {
        self.capacity = max(capacity, 64)
        guard let memory = malloc(self.capacity) else { fatalError("out of memory for \(self.capacity) bytes") }
        base = memory.assumingMemoryBound(to: UInt8.self)
    }

    /// A writer that never holds more than about `pieceSize` bytes: whenever the buffer is full,
    /// what it holds goes to `spill` and writing goes on at its start. For a value too large to
    /// hold whole (a record of a 16 MiB answer is three times that); every write reserves at most
    /// a block's escaping at once, so the buffer never has to grow past a piece for it.
    package init(pieceSize: Int, spill: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.init(capacity: pieceSize)
        self.spill = spill
    }

    deinit { free(base) }

    /// Hands what the buffer holds to `spill` (of a writer made with one) and empties it.
    package mutating func flush() {
        guard let spill, count > 0 else { return }
        spill(UnsafeRawBufferPointer(start: base, count: count))
        count = 0
    }

    /// The bytes written so far, copied out.
    package var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// The bytes written so far, where they lie (valid only during `body`).
    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Appends raw bytes the caller knows to be valid JSON at this point (a value rendered elsewhere,
    /// a newline after the value).
    package mutating func append(raw bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        let target = room(bytes.count)
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Where the next byte goes, with at least `extra` bytes of room from there on.
    @inline(__always)
    private mutating func room(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < extra { grow(extra) }
        return base + count
    }

    /// Doubles the buffer (or more, to fit `extra`). `realloc` moves a large buffer by remapping
    /// its pages instead of copying them, and the old and new buffers are never held at once.
    @inline(never)
    private mutating func grow(_ extra: Int) {
        // Every write asks for its room first and counts its bytes after, never keeping a position
        // across two asks, so emptying the buffer here is safe for all of them.
        if spill != nil {
            flush()
            if capacity >= extra { return }
        }
        let wanted = max(capacity * 2, count + extra)
        guard let memory = realloc(base, wanted) else { fatalError("out of memory for \(wanted) bytes") }
        base = memory.assumingMemoryBound(to: UInt8.self)
        capacity = wanted
    }

    @inline(__always)
    private mutating func byte(_ value: UInt8) {
        room(1).pointee = value
        count += 1
    }

    /// Plain bytes (a literal, digits) copied as they are.
    @inline(__always)
    private mutating func plain(_ source: UnsafePointer<UInt8>, count length: Int) {
        let target = room(length)
        target.update(from: source, count: length)
        count += length
    }

    /// A JCS string from its UTF-8 bytes, escaped straight into the buffer. Long strings go in
    /// blocks, so the room reserved for the longest escaping stays small.
    private mutating func string(utf8 source: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        guard var next = source.baseAddress else {
            byte(UInt8(ascii: "\""))
            return
        }
        var left = source.count
        while left > 0 {
            let length = min(left, JCSString.block)
            let target = room(JCSString.room(forEscaping: length))
            count += JCSString.write(escaping: UnsafeBufferPointer(start: next, count: length), to: target)
            next += length
            left -= length
        }
        byte(UInt8(ascii: "\""))
    }

    private mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string(utf8: $0) }
    }

    /// Bytes rendered into an array by the code `Encodable` values go through.
    private mutating func rendered(_ output: [UInt8]) {
        output.withUnsafeBufferPointer { buffer in
            guard let source = buffer.baseAddress else { return }
            plain(source, count: buffer.count)
        }
    }

    // MARK: Structure

    package mutating func beginObject() {
        separate()
        byte(UInt8(ascii: "{"))
        needsComma = false
        #if DEBUG
        openKeys.append(nil)
        #endif
    }

    package mutating func endObject() {
        byte(UInt8(ascii: "}"))
        needsComma = true
        #if DEBUG
        openKeys.removeLast()
        #endif
    }

    package mutating func beginArray() {
        separate()
        byte(UInt8(ascii: "["))
        needsComma = false
    }

    package mutating func endArray() {
        byte(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A key the caller knows to be plain ASCII needing no escape (a Swift property name).
    package mutating func key(_ name: StaticString) {
        let raw = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        #if DEBUG
        checkOrder(Array(raw))
        #endif
        // The comma, the quoted name and the colon reserved and stored at once.
        let length = raw.count
        let target = room(length + 4)
        var written = 0
        if needsComma {
            target[0] = UInt8(ascii: ",")
            written = 1
        }
        target[written] = UInt8(ascii: "\"")
        if let name = raw.baseAddress { (target + written + 1).update(from: name, count: length) }
        target[written + length + 1] = UInt8(ascii: "\"")
        target[written + length + 2] = UInt8(ascii: ":")
        count += written + length + 3
        needsComma = false
    }

    /// A key from data (a dictionary key), escaped as JCS escapes strings.
    package mutating func key(_ name: String) {
        #if DEBUG
        checkOrder(Array(name.utf8))
        #endif
        separate()
        string(name)
        byte(UInt8(ascii: ":"))
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { byte(UInt8(ascii: ",")) }
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
        string(text)
        needsComma = true
    }

    /// Digits written in place, two at a time from the end: an event's index and time are two
    /// of the commonest values in a record.
    package mutating func value(_ number: Int64) {
        separate()
        // A sign and at most 19 digits (|Int64.min| = 9223372036854775808).
        count += Self.digits(number, to: room(20))
        needsComma = true
    }

    /// Writes `number`'s decimal text at `target` (room for 20 bytes) and returns its length.
    @inline(__always)
    private static func digits(_ number: Int64, to target: UnsafeMutablePointer<UInt8>) -> Int {
        var end = 0
        if number < 0 {
            target[0] = UInt8(ascii: "-")
            end = 1
        }
        var magnitude = number.magnitude
        end += IntegerText.digitCount(magnitude)
        let length = end
        let pairs = IntegerText.pairs.utf8Start
        while magnitude >= 100 {
            let pair = Int(truncatingIfNeeded: magnitude % 100) &* 2
            magnitude /= 100
            end -= 2
            target[end] = pairs[pair]
            target[end + 1] = pairs[pair + 1]
        }
        if magnitude >= 10 {
            let pair = Int(truncatingIfNeeded: magnitude) &* 2
            target[end - 2] = pairs[pair]
            target[end - 1] = pairs[pair + 1]
        } else {
            target[end - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)
        }
        return length
    }

    package mutating func value(_ number: Int) { value(Int64(number)) }

    /// A finite number as the `Encodable` path writes it (the same `ECMAScriptNumber` text); a
    /// non-finite one declines, so the value goes through `Encodable`, which reports it with its path.
    package mutating func value(_ number: Double) throws(Declined) {
        var output: [UInt8] = []
        guard ECMAScriptNumber.append(number, to: &output) else { throw Declined() }
        separate()
        rendered(output)
        needsComma = true
    }

    package mutating func value(_ flag: Bool) {
        separate()
        let word: StaticString = flag ? "true" : "false"
        plain(word.utf8Start, count: word.utf8CodeUnitCount)
        needsComma = true
    }

    package mutating func value(_ json: JSONValue) throws(Declined) {
        separate()
        var output: [UInt8] = []
        guard json.append(to: &output) else { throw Declined() }
        rendered(output)
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
        rendered(data)
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

    // MARK: Fixed forms

    /// `{"content":"…","index":N,"t":N}` (without `content` when it is nil) in one go: the form of
    /// almost every event of a stream, whose other fields are all nil. Written key by key it asked
    /// for room and tested for a comma seven times, and the two numbers took a call each; here the
    /// keys are literals around one escaped string and two numbers' digits. The caller (the event's
    /// own `write`) guarantees the form is the one its `Encodable` conformance writes; tests hold
    /// the two to the same bytes.
    package mutating func contentIndexTimeObject(content: String?, index: Int, t: Int64) {
        separate()
        if var content {
            let opening: StaticString = "{\"content\":"
            plain(opening.utf8Start, count: opening.utf8CodeUnitCount)
            content.withUTF8 { string(utf8: $0) }
            byte(UInt8(ascii: ","))
        } else {
            byte(UInt8(ascii: "{"))
        }
        let indexKey: StaticString = "\"index\":"
        let timeKey: StaticString = ",\"t\":"
        // Both keys, both numbers at their longest (20 bytes) and the closing brace.
        var target = room(indexKey.utf8CodeUnitCount + timeKey.utf8CodeUnitCount + 41)
        let start = target
        target.update(from: indexKey.utf8Start, count: indexKey.utf8CodeUnitCount)
        target += indexKey.utf8CodeUnitCount
        target += Self.digits(Int64(index), to: target)
        target.update(from: timeKey.utf8Start, count: timeKey.utf8CodeUnitCount)
        target += timeKey.utf8CodeUnitCount
        target += Self.digits(t, to: target)
        target.pointee = UInt8(ascii: "}")
        count += target + 1 - start
        needsComma = true
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

    package mutating func field(_ name: StaticString, _ number: Double?) throws(Declined) {
        guard let number else { return }
        key(name)
        try value(number)
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
