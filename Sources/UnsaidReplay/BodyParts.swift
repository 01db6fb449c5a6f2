/// A response body as a list of timed parts that faults can edit by byte offset: remove a range,
/// insert bytes or a lazily produced part. Offsets count the bytes of `.bytes` parts; editing
/// splits a part where needed and never moves a delay off the bytes it was recorded before.
package struct BodyParts {
    private(set) var parts: [ScriptedPart]

    init(_ parts: [ScriptedPart]) {
        self.parts = parts
    }

    /// The bytes of every `.bytes` part, in order.
    var bytes: [UInt8] {
        parts.flatMap { part -> [UInt8] in
            if case .bytes(let bytes, _) = part { return bytes }
            return []
        }
    }

    /// Inserts `part` so that it starts at body offset `offset` (clamped to the end).
    mutating func insert(_ part: ScriptedPart, at offset: Int) {
        let index = split(at: offset)
        parts.insert(part, at: index)
    }

    mutating func insert(_ bytes: [UInt8], at offset: Int) {
        insert(.bytes(bytes, delay: .zero), at: offset)
    }

    /// Removes the bytes in `range`; parts left empty keep their place so their delays still happen.
    mutating func remove(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let start = split(at: range.lowerBound)
        let end = split(at: range.upperBound)
        for index in start..<end {
            parts[index] = .bytes([], delay: parts[index].delay)
        }
    }

    /// Makes a part boundary at `offset` and returns the index of the first part after it.
    private mutating func split(at offset: Int) -> Int {
        var position = 0
        for (index, part) in parts.enumerated() {
            guard case .bytes(let bytes, let delay) = part else { continue }
            if offset == position { return index }
            if offset < position + bytes.count {
                let cut = offset - position
                parts[index] = .bytes(Array(bytes[..<cut]), delay: delay)
                parts.insert(.bytes(Array(bytes[cut...]), delay: .zero), at: index + 1)
                return index + 1
            }
            position += bytes.count
        }
        return parts.count
    }
}

extension Array where Element == UInt8 {
    /// The offset of the first occurrence of `needle` at or after `start`.
    func firstOffset(of needle: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, count >= needle.count, start <= count - needle.count else { return nil }
        var index = Swift.max(0, start)
        while index <= count - needle.count {
            if self[index] == needle[0] && self[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The offset just past the blank line that ends the SSE event running at `start`.
    func endOfEvent(from start: Int) -> Int? {
        let terminators: [[UInt8]] = [[0x0D, 0x0A, 0x0D, 0x0A], [0x0A, 0x0A], [0x0D, 0x0D]]
        return
            terminators
            .compactMap { terminator in firstOffset(of: terminator, from: start).map { $0 + terminator.count } }
            .min()
    }
}
