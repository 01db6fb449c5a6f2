import Testing
@testable import UnsaidSupport

/// `CanonicalWriter`'s own writing of numbers (two digits at a time, into its own buffer) held to
/// the standard library's decimal text.
@Suite struct CanonicalWriterTests {
    @Test func integersAsTheirDecimalText() {
        var numbers: [Int64] = [0, 1, -1, 9, -9, 10, -10, 99, 100, 101, 999, 1000, .max, .min, .max - 1, .min + 1]
        var power: Int64 = 1
        for _ in 0..<19 {
            numbers += [power - 1, power, power + 1, -power, -(power - 1), -(power + 1)]
            if power <= Int64.max / 10 { power *= 10 }
        }
        var random = SplitMix64(seed: 0xD161)
        for _ in 0..<2_000 {
            // Every length: the value's bits cut to a random width.
            let width = Int(random.next() % 64)
            numbers.append(Int64(bitPattern: random.next()) >> width)
        }
        // Written one after another into a buffer that starts small and has to grow.
        var writer = CanonicalWriter(capacity: 1)
        writer.beginArray()
        for number in numbers { writer.value(number) }
        writer.endArray()
        let expected = "[" + numbers.map { String($0) }.joined(separator: ",") + "]"
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }
}
