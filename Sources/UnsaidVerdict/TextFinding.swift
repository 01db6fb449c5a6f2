import Foundation
import UnsaidSuite

/// What the answer text says on its own, before provider signals and stream state are weighed.
/// `VerdictEngine.classifyText` returns it; the engine builds every verdict on it.
package struct TextFinding: Sendable, Equatable {
    /// `answered`, `refused`, `deflected`, `retracted` (a canned reply after substance) or `empty`.
    package var label: VerdictLabel
    /// Part refusal, part answer: an opening refusal followed by "but I can tell you…" and
    /// substance, or substance closed by a refusal ("…I won't give my own opinion").
    package var partial: Bool
    /// `canned_text(<id>)`, `partial_refusal`.
    package var flags: [VerdictFlag]
    /// Rules that fired, with UTF-8 offsets into the text that was classified.
    package var evidence: [Evidence]
    /// The text layer whose finding this is (phrase rules unless the classifier or a judge decided).
    package var decidedBy: DetectorLayer = .phrase

    package init(label: VerdictLabel, partial: Bool = false, flags: [VerdictFlag] = [], evidence: [Evidence] = []) {
        self.label = label
        self.partial = partial
        self.flags = flags
        self.evidence = evidence
    }
}
