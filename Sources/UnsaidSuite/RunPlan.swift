import Foundation

/// Identifies one request of a run: a probe, one of its samples, in one transport mode.
/// Resume, replay and compare all key on it.
package struct WorkKey: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    package var suite: String
    package var probe: String
    package var probeHash: String
    package var sample: Int
    package var streamed: Bool

    package init(suite: String, probe: String, probeHash: String, sample: Int, streamed: Bool) {
        self.suite = suite
        self.probe = probe
        self.probeHash = probeHash
        self.sample = sample
        self.streamed = streamed
    }

    /// The key as archives, fixture names, follow-up links and `unsaid review --set` spell it
    /// (`starter/p#0@json`). Kept in this form because existing archives and fixtures are
    /// named by it; people read `displayName` instead.
    package var description: String {
        "\(suite)/\(probe)#\(sample)@\(streamed ? "stream" : "json")"
    }

    /// The key as terminal output and reports show it, in a suite's own words for the mode:
    /// `starter/p#0 (stream: off)`.
    package var displayName: String { Self.displayName(suite: suite, probe: probe, sample: sample, streamed: streamed) }

    /// `on` or `off`, as a suite's `stream:` setting and `--stream` say it.
    package var streamSetting: String { Self.streamSetting(streamed) }

    package static func streamSetting(_ streamed: Bool) -> String { streamed ? "on" : "off" }

    package static func displayName(suite: String, probe: String, sample: Int, streamed: Bool) -> String {
        "\(suite)/\(probe)#\(sample) (stream: \(streamSetting(streamed)))"
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

/// One request to send: the probe with the sample's seed and the mode settled.
package struct WorkItem: Sendable, Hashable {
    package var key: WorkKey
    package var probe: Probe
    package var parameters: GenerationParameters

    package init(key: WorkKey, probe: Probe, parameters: GenerationParameters) {
        self.key = key
        self.probe = probe
        self.parameters = parameters
    }
}

/// Expands a suite into the exact list of requests a run sends, in a stable order.
package enum RunPlan {
    /// - Parameter streamOverride: `true`/`false` forces every probe into one mode (CLI `--stream`
    ///   / `--no-stream`); `nil` keeps each probe's own `stream` setting.
    ///
    /// Throws `ProbeHashError` when a probe's content hash cannot be computed.
    package static func items(for suite: Suite, streamOverride: Bool? = nil) throws -> [WorkItem] {
        try items(for: suite, streamMode: streamOverride.map { $0 ? .on : .off })
    }

    /// - Parameter streamMode: forces every probe into one mode, or both (CLI `--stream
    ///   on|off|both`); `nil` keeps each probe's own `stream` setting.
    package static func items(for suite: Suite, streamMode: StreamMode?) throws -> [WorkItem] {
        var items: [WorkItem] = []
        for probe in suite.probes {
            let modes: [Bool]
            switch streamMode ?? probe.stream {
            case .on: modes = [true]
            case .off: modes = [false]
            case .both: modes = [true, false]
            }
            let hash = try probe.contentHash
            for sample in 0..<max(1, probe.repeatCount) {
                var parameters = probe.parameters
                // Distinct samples need distinct seeds, or a seeded server returns the same text.
                if let seed = parameters.seed { parameters.seed = seed + sample }
                for streamed in modes {
                    let key = WorkKey(
                        suite: suite.id, probe: probe.id, probeHash: hash,
                        sample: sample, streamed: streamed)
                    items.append(WorkItem(key: key, probe: probe, parameters: parameters))
                }
            }
        }
        return items
    }

    /// Several suites in one run (`unsaid run Probes/` or `unsaid run a.yaml b.yaml`): each
    /// suite's items in suite order. Keys stay distinct because they carry the suite id.
    package static func items(for suites: [Suite], streamOverride: Bool? = nil) throws -> [WorkItem] {
        try suites.flatMap { try items(for: $0, streamOverride: streamOverride) }
    }

    package static func items(for suites: [Suite], streamMode: StreamMode?) throws -> [WorkItem] {
        try suites.flatMap { try items(for: $0, streamMode: streamMode) }
    }
}
