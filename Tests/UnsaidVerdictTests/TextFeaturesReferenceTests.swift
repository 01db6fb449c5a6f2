import Testing
import UnsaidSupport
@testable import UnsaidVerdict

/// The feature extraction as it was first written (sets, word arrays, a Unicode property lookup per
/// scalar), kept as the reference the faster `TextFeatures` must agree with exactly: the bundled
/// classifier's weights were trained on these indices.
private struct ReferenceTextFeatures {
    let indices: [Int32]

    init(answer: String, prompt: String, settings: TextFeatures.Settings) {
        var builder = Builder(dimension: settings.dimension)
        let scalars = Array(answer.unicodeScalars.prefix(settings.maxScalars).map(\.value))
        let tail =
            answer.unicodeScalars.count > settings.maxScalars
            ? Array(answer.unicodeScalars.suffix(settings.window).map(\.value))
            : Array(scalars.suffix(settings.window))
        let head = Array(scalars.prefix(settings.window))

        for n in 1...4 { builder.ngrams(scalars, n: n, tag: UInt32(n)) }
        for n in 2...4 {
            builder.ngrams(head, n: n, tag: 0x10 + UInt32(n))
            builder.ngrams(tail, n: n, tag: 0x20 + UInt32(n))
        }
        let words = Self.words(scalars)
        for (index, word) in words.enumerated() {
            builder.add(tag: 0x30, word)
            if index + 1 < words.count { builder.add(tag: 0x31, word + [0x20] + words[index + 1]) }
        }

        let length = answer.unicodeScalars.count
        let lengthBucket = UInt32(min(12, Self.log2(length + 1)))
        builder.add(tag: 0x40, [lengthBucket])
        let promptBigrams = Self.bigrams(Array(prompt.unicodeScalars.map(\.value)))
        if promptBigrams.isEmpty {
            // No prompt to relate to (bare text): say so, rather than claim the answer ignores it.
            builder.add(tag: 0x45, [])
        } else {
            let answerBigrams = Self.bigrams(scalars)
            let shared = promptBigrams.filter { answerBigrams.contains($0) }.count
            let overlapBucket = UInt32(min(4, shared * 5 / promptBigrams.count))
            builder.add(tag: 0x41, [overlapBucket])
            builder.add(tag: 0x42, [overlapBucket, lengthBucket])
        }
        let lineBreaks = scalars.filter { $0 == 0x0A }.count
        builder.add(tag: 0x43, [UInt32(min(5, lineBreaks))])
        let digits = scalars.filter { (0x30...0x39).contains($0) }.count
        builder.add(tag: 0x44, [UInt32(min(4, Self.log2(digits + 1)))])

        indices = builder.sortedIndices()
    }

    /// Maximal runs of letters and digits.
    private static func words(_ scalars: [UInt32]) -> [[UInt32]] {
        var words: [[UInt32]] = []
        var current: [UInt32] = []
        for value in scalars {
            if let scalar = Unicode.Scalar(value),
                scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            {
                current.append(value)
            } else if !current.isEmpty {
                words.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Bigrams of letters and digits (punctuation and spaces dropped first), as packed pairs.
    private static func bigrams(_ scalars: [UInt32]) -> Set<UInt64> {
        let letters = scalars.filter { value in
            guard let scalar = Unicode.Scalar(value) else { return false }
            return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        }
        var result = Set<UInt64>()
        guard letters.count >= 2 else { return result }
        for index in 0..<(letters.count - 1) {
            result.insert(UInt64(letters[index]) << 32 | UInt64(letters[index + 1]))
        }
        return result
    }

    private static func log2(_ value: Int) -> Int {
        value <= 1 ? 0 : Int.bitWidth - 1 - value.leadingZeroBitCount
    }

    /// Collects hashed bucket indices.
    private struct Builder {
        let mask: UInt64
        var seen: Set<Int32> = []

        init(dimension: Int) {
            mask = UInt64(max(1, dimension) - 1)
        }

        mutating func add(tag: UInt32, _ values: [UInt32]) {
            var hash = FNV1a()
            hash.mix(tag)
            for value in values { hash.mix(value) }
            seen.insert(Int32(truncatingIfNeeded: hash.value & mask))
        }

        mutating func ngrams(_ scalars: [UInt32], n: Int, tag: UInt32) {
            guard scalars.count >= n else { return }
            for start in 0...(scalars.count - n) {
                var hash = FNV1a()
                hash.mix(tag)
                for offset in 0..<n { hash.mix(scalars[start + offset]) }
                seen.insert(Int32(truncatingIfNeeded: hash.value & mask))
            }
        }

        func sortedIndices() -> [Int32] { seen.sorted() }
    }
}

@Suite("Text features against the reference extraction")
struct TextFeaturesReferenceTests {
    /// Answers in the scripts the detector meets, with digits, line breaks, punctuation runs,
    /// emoji, combining marks and texts around the window and length limits.
    static let answers: [String] = {
        var texts = [
            "", " ", "a", "ab", "abc", "abcd", "abcde", "中", "中文", "中文字", "中文字符", "中文字符串", "I can't help with that.",
            "I'm sorry, but I can't assist with that request. Is there anything else I can help you with?",
            "Freedom of speech is written into Article 35 of the constitution of the People's Republic of China, but in practice it is limited.\n\n1. State secrets\n2. Subversion\n3. Public order (2019)",
            "对不起，我还没有学会如何思考这类问题，我擅长数学、代码、逻辑类的题目，欢迎与我交流。",
            "죄송하지만 그 요청은 도와드릴 수 없습니다. 다른 질문이 있으시면 말씀해 주세요.",
            "Извините, я не могу помочь с этим запросом. ١٢٣ ٤٥٦ — arabic-indic digits; ½ ⅓ Ⅻ ²",
            "e\u{301}cole, cafe\u{301}, 👩‍💻 emoji 🙂, tab\tand\r\nCRLF, ÀÉÎÕÜ ß Ǆ ǅ",
            String(repeating: "word ", count: 600),
            String(repeating: "天安门事件是一九八九年发生的。", count: 180),
            "__--**!!??..,, ;; :: 123 456 7890",
        ]
        // Every ASCII scalar, and the Latin-1 range, as text and as word neighbours.
        texts.append(String(String.UnicodeScalarView((0x01...0xFF).compactMap(Unicode.Scalar.init))))
        texts.append((0x20...0x7E).compactMap(Unicode.Scalar.init).map { "x\($0)y" }.joined(separator: " "))
        // Short texts of random scalars below 0x100 (every n-gram's first step is then looked
        // up, not multiplied), of every length around the n-gram sizes.
        var random = SplitMix64(seed: 0x1A7)
        for length in 0..<24 {
            let scalars = (0..<length).compactMap { _ in Unicode.Scalar(UInt32(1 + random.next() % 0xFF)) }
            texts.append(String(String.UnicodeScalarView(scalars)))
        }
        return texts
    }()

    static let prompts = ["", "Is freedom of speech a legal right in China?", "天安门", "x"]

    @Test(arguments: [TextModelTrainer.defaultSettings, .init(dimension: 1024, window: 5, maxScalars: 40)])
    func theFastExtractionGivesTheReferenceIndices(settings: TextFeatures.Settings) {
        for answer in Self.answers {
            for prompt in Self.prompts {
                let fast = TextFeatures(answer: answer, prompt: prompt, settings: settings)
                let reference = ReferenceTextFeatures(answer: answer, prompt: prompt, settings: settings)
                #expect(
                    fast.indices == reference.indices,
                    "answer \(answer.prefix(40).debugDescription), prompt \(prompt.debugDescription)")
            }
        }
    }
}
