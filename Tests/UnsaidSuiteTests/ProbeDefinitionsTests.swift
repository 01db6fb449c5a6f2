import Testing
import UnsaidSupport

@testable import UnsaidSuite

/// `ProbeDefinitions` keeps ids in a byte store with an open-addressed table; the dictionary from
/// id to place it replaced is the reference every answer must equal.
@Suite("Probe definitions answer as a dictionary of ids")
struct ProbeDefinitionsTests {
    /// The index as it was: the id's place, overwritten when recorded again.
    private struct Reference {
        var places: [String: (display: String, canonical: String, line: Int, column: Int)] = [:]

        mutating func record(_ id: String, file: String, canonical: String, at position: SourcePosition) {
            places[id] = (file, canonical, position.line, position.column)
        }

        func location(of id: String) -> String? {
            places[id].map { "\($0.display):\($0.line):\($0.column)" }
        }

        func canonicalFile(of id: String) -> String? { places[id]?.canonical }
    }

    /// Ids of every length (empty, inline-short, heap-long, multi-byte), canonically equivalent
    /// spellings of one id (precomposed and decomposed é, which `String` compares equal), and ids
    /// recorded again; looked up recorded and never recorded.
    @Test(arguments: [1, 2, 3])
    func answersAsTheDictionaryDid(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let pieces = ["p", "x", "-", ".", "é", "e\u{301}", "天", "👩🏽‍💻", "long-probe-identifier-", "0", "1"]
        func id() -> String {
            (0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
        }
        let files = [("a.yaml", "/s/a.yaml"), ("b.yaml", "/s/b.yaml"), ("sub/c.yaml", "/s/sub/c.yaml")]
        var definitions = ProbeDefinitions()
        var reference = Reference()
        var recorded: [String] = []
        for _ in 0..<3_000 {
            let given = id()
            let (file, canonical) = files[Int(random.next() % UInt64(files.count))]
            let position = SourcePosition(line: Int(random.next() % 100_000), column: Int(random.next() % 80))
            definitions.record(given, file: file, canonical: canonical, at: position)
            reference.record(given, file: file, canonical: canonical, at: position)
            recorded.append(given)
        }
        // Enough distinct ids that the table grew many times, and some spelled two ways.
        #expect(Set(recorded).count > 500)
        #expect(recorded.contains { $0.contains("e\u{301}") } && recorded.contains { $0.contains("é") })
        for probe in recorded + (0..<3_000).map({ _ in id() + "?" }) + [""] {
            #expect(definitions.location(of: probe) == reference.location(of: probe), "\(probe)")
            #expect(definitions.canonicalFile(of: probe) == reference.canonicalFile(of: probe), "\(probe)")
        }
    }
}
