import Foundation
import UnsaidSuite

/// A request of a run named the way `WorkKey.description` prints it,
/// `SUITE/PROBE#SAMPLE@MODE` (e.g. `starter/tiananmen-1989#0@stream`), or the way terminal
/// output and reports show it, `starter/tiananmen-1989#0 (stream: on)`. The probe's content
/// hash is left out so a person can type it; within one run the other four parts are unique.
package struct RequestReference: Sendable, Hashable, CustomStringConvertible {
    package var suite: String
    package var probe: String
    package var sample: Int
    package var streamed: Bool

    package init(_ key: WorkKey) {
        self.init(suite: key.suite, probe: key.probe, sample: key.sample, streamed: key.streamed)
    }

    package init(suite: String, probe: String, sample: Int, streamed: Bool) {
        self.suite = suite
        self.probe = probe
        self.sample = sample
        self.streamed = streamed
    }

    /// Parses `SUITE/PROBE#SAMPLE@stream|json` or `SUITE/PROBE#SAMPLE (stream: on|off)`. Mode
    /// and sample are taken from the right and the suite from the left, so a probe id may itself
    /// contain `/`, `#` or `@`.
    package init?(parsing text: String) {
        let head: Substring
        let streamed: Bool
        if text.hasSuffix(" (stream: on)") || text.hasSuffix(" (stream: off)") {
            streamed = text.hasSuffix(" (stream: on)")
            head = text.dropLast(streamed ? " (stream: on)".count : " (stream: off)".count)
        } else {
            guard let at = text.lastIndex(of: "@") else { return nil }
            let mode = text[text.index(after: at)...]
            guard mode == "stream" || mode == "json" else { return nil }
            head = text[..<at]
            streamed = mode == "stream"
        }
        guard let hash = head.lastIndex(of: "#"), let sample = Int(head[head.index(after: hash)...]), sample >= 0 else {
            return nil
        }
        let path = head[..<hash]
        guard let slash = path.firstIndex(of: "/") else { return nil }
        let suite = String(path[..<slash])
        let probe = String(path[path.index(after: slash)...])
        guard !suite.isEmpty, !probe.isEmpty else { return nil }
        self.init(suite: suite, probe: probe, sample: sample, streamed: streamed)
    }

    /// The archive form, as `WorkKey.description` spells it.
    package var description: String { "\(suite)/\(probe)#\(sample)@\(streamed ? "stream" : "json")" }

    /// The form people read, as `WorkKey.displayName` spells it.
    package var displayName: String {
        WorkKey.displayName(suite: suite, probe: probe, sample: sample, streamed: streamed)
    }

    /// A key stored in archive form (`s/p#0@json`, as run problems and follow-up links keep it)
    /// in the form people read; text that is not a key is returned as it is.
    package static func displayName(of key: String) -> String {
        RequestReference(parsing: key)?.displayName ?? key
    }

    package func matches(_ key: WorkKey) -> Bool {
        key.suite == suite && key.probe == probe && key.sample == sample && key.streamed == streamed
    }
}
