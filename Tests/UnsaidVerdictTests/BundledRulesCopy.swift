import Foundation
import Testing
import UnsaidVerdict

/// Copies the bundled rule directory into a fresh temporary directory, so a test can edit it.
func copyOfBundledRules() throws -> URL {
    let source = try #require(Ruleset.bundledDirectory)
    let target = FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-rules-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: source, to: target)
    return target
}
