import Foundation
import UnsaidSuite
import UnsaidSupport

/// An exact McNemar test on paired answered / not-answered outcomes.
package struct McNemarResult: Codable, Sendable, Equatable {
    /// `overall` or `category:<name>`.
    package var scope: String
    /// Pairs where both runs answered.
    package var bothAnswered: Int
    /// Discordant pairs: only the left run answered (McNemar's b).
    package var onlyLeftAnswered: Int
    /// Discordant pairs: only the right run answered (McNemar's c).
    package var onlyRightAnswered: Int
    /// Pairs where neither answered.
    package var neitherAnswered: Int
    /// Two-sided exact p-value; 1 without discordant pairs.
    package var pValue: Double

    package var pairs: Int { bothAnswered + onlyLeftAnswered + onlyRightAnswered + neitherAnswered }
}

/// A paired request whose verdict differs between the two runs.
package struct VerdictFlip: Sendable, Equatable {
    package var slot: ProbePairing.Slot
    package var probe: Probe
    package var left: VerdictLabel
    package var right: VerdictLabel
    /// First ~120 characters of each answer.
    package var leftExcerpt: String
    package var rightExcerpt: String

    /// Whether the flip crosses answered / not answered (what McNemar counts).
    package var changesAnswer: Bool { (left == .answered) != (right == .answered) }
}

/// Two runs side by side: how many requests paired, whether their answer rates differ beyond
/// chance, and which requests flipped.
///
/// Pairs where either side is `error` are left out of the test and the flips: a failed request
/// says nothing about the model.
package struct RunComparison: Sendable {
    package var left: Int
    package var right: Int
    package var pairing: ProbePairing
    /// Overall first, then one per category present in the paired requests.
    package var tests: [McNemarResult]
    package var flips: [VerdictFlip]

    /// - Parameters: left/right: indices of the runs in the document.
    /// - Throws: when a flipped request's entry, read back for its answer, is not what the
    ///   archive held when the run was loaded.
    package init(left: Int, right: Int, leftRun: ReportRun, rightRun: ReportRun) throws {
        self.left = left
        self.right = right
        let pairing = ProbePairing(left: leftRun.requests, right: rightRun.requests)
        self.pairing = pairing
        let usable = pairing.pairs.filter { $0.left.verdict != .error && $0.right.verdict != .error }
        // Follow-up turns are sent only after some verdicts; like the rates, the tests count first turns.
        let firstTurns = usable.filter { !$0.left.isFollowUp }
        var tests = [RunComparison.test(.overall, firstTurns)]
        for category in Set(firstTurns.map(\.left.category)).sorted() {
            tests.append(RunComparison.test(.category(category), firstTurns.filter { $0.left.category == category }))
        }
        self.tests = tests
        // Only the flipped requests' entries are read back, for their probes and answers.
        let flipped = usable.filter { $0.left.verdict != $0.right.verdict }
        var lefts: [(probe: Probe, excerpt: String)] = []
        try leftRun.entries(at: flipped.map(\.leftIndex)) { _, entry in
            lefts.append((entry.probe, Excerpt.ofAnswer(entry)))
        }
        var rightExcerpts: [String] = []
        try rightRun.entries(at: flipped.map(\.rightIndex)) { _, entry in rightExcerpts.append(Excerpt.ofAnswer(entry))
        }
        flips = zip(flipped, zip(lefts, rightExcerpts)).map { pair, excerpts in
            VerdictFlip(
                slot: pair.slot, probe: excerpts.0.probe, left: pair.left.verdict, right: pair.right.verdict,
                leftExcerpt: excerpts.0.excerpt, rightExcerpt: excerpts.1)
        }
    }

    /// Why two runs share no request at all, in one line; nil when some requests pair.
    /// A comparison without pairs would print a p-value of 1 and "nothing changed", which
    /// reads like agreement when it is only the absence of evidence.
    package static func whyNothingPairs(_ comparison: RunComparison, leftRun: ReportRun, rightRun: ReportRun) -> String?
    {
        let pairing = comparison.pairing
        guard pairing.pairs.isEmpty else { return nil }
        let left = leftRun.label, right = rightRun.label
        let leftSuites = Set(leftRun.requests.map(\.suite)), rightSuites = Set(rightRun.requests.map(\.suite))
        let reason: String
        if leftRun.requests.isEmpty || rightRun.requests.isEmpty {
            reason = "\(leftRun.requests.isEmpty ? left : right) has no scored request"
        } else if leftSuites.isDisjoint(with: rightSuites) {
            reason =
                "they ran different suites (\(leftSuites.sorted().joined(separator: ", ")) vs \(rightSuites.sorted().joined(separator: ", ")))"
        } else if !pairing.changed.isEmpty
            && Set(leftRun.requests.map { "\($0.suite)/\($0.probe)" })
                .isSubset(of: Set(pairing.changed.map { "\($0.suite)/\($0.probe)" }))
        {
            reason =
                "every shared probe changed between the runs (\(pairing.changed.count) probe\(pairing.changed.count == 1 ? "" : "s"))"
        } else {
            let leftModes = Set(leftRun.requests.map(\.streamed)),
                rightModes = Set(rightRun.requests.map(\.streamed))
            if leftModes.isDisjoint(with: rightModes) {
                let name = { (modes: Set<Bool>) in "stream: \(WorkKey.streamSetting(modes.contains(true)))" }
                reason =
                    "\(left) ran with \(name(leftModes)) and \(right) with \(name(rightModes)); compare runs of one mode, or run with --stream both"
            } else if !pairing.changed.isEmpty {
                reason = "\(pairing.changed.count) probes changed and no other request is in both runs"
            } else {
                reason = "no probe, sample and mode is in both runs"
            }
        }
        return "nothing to compare: \(left) and \(right) share no request: \(reason)"
    }

    static func test(_ scope: MetricScope, _ pairs: [ProbePairing.Pair]) -> McNemarResult {
        var both = 0, onlyLeft = 0, onlyRight = 0, neither = 0
        for pair in pairs {
            switch (pair.left.verdict == .answered, pair.right.verdict == .answered) {
            case (true, true): both += 1
            case (true, false): onlyLeft += 1
            case (false, true): onlyRight += 1
            case (false, false): neither += 1
            }
        }
        return McNemarResult(
            scope: scope.description, bothAnswered: both, onlyLeftAnswered: onlyLeft,
            onlyRightAnswered: onlyRight, neitherAnswered: neither,
            pValue: McNemar.exactPValue(b: onlyLeft, c: onlyRight))
    }
}
