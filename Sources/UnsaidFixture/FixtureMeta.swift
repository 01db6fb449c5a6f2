import Foundation
import UnsaidSuite
import UnsaidVerdict

/// What a fixture represents, written for the person reading the catalogue: what was asked,
/// whose wire shape the bytes follow, and what the detectors are expected to make of it.
package struct FixtureMeta: Codable, Sendable, Equatable {
    /// Unique within a directory; also the file name (`<name>.json`).
    package var name: String
    package var description: String
    /// The provider (or server) whose wire shape the bytes follow: `openai`, `azure`, `deepseek`, `llama.cpp`, …
    package var provider: String
    /// Where the shape comes from: the provider documentation or issue it follows, or "recorded".
    package var source: String
    /// The verdict the bundled ruleset must reach on the replayed transcript; nil for a plain
    /// recording nobody has reviewed yet.
    package var expectedVerdict: VerdictLabel?
    /// Flags the verdict must carry (in any order); nil when unreviewed.
    package var expectedFlags: [VerdictFlag]?
    /// A fault the replay server acts out every time it serves this fixture, in the
    /// `X-Unsaid-Fault` header grammar (see docs/replay.md).
    package var fault: String?

    package init(
        name: String, description: String, provider: String, source: String,
        expectedVerdict: VerdictLabel? = nil, expectedFlags: [VerdictFlag]? = nil, fault: String? = nil
    ) {
        self.name = name
        self.description = description
        self.provider = provider
        self.source = source
        self.expectedVerdict = expectedVerdict
        self.expectedFlags = expectedFlags
        self.fault = fault
    }
}
