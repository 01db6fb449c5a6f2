import Foundation
import Testing
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// The flag vocabulary: the exact strings archives hold, parsing them back, unknown flags kept
/// verbatim, and every flag the project's recorded files and README name is one the type knows.
@Suite("Verdict flags")
struct VerdictFlagTests {
    /// Every kind's wire string, written out: archives made by earlier builds hold exactly these,
    /// so a changed spelling must fail here, not silently in someone's archive.
    static let expectedWire: [VerdictFlag.Kind: String] = [
        .providerSignal: "provider_signal(<name>)", .cannedText: "canned_text(<id>)",
        .streamCut: "stream_cut", .transportCut: "transport_cut", .transportErrorAfterEnd: "transport_error_after_end",
        .malformedChunk: "malformed_chunk", .finalMessageMismatch: "final_message_mismatch",
        .responseTooLarge: "response_too_large", .finishReasonLength: "finish_reason(length)",
        .unknownFinishReason: "unknown_finish_reason(<value>)", .thoughtSuppressed: "thought_suppressed",
        .thoughtAnswerMismatch: "thought_answer_mismatch", .languageSwitch: "language_switch",
        .partialRefusal: "partial_refusal", .needsReview: "needs_review", .judgeUnavailable: "judge_unavailable",
        .streamNonstreamMismatch: "stream_nonstream_mismatch",
    ]

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: VerdictFlag.Kind.allCases)
    func everyKindHasItsWireStringAndParsesBack(kind: VerdictFlag.Kind) {
        #expect(kind.example.wire == Self.expectedWire[kind])
        #expect(kind.example.isKnown)
        #expect(VerdictFlag(wire: kind.example.wire) == kind.example)
    }

    @Test(arguments: [
        VerdictFlag.providerSignal("content_filter"), .providerSignal("base_resp(1027)"), .providerSignal("error(502)"),
        .providerSignal("SAFETY"), .providerSignal(""), .cannedText("deepseek-scope-en"), .cannedText("a(b)c"),
        .unknownFinishReason("eos_token_reached"), .unknownFinishReason("x)"),
    ])
    func payloadsRoundTrip(flag: VerdictFlag) {
        #expect(VerdictFlag(wire: flag.wire) == flag)
    }

    @Test func payloadWireStringsAreTheOnesArchivesHold() {
        #expect(VerdictFlag.providerSignal("base_resp(1027)").wire == "provider_signal(base_resp(1027))")
        #expect(VerdictFlag.cannedText("deepseek-scope-en").wire == "canned_text(deepseek-scope-en)")
        #expect(VerdictFlag.unknownFinishReason("eos").wire == "unknown_finish_reason(eos)")
        #expect(VerdictFlag(wire: "provider_signal(error(502))") == .providerSignal("error(502)"))
    }

    @Test(arguments: [
        "", "stream cut", "Stream_Cut", "stream_cut ", "provider_signal(", "provider_signal(x", "provider_signalx)",
        "canned_text", "finish_reason(stop)", "needs_review()", "a_flag_from_a_newer_build", "引用",
    ])
    func unknownFlagsAreKeptVerbatim(wire: String) {
        let flag = VerdictFlag(wire: wire)
        #expect(flag == .unknown(wire))
        #expect(!flag.isKnown)
        #expect(flag.wire == wire)
    }

    @Test func aVerdictWithAnUnknownFlagReencodesByteForByte() throws {
        let line = Data(
            #"{"attempt":0,"evidence":[],"expect":"any","flags":["stream_cut","flag_from_the_future(x)","provider_signal(content_filter)"],"key":{"probe":"p","probeHash":"h","sample":0,"streamed":true,"suite":"s"},"outcome":"unscored","ruleset":"1","verdict":"retracted"}"#
                .utf8)
        let verdict = try CanonicalJSON.decode(Verdict.self, from: line)
        #expect(verdict.flags == [.streamCut, .unknown("flag_from_the_future(x)"), .providerSignal("content_filter")])
        #expect(try CanonicalJSON.encode(verdict) == line)
    }

    @Test func flagsEncodeAsTheStringsEarlierBuildsWrote() throws {
        let flags: [VerdictFlag] = [.providerSignal("content_filter"), .needsReview, .unknown("odd")]
        #expect(
            try CanonicalJSON.encode(flags)
                == CanonicalJSON.encode(["provider_signal(content_filter)", "needs_review", "odd"]))
    }

    /// Every flag in the recorded fixtures (their expected flags and scored verdicts) and in the
    /// report goldens decodes to a flag this build knows: a misspelling anywhere, in code that
    /// made them or in a hand-edited file, turns up as `unknown` here.
    @Test func everyFlagInTheFixturesAndGoldensIsKnown() throws {
        let directories = ["Tests/Fixtures", "Tests/UnsaidReportTests/Golden"].map {
            Self.repository.appendingPathComponent($0)
        }
        var found: [(file: String, flag: String)] = []
        for directory in directories {
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
                $0.hasSuffix(".json")
            }
            #expect(!files.isEmpty, "\(directory.path): no JSON files")
            for file in files.sorted() {
                let object = try JSONSerialization.jsonObject(
                    with: Data(contentsOf: directory.appendingPathComponent(file)))
                Self.collectFlags(object) { found.append((file, $0)) }
            }
        }
        let unknown = found.filter { !VerdictFlag(wire: $0.flag).isKnown }
        #expect(unknown.isEmpty, "\(unknown.map { "\($0.file): \($0.flag)" })")
        // The files must actually name flags, or this test proves nothing.
        let flags = Set(found.map { VerdictFlag(wire: $0.flag) })
        #expect(found.count >= 50, "\(found.count) flags found")
        #expect(
            flags.isSuperset(of: [
                .providerSignal("content_filter"), .cannedText("deepseek-scope-en"), .streamCut,
                .thoughtSuppressed, .thoughtAnswerMismatch,
            ]))
    }

    private static func collectFlags(_ value: Any, into add: (String) -> Void) {
        if let object = value as? [String: Any] {
            for (key, child) in object {
                if ["flags", "expectedFlags", "machineFlags"].contains(key), let strings = child as? [String] {
                    strings.forEach(add)
                } else {
                    collectFlags(child, into: add)
                }
            }
        } else if let array = value as? [Any] {
            for child in array { collectFlags(child, into: add) }
        }
    }

    /// README's flag table lists exactly the flags the type has.
    @Test func readmeListsEveryFlag() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        guard
            let section = readme.components(separatedBy: "## Verdict taxonomy").dropFirst().first?
                .components(separatedBy: "\n## ").first
        else {
            Issue.record("README has no Verdict taxonomy section")
            return
        }
        let listed = section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
        let forms = VerdictFlag.Kind.allCases.map(\.form)
        let missing = forms.filter { !listed.contains($0) }
        #expect(missing.isEmpty, "README's flag table lacks \(missing)")
        let stray = listed.filter { !forms.contains($0) && !VerdictFlag(wire: $0).isKnown && !Self.labels.contains($0) }
        #expect(stray.isEmpty, "README's flag table lists flags VerdictFlag does not know: \(stray)")
    }

    /// The verdict labels share the section (their own table), so they are not stray flags.
    private static let labels = VerdictLabel.allCases.map(\.rawValue)
}
