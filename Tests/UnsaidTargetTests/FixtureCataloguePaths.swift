import Foundation
import UnsaidFixture

/// Where the catalogue lives and the switches that rewrite it.
enum FixtureCataloguePaths {
    /// `Tests/Fixtures`, found from this file so tests run from any working directory.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// `UNSAID_UPDATE_GOLDEN=1` rewrites the golden verdict files instead of comparing with them.
    static var updatingGoldens: Bool { ProcessInfo.processInfo.environment["UNSAID_UPDATE_GOLDEN"] == "1" }

    /// `UNSAID_WRITE_FIXTURES=1` rewrites the hand-built fixtures from `FixtureCatalogueSource`.
    static var writingFixtures: Bool { ProcessInfo.processInfo.environment["UNSAID_WRITE_FIXTURES"] == "1" }

    /// `UNSAID_RECORD_LLAMA=1` re-records the llama.cpp fixture from the local server.
    static var recordingLlama: Bool { ProcessInfo.processInfo.environment["UNSAID_RECORD_LLAMA"] == "1" }

    /// Fixture names (file names without `.json`), sorted; golden files excluded.
    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") && !$0.hasSuffix(Fixture.verdictSuffix) }
            .map { String($0.dropLast(".json".count)) }
            .sorted()
    }

    static func fixture(_ name: String) -> URL { directory.appendingPathComponent(name + ".json") }
    static func golden(_ name: String) -> URL { directory.appendingPathComponent(name + Fixture.verdictSuffix) }
}
