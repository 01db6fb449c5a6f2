import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidArchive
import UnsaidReplay

/// Names that become file names are checked as names: nothing is written or read outside the
/// directory it belongs in.
@Suite("Paths stay inside", .serialized)
struct PathContainmentTests {
    @Test(arguments: ["../../x", "a/b", "a\nb", ".hidden", ""])
    func hostileRunIDsAreRefusedWithOneLine(runID: String) async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let nested = work.appendingPathComponent("deep/er")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        let suite = try CLIHarness.writeSuite(in: nested, count: 1)
        let result = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--run-id", runID],
            directory: nested)
        #expect(result.status == 2, "\(result.stderr)")
        // One line naming the flag.
        #expect(
            result.stderr.hasPrefix("error: --run-id ") && result.stderr.filter { $0 == "\n" }.count == 1,
            "\(result.stderr)")
        // Nothing was created anywhere: not under Results, not beside it.
        #expect(!FileManager.default.fileExists(atPath: nested.appendingPathComponent("Results").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == ["deep"])
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("x").path))
    }

    @Test func rescoreRefusesARulesetWhoseVersionOrFilesAreAPath() async throws {
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await LoopbackServer.start { _ in
            .sse(events: CLIHarness.answerEvents("Fine."), interval: .zero)
        }
        defer { Task { try? await server.shutdown() } }
        let suite = try CLIHarness.writeSuite(in: work, count: 1)
        let run = try await CLIHarness.run(
            ["run", "--suite", suite, "--base-url", server.baseURL, "--model", "m", "--run-id", "r"], directory: work)
        #expect(run.status == 0, "\(run.stderr)")
        let bundled = CLIHarness.packageRoot.appendingPathComponent("Sources/UnsaidVerdict/Rules")
        let manifestData = try Data(contentsOf: bundled.appendingPathComponent("ruleset.json"))
        let manifest = try #require(JSONValue.parse(manifestData)?.objectValue)

        let hostile: [(String, JSONValue, String)] = [
            ("version", .string("../../../escaped"), "version"),
            ("files", .array([.string("../../../../etc/passwd")]), "file name"),
            ("files", .array([.string("/etc/passwd")]), "file name"),
        ]
        for (index, (field, value, complaint)) in hostile.enumerated() {
            let rules = work.appendingPathComponent("rules-\(index)")
            try FileManager.default.copyItem(at: bundled, to: rules)
            var edited = manifest
            edited[field] = value
            try CanonicalJSON.encode(JSONValue.object(edited)).write(to: rules.appendingPathComponent("ruleset.json"))
            let result = try await CLIHarness.run(["rescore", "Results/r", "--rules", rules.path], directory: work)
            #expect(result.status == 2, "\(field): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains(complaint) && result.stderr.contains("not a plain name"), "\(result.stderr)")
        }
        // Nothing escaped the run directory, and the run directory holds only what the run wrote.
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("escaped.jsonl").path))
        let names = try FileManager.default.contentsOfDirectory(atPath: work.deletingLastPathComponent().path)
        #expect(!names.contains { $0.hasPrefix("escaped") })
        let files = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("Results/r").path)
        #expect(
            !files.contains {
                ($0.hasPrefix("verdicts.") && $0 != ArchiveLayout.verdictsName) || $0.hasPrefix("metrics.")
            })
    }
}
