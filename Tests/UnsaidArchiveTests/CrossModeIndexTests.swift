import Testing
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict
@testable import UnsaidArchive

/// The flat, sorted cross-mode index against the dictionary it replaced (kept here as the
/// reference): the same marks for the same records, over many samples with both modes, one
/// mode, and a mode archived more than once (the last record of a mode wins).
@Suite("Cross-mode index")
struct CrossModeIndexTests {
    /// The index as it was: a dictionary by sample, the last record of each mode overwriting.
    private struct ReferenceIndex {
        struct Entry {
            var streamed: (position: Int, label: VerdictLabel)?
            var nonStreamed: (position: Int, label: VerdictLabel)?
        }
        var entries: [String: Entry] = [:]

        mutating func add(_ key: WorkKey, label: VerdictLabel, position: Int) {
            let id = "\(key.suite)\u{0}\(key.probe)\u{0}\(key.probeHash)\u{0}\(key.sample)"
            if key.streamed {
                entries[id, default: Entry()].streamed = (position, label)
            } else {
                entries[id, default: Entry()].nonStreamed = (position, label)
            }
        }

        func disagreeing() -> [Int: String] {
            var marked: [Int: String] = [:]
            for entry in entries.values {
                guard let streamed = entry.streamed, let nonStreamed = entry.nonStreamed,
                    let left = VerdictEngine.disposition(streamed.label),
                    let right = VerdictEngine.disposition(nonStreamed.label), left != right
                else { continue }
                marked[streamed.position] = "\(nonStreamed.label) false"
                marked[nonStreamed.position] = "\(streamed.label) true"
            }
            return marked
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func marksTheSamePositionsAsTheDictionaryIndex(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var index = CrossModeIndex()
        var reference = ReferenceIndex()
        let count = 2_000
        for position in 0..<count {
            // Few samples for many records: most samples get both modes, some a mode twice.
            let key = WorkKey(
                suite: ["a", "b"][Int.random(in: 0...1, using: &random)],
                probe: "p\(Int.random(in: 0..<50, using: &random))",
                probeHash: ["h1", "h2"][Int.random(in: 0...1, using: &random)],
                sample: Int.random(in: 0...1, using: &random), streamed: Bool.random(using: &random))
            let label = VerdictLabel.allCases.randomElement(using: &random) ?? .answered
            index.add(key, label: label, position: position)
            reference.add(key, label: label, position: position)
        }
        let marked = index.disagreeing().mapValues { "\($0.other) \($0.otherIsStreamed)" }
        let expected = reference.disagreeing()
        // Enough pairs disagree that a wrong grouping would show.
        #expect(expected.count >= 100)
        #expect(marked == expected)
    }

    @Test func theLastRecordOfAModeWins() {
        func key(_ streamed: Bool) -> WorkKey {
            WorkKey(suite: "s", probe: "p", probeHash: "h", sample: 0, streamed: streamed)
        }
        var index = CrossModeIndex()
        index.add(key(true), label: .refused, position: 0)
        index.add(key(false), label: .refused, position: 1)
        index.add(key(true), label: .answered, position: 2)
        let marked = index.disagreeing()
        #expect(marked.keys.sorted() == [1, 2])
        #expect(marked[2]?.other == .refused && marked[2]?.otherIsStreamed == false)
        #expect(marked[1]?.other == .answered && marked[1]?.otherIsStreamed == true)
    }
}
