/// Turns an answer (and the prompt it answers) into the sparse, hashed feature vector the learned
/// classifier reads. Pure and deterministic: the same texts always give the same indices, on every
/// machine, because the hash is FNV-1a over Unicode scalar values, not Swift's seeded `Hasher`.
///
/// Feature families (`unsaid-ngram/1`), each hashed under its own tag so families never collide
/// by construction (only by bucket):
/// - character n-grams, n = 1…4, over the normalised answer (its first `maxScalars` scalars);
/// - character n-grams, n = 2…4, of the first and of the last `window` scalars, tagged apart,
///   because where a phrase stands matters: a refusal opens or closes an answer;
/// - word unigrams and bigrams (runs of letters and digits);
/// - the answer's length (log₂ bucket), its line breaks and digits (a list of steps or figures is
///   substance);
/// - how much of the prompt the answer takes up: the share of the prompt's character bigrams that
///   appear in the answer, alone and crossed with the length, so "answered a different, safer
///   question" is visible (a feature of its own when there is no prompt).
/// Presence only (binary), L2-normalised: every present feature has the value `1/√n`.
package struct TextFeatures: Sendable, Equatable {
    /// Sorted, distinct bucket indices.
    let indices: [Int32]
    /// The value of each present feature.
    let value: Double

    struct Settings: Codable, Sendable, Equatable {
        /// Number of hash buckets (a power of two).
        var dimension: Int
        /// Scalars at the start and the end of the answer whose n-grams are tagged by position.
        var window: Int
        /// Scalars of the answer read for whole-text n-grams; a longer answer is judged by its
        /// start and (through the window) its end, so judging stays cheap on huge answers.
        var maxScalars: Int
    }

    init(answer: String, prompt: String, settings: Settings) {
        var builder = Builder(dimension: settings.dimension)
        // The judged scalars are decoded and the rest only counted: a long answer's scalars past
        // `maxScalars` are never read but for the tail window.
        let (scalars, length) = Self.judgedScalars(answer, maxScalars: settings.maxScalars)
        // Every scalar's bits ORed: below 0x100, every scalar is one byte to the hash.
        let combined = scalars.reduce(0, |)
        let tail =
            length > settings.maxScalars
            ? Array(answer.unicodeScalars.suffix(settings.window).map(\.value))
            : Array(scalars.suffix(settings.window))
        let head = Array(scalars.prefix(settings.window))
        let narrow = combined < 0x100
        let narrowTail = length > settings.maxScalars ? tail.allSatisfy { $0 < 0x100 } : narrow

        if narrow {
            builder.narrowNgramsOneToFour(scalars)
        } else {
            builder.ngramsOneToFour(scalars, mixing: ScalarUnits.self)
        }
        // Written out, not looped over n: each call's n is then a constant its loop is unrolled by.
        builder.ngrams(head, n: 2, tag: 0x12, narrow: narrow)
        builder.ngrams(tail, n: 2, tag: 0x22, narrow: narrowTail)
        builder.ngrams(head, n: 3, tag: 0x13, narrow: narrow)
        builder.ngrams(tail, n: 3, tag: 0x23, narrow: narrowTail)
        builder.ngrams(head, n: 4, tag: 0x14, narrow: narrow)
        builder.ngrams(tail, n: 4, tag: 0x24, narrow: narrowTail)
        let words = Self.words(scalars)
        scalars.withUnsafeBufferPointer { scalars in
            for (index, word) in words.enumerated() {
                builder.add(tag: 0x30, scalars[word], narrow: narrow)
                if index + 1 < words.count {
                    builder.add(tag: 0x31, scalars[word], joinedBySpaceTo: scalars[words[index + 1]], narrow: narrow)
                }
            }
        }

        let lengthBucket = UInt32(min(12, Self.log2(length + 1)))
        builder.add(tag: 0x40, [lengthBucket])
        let promptBigrams = DistinctBigrams(Self.bigrams(Array(prompt.unicodeScalars.map(\.value))))
        if promptBigrams.isEmpty {
            // No prompt to relate to (bare text): say so, rather than claim the answer ignores it.
            builder.add(tag: 0x45, [])
        } else {
            // The prompt's distinct bigrams that the answer has too. The prompt is short and the
            // answer long, so only the prompt's bigrams are kept, sorted, and each of the
            // answer's is looked up in them.
            let shared = promptBigrams.countShared(withBigramsOf: scalars)
            let overlapBucket = UInt32(min(4, shared * 5 / promptBigrams.count))
            builder.add(tag: 0x41, [overlapBucket])
            builder.add(tag: 0x42, [overlapBucket, lengthBucket])
        }
        var lineBreaks = 0
        var digits = 0
        for value in scalars {
            if value == 0x0A { lineBreaks += 1 }
            if (0x30...0x39).contains(value) { digits += 1 }
        }
        builder.add(tag: 0x43, [UInt32(min(5, lineBreaks))])
        builder.add(tag: 0x44, [UInt32(min(4, Self.log2(digits + 1)))])

        indices = builder.sortedIndices()
        value = indices.isEmpty ? 0 : 1 / Double(indices.count).squareRoot()
    }

    /// A short text's distinct bigrams, sorted, to count how many of them a longer text shares
    /// (a set answers the same, but hashing every bigram of the answer cost more than the search).
    private struct DistinctBigrams {
        private let sorted: [UInt64]
        /// One bit per `filterSlot` value of the bigrams kept: a clear bit proves a bigram absent
        /// without a search (most of an answer's bigrams are not the prompt's).
        private var filter = [UInt64](repeating: 0, count: 16)

        init(_ bigrams: [UInt64]) {
            var sorted = bigrams.sorted()
            var kept = 0
            for bigram in sorted where kept == 0 || sorted[kept - 1] != bigram {
                sorted[kept] = bigram
                kept += 1
            }
            sorted.removeLast(sorted.count - kept)
            self.sorted = sorted
            for bigram in sorted {
                let slot = Self.filterSlot(bigram)
                filter[slot >> 6] |= 1 << UInt64(slot & 63)
            }
        }

        /// A bigram's bit in `filter` (0..<1024), from both of its scalars.
        @inline(__always)
        private static func filterSlot(_ bigram: UInt64) -> Int {
            Int(truncatingIfNeeded: (bigram >> 32) &* 31 &+ bigram) & 1023
        }

        var isEmpty: Bool { sorted.isEmpty }
        var count: Int { sorted.count }

        /// How many of these bigrams occur among the bigrams of `scalars` (`TextFeatures.bigrams`),
        /// each counted once. The text's bigrams are made as they are looked up, not gathered
        /// into an array first.
        func countShared(withBigramsOf scalars: [UInt32]) -> Int {
            var found = [Bool](repeating: false, count: sorted.count)
            var shared = 0
            var previous: UInt32?
            sorted.withUnsafeBufferPointer { keys in
                filter.withUnsafeBufferPointer { filter in
                    for value in scalars where TextFeatures.isWordScalar(value) {
                        defer { previous = value }
                        guard let first = previous else { continue }
                        let bigram = UInt64(first) << 32 | UInt64(value)
                        let slot = Self.filterSlot(bigram)
                        if filter[slot >> 6] & (1 << UInt64(slot & 63)) == 0 { continue }
                        var low = 0
                        var high = keys.count
                        while low < high {
                            let middle = (low + high) >> 1
                            if keys[middle] < bigram { low = middle + 1 } else { high = middle }
                        }
                        if low < keys.count, keys[low] == bigram, !found[low] {
                            found[low] = true
                            shared += 1
                        }
                    }
                }
            }
            return shared
        }
    }

    /// Whether a scalar is a letter or a digit (alphabetic, or with a numeric type). ASCII, most
    /// of most answers, is answered without a Unicode property lookup, with the same result.
    private static func isWordScalar(_ value: UInt32) -> Bool {
        if value < 0x80 {
            let folded = value | 0x20
            return (0x61...0x7A).contains(folded) || (0x30...0x39).contains(value)
        }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// Maximal runs of letters and digits, as ranges of `scalars`.
    private static func words(_ scalars: [UInt32]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int?
        for (index, value) in scalars.enumerated() {
            if isWordScalar(value) {
                if start == nil { start = index }
            } else if let first = start {
                words.append(first..<index)
                start = nil
            }
        }
        if let first = start { words.append(first..<scalars.count) }
        return words
    }

    /// Bigrams of letters and digits (punctuation and spaces dropped first), as packed pairs, in
    /// text order with repeats.
    private static func bigrams(_ scalars: [UInt32]) -> [UInt64] {
        var result: [UInt64] = []
        result.reserveCapacity(scalars.count)  // at most one per scalar: no regrowing
        var previous: UInt32?
        for value in scalars where isWordScalar(value) {
            if let previous { result.append(UInt64(previous) << 32 | UInt64(value)) }
            previous = value
        }
        return result
    }

    /// The first `maxScalars` scalar values of `text`, and how many scalars it has in all. Decoded
    /// from the string's UTF-8 (always valid) and the rest counted on its bytes, by the bytes that
    /// start a scalar: through `unicodeScalars`, each scalar cost about thirty instructions.
    private static func judgedScalars(_ text: String, maxScalars: Int) -> (scalars: [UInt32], length: Int) {
        let decoded = text.utf8.withContiguousStorageIfAvailable { bytes -> ([UInt32], Int) in
            var position = 0
            let scalars = [UInt32](unsafeUninitializedCapacity: min(maxScalars, bytes.count)) { buffer, initialized in
                var count = 0
                while count < buffer.count, position < bytes.count {
                    let lead = UInt32(bytes[position])
                    if lead < 0x80 {
                        buffer[count] = lead
                        position += 1
                    } else if lead < 0xE0 {
                        buffer[count] = (lead & 0x1F) << 6 | UInt32(bytes[position + 1] & 0x3F)
                        position += 2
                    } else if lead < 0xF0 {
                        buffer[count] =
                            (lead & 0x0F) << 12 | UInt32(bytes[position + 1] & 0x3F) << 6
                            | UInt32(bytes[position + 2] & 0x3F)
                        position += 3
                    } else {
                        buffer[count] =
                            (lead & 0x07) << 18 | UInt32(bytes[position + 1] & 0x3F) << 12
                            | UInt32(bytes[position + 2] & 0x3F) << 6 | UInt32(bytes[position + 3] & 0x3F)
                        position += 4
                    }
                    count += 1
                }
                initialized = count
            }
            var length = scalars.count
            for byte in bytes[position...] where byte & 0xC0 != 0x80 { length += 1 }
            return (scalars, length)
        }
        if let decoded { return decoded }
        var scalars: [UInt32] = []
        var length = 0
        for scalar in text.unicodeScalars {
            if length < maxScalars { scalars.append(scalar.value) }
            length += 1
        }
        return (scalars, length)
    }

    private static func log2(_ value: Int) -> Int {
        value <= 1 ? 0 : Int.bitWidth - 1 - value.leadingZeroBitCount
    }

    /// Collects hashed bucket indices as bits of a bitmap over the buckets, so the distinct indices
    /// come out sorted by reading the bitmap once (sorting or hashing every index cost more than
    /// the rest of the extraction).
    private struct Builder {
        let mask: UInt64
        var bits: [UInt64]

        init(dimension: Int) {
            mask = UInt64(max(1, dimension) - 1)
            bits = Array(repeating: 0, count: (Int(mask) >> 6) + 1)
        }

        /// How many indices were collected, repeats included: at least the number of distinct ones.
        private var collected = 0

        private mutating func collect(_ hash: FNV1a) {
            let index = Int(hash.value & mask)
            bits[index >> 6] |= 1 << UInt64(index & 63)
            collected += 1
        }

        mutating func add(tag: UInt32, _ values: some Sequence<UInt32>) {
            var hash = FNV1a()
            hash.mix(tag)
            for value in values { hash.mix(value) }
            collect(hash)
        }

        /// The feature of a word (`narrow`: every scalar below 0x100, see `ngrams`).
        mutating func add(tag: UInt32, _ word: Slice<UnsafeBufferPointer<UInt32>>, narrow: Bool) {
            var hash = FNV1a()
            hash.mix(tag)
            if narrow {
                for value in word { hash.mixByte(value) }
            } else {
                for value in word { hash.mix(value) }
            }
            collect(hash)
        }

        /// The feature of `first`, a space and `second`, hashed without building the joined text.
        mutating func add(
            tag: UInt32, _ first: Slice<UnsafeBufferPointer<UInt32>>,
            joinedBySpaceTo second: Slice<UnsafeBufferPointer<UInt32>>, narrow: Bool
        ) {
            var hash = FNV1a()
            hash.mix(tag)
            if narrow {
                for value in first { hash.mixByte(value) }
                hash.mixByte(0x20)
                for value in second { hash.mixByte(value) }
            } else {
                for value in first { hash.mix(value) }
                hash.mix(0x20)
                for value in second { hash.mix(value) }
            }
            collect(hash)
        }

        /// - Parameter narrow: every scalar is below 0x100, so each is mixed as one byte
        ///   (`FNV1a.mixByte`), with the same hashes.
        @inline(__always)
        mutating func ngrams(_ scalars: [UInt32], n: Int, tag: UInt32, narrow: Bool) {
            guard scalars.count >= n else { return }
            collected += scalars.count - n + 1
            // Every n-gram's hash starts from the tag's: mixed once, not once per n-gram.
            var tagged = FNV1a()
            tagged.mix(tag)
            let mask = Int(self.mask)
            scalars.withUnsafeBufferPointer { scalars in
                bits.withUnsafeMutableBufferPointer { bits in
                    if narrow {
                        for start in 0...(scalars.count - n) {
                            var hash = tagged
                            for offset in 0..<n { hash.mixByte(scalars[start + offset]) }
                            let index = Int(truncatingIfNeeded: hash.value) & mask
                            bits[index >> 6] |= 1 << UInt64(index & 63)
                        }
                        return
                    }
                    for start in 0...(scalars.count - n) {
                        var hash = tagged
                        for offset in 0..<n { hash.mix(scalars[start + offset]) }
                        let index = Int(truncatingIfNeeded: hash.value) & mask
                        bits[index >> 6] |= 1 << UInt64(index & 63)
                    }
                }
            }
        }

        /// The whole text's n-grams for n = 1…4 (tags 1 to 4) in one pass: each position's four
        /// hashes from one load of its scalars, where a loop per n read each scalar ten times and
        /// paid four loops. The same hashes as `ngrams`, and the same count of them.
        @inline(__always)
        mutating func ngramsOneToFour<Units: UnitMixing>(_ scalars: [UInt32], mixing: Units.Type) {
            let count = scalars.count
            for n in 1...4 where count >= n { collected += count - n + 1 }
            // Every n-gram's hash starts from its tag's: mixed once, not once per n-gram.
            var tag1 = FNV1a()
            tag1.mix(1)
            var tag2 = FNV1a()
            tag2.mix(2)
            var tag3 = FNV1a()
            tag3.mix(3)
            var tag4 = FNV1a()
            tag4.mix(4)
            let mask = Int(self.mask)
            scalars.withUnsafeBufferPointer { scalars in
                bits.withUnsafeMutableBufferPointer { bits in
                    @inline(__always) func set(_ hash: FNV1a) {
                        let index = Int(truncatingIfNeeded: hash.value) & mask
                        bits[index >> 6] |= 1 << UInt64(index & 63)
                    }
                    var start = 0
                    while start + 4 <= count {
                        let (a, b, c, d) = (scalars[start], scalars[start + 1], scalars[start + 2], scalars[start + 3])
                        var one = tag1
                        Units.mix(&one, a)
                        set(one)
                        var two = tag2
                        Units.mix(&two, a)
                        Units.mix(&two, b)
                        set(two)
                        var three = tag3
                        Units.mix(&three, a)
                        Units.mix(&three, b)
                        Units.mix(&three, c)
                        set(three)
                        var four = tag4
                        Units.mix(&four, a)
                        Units.mix(&four, b)
                        Units.mix(&four, c)
                        Units.mix(&four, d)
                        set(four)
                        start += 1
                    }
                    // The last three positions start no 4-gram, the last two no trigram, the last no bigram.
                    while start < count {
                        var one = tag1
                        Units.mix(&one, scalars[start])
                        set(one)
                        if start + 2 <= count {
                            var two = tag2
                            Units.mix(&two, scalars[start])
                            Units.mix(&two, scalars[start + 1])
                            set(two)
                        }
                        if start + 3 <= count {
                            var three = tag3
                            Units.mix(&three, scalars[start])
                            Units.mix(&three, scalars[start + 1])
                            Units.mix(&three, scalars[start + 2])
                            set(three)
                        }
                        start += 1
                    }
                }
            }
        }

        /// `ngramsOneToFour(_:mixing: ByteUnits.self)` with each n-gram's first step looked up:
        /// the hash of tag n with one byte mixed in depends on the byte alone, so it is read from
        /// `firstByteHashes` instead of multiplied (the same wrapping product either way), six
        /// multiplications a position instead of ten. The unigram is that hash itself.
        @inline(__always)
        mutating func narrowNgramsOneToFour(_ scalars: [UInt32]) {
            let count = scalars.count
            for n in 1...4 where count >= n { collected += count - n + 1 }
            let mask = Int(self.mask)
            Self.firstByteHashes.withUnsafeBufferPointer { first in
                scalars.withUnsafeBufferPointer { scalars in
                    bits.withUnsafeMutableBufferPointer { bits in
                        @inline(__always) func set(_ hash: FNV1a) {
                            let index = Int(truncatingIfNeeded: hash.value) & mask
                            bits[index >> 6] |= 1 << UInt64(index & 63)
                        }
                        // Tag n's row starts at (n - 1) * 256; every scalar is below 0x100.
                        @inline(__always) func started(_ n: Int, _ unit: UInt32) -> FNV1a {
                            FNV1a(value: first[(n - 1) << 8 | Int(unit & 0xFF)])
                        }
                        var start = 0
                        while start + 4 <= count {
                            let (a, b, c, d) = (
                                scalars[start], scalars[start + 1], scalars[start + 2], scalars[start + 3]
                            )
                            set(started(1, a))
                            var two = started(2, a)
                            two.mixByte(b)
                            set(two)
                            var three = started(3, a)
                            three.mixByte(b)
                            three.mixByte(c)
                            set(three)
                            var four = started(4, a)
                            four.mixByte(b)
                            four.mixByte(c)
                            four.mixByte(d)
                            set(four)
                            start += 1
                        }
                        // The last three positions start no 4-gram, the last two no trigram, the last no bigram.
                        while start < count {
                            set(started(1, scalars[start]))
                            if start + 2 <= count {
                                var two = started(2, scalars[start])
                                two.mixByte(scalars[start + 1])
                                set(two)
                            }
                            if start + 3 <= count {
                                var three = started(3, scalars[start])
                                three.mixByte(scalars[start + 1])
                                three.mixByte(scalars[start + 2])
                                set(three)
                            }
                            start += 1
                        }
                    }
                }
            }
        }

        /// For tags 1 to 4 in turn, the hash of the tag with each byte value mixed in
        /// (`FNV1a.mixByte`): 256 entries a tag.
        private static let firstByteHashes: [UInt64] = (1...4).flatMap { tag in
            (0..<256).map { byte in
                var hash = FNV1a()
                hash.mix(UInt32(tag))
                hash.mixByte(UInt32(byte))
                return hash.value
            }
        }

        func sortedIndices() -> [Int32] {
            // Written into scratch room for every index collected, then copied into storage of
            // the exact count: counting the set bits first took a software population count of
            // every word of the bitmap (x86-64's baseline has no instruction for it), more than
            // the copy. Appending each of the few thousand indices cost more than finding them.
            bits.withUnsafeBufferPointer { bits in
                let room = min(collected, bits.count << 6)
                let scratch = [Int32](unsafeUninitializedCapacity: room) { indices, initialized in
                    var written = 0
                    for wordIndex in bits.indices where bits[wordIndex] != 0 {
                        var remaining = bits[wordIndex]
                        while remaining != 0 {
                            indices[written] = Int32(
                                truncatingIfNeeded: wordIndex << 6 + remaining.trailingZeroBitCount)
                            written += 1
                            remaining &= remaining - 1
                        }
                    }
                    initialized = written
                }
                return [Int32](unsafeUninitializedCapacity: scratch.count) { exact, initialized in
                    _ = exact.initialize(fromContentsOf: scratch)
                    initialized = scratch.count
                }
            }
        }
    }
}

/// How `TextFeatures.Builder.ngramsOneToFour` mixes a unit into a hash: as one byte when every
/// scalar of the text is below 0x100 (`FNV1a.mixByte`), else as a whole scalar (`FNV1a.mix`).
protocol UnitMixing {
    static func mix(_ hash: inout FNV1a, _ unit: UInt32)
}

enum ByteUnits: UnitMixing {
    @inline(__always) static func mix(_ hash: inout FNV1a, _ unit: UInt32) { hash.mixByte(unit) }
}

enum ScalarUnits: UnitMixing {
    @inline(__always) static func mix(_ hash: inout FNV1a, _ unit: UInt32) { hash.mix(unit) }
}

/// 64-bit FNV-1a over 32-bit units: stable across runs and machines.
package struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    /// A hash part-way through its units, as `value` gave it.
    init(value: UInt64) {
        self.value = value
    }

    private static let prime: UInt64 = 0x0000_0100_0000_01B3
    private static let primeSquared = prime &* prime
    private static let primeCubed = primeSquared &* prime
    private static let primeFourth = primeCubed &* prime

    /// `mix` of a unit below 0x100, which the caller vouches for: its one non-zero byte XORed in,
    /// then the four multiplications as one (no test of the unit's size).
    @inline(__always)
    mutating func mixByte(_ unit: UInt32) {
        value = (value ^ UInt64(unit)) &* Self.primeFourth
    }

    /// The unit's four bytes, low byte first, each XORed in and multiplied by the prime. XOR with a
    /// zero byte changes nothing, so the multiplications that follow the unit's last non-zero byte
    /// are one multiplication by a power of the prime (wrapping multiplication is associative):
    /// an ASCII scalar costs two multiplications instead of four, with the same result.
    @inline(__always)
    mutating func mix(_ unit: UInt32) {
        value = (value ^ UInt64(unit & 0xFF)) &* Self.prime
        if unit < 0x100 {
            value = value &* Self.primeCubed
            return
        }
        value = (value ^ UInt64(unit >> 8 & 0xFF)) &* Self.prime
        if unit < 0x1_0000 {
            value = value &* Self.primeSquared
            return
        }
        value = (value ^ UInt64(unit >> 16 & 0xFF)) &* Self.prime
        value = (value ^ UInt64(unit >> 24)) &* Self.prime
    }
}
