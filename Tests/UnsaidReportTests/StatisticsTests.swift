import Testing
@testable import UnsaidSuite
@testable import UnsaidReport

/// Expected values computed by hand from the closed forms (Wilson) and from exact binomial sums
/// (McNemar: e.g. b=1, c=8 → 2·(C(9,0)+C(9,1))/2⁹ = 20/512).
@Suite("Statistics: Wilson intervals and exact McNemar")
struct StatisticsTests {
    private func close(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(actual - expected) <= tolerance
    }

    @Test(arguments: [
        (8, 10, 0.49016247153664183, 0.9433178485456247),
        (0, 10, 0.0, 0.2775327998628892),
        (10, 10, 0.7224672001371107, 1.0),
        (1, 2, 0.09453120573423074, 0.9054687942657693),
        (5, 9, 0.26665129349549305, 0.8112214789023355),
        (470, 1000, 0.43923991460215, 0.5009896909069833),
    ])
    func wilson95(successes: Int, total: Int, lower: Double, upper: Double) {
        let interval = Wilson.interval(successes: successes, total: total)
        #expect(close(interval.lower, lower), "lower \(interval.lower)")
        #expect(close(interval.upper, upper), "upper \(interval.upper)")
    }

    @Test func wilsonRoundsToTheTextbookFigures() {
        let interval = Wilson.interval(successes: 8, total: 10)
        #expect((interval.lower * 10_000).rounded() == 4902)
        #expect((interval.upper * 10_000).rounded() == 9433)
        let none = Wilson.interval(successes: 0, total: 10)
        #expect(none.lower == 0)
        #expect((none.upper * 10_000).rounded() == 2775)
    }

    @Test func wilsonEdgesAreExact() {
        #expect(Wilson.interval(successes: 0, total: 3).lower == 0)
        #expect(Wilson.interval(successes: 3, total: 3).upper == 1)
        let empty = Wilson.interval(successes: 0, total: 0)
        #expect(empty.lower == 0 && empty.upper == 1)
    }

    @Test func wilsonHonoursZ() {
        let interval = Wilson.interval(successes: 8, total: 10, z: 1.6448536269514722)
        #expect(close(interval.lower, 0.540792805687488))
        #expect(close(interval.upper, 0.931442012262468))
    }

    @Test(arguments: [
        (1, 8, 0.0390625),
        (8, 1, 0.0390625),
        (0, 5, 0.0625),
        (3, 3, 1.0),
        (0, 0, 1.0),
        (10, 0, 0.001953125),
        (4, 0, 0.125),
        (7, 20, 0.0191572904586792),
    ])
    func mcnemarExact(b: Int, c: Int, p: Double) {
        #expect(close(McNemar.exactPValue(b: b, c: c), p, 1e-12), "p \(McNemar.exactPValue(b: b, c: c))")
    }

    @Test func mcnemarStaysAccurateForThousandsOfPairs() {
        // 2^2200 overflows a Double; the log-space sum must not.
        let p = McNemar.exactPValue(b: 1000, c: 1200)
        #expect(abs(p - 2.1817026407914712e-05) / 2.1817026407914712e-05 < 1e-9, "p \(p)")
        let q = McNemar.exactPValue(b: 2000, c: 2100)
        #expect(abs(q - 0.12206497999113813) < 1e-9, "p \(q)")
    }
}
