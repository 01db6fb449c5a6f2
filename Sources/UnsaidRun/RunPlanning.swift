import Foundation
import UnsaidSuite

/// Suites to requests: what a new run, a resumed run and `--dry-run` plan the same way.
package enum RunPlanning {
    /// `--concurrency` when neither the command line, the target nor a resumed run sets it.
    package static let defaultConcurrency = 4

    /// The suites at `paths` (bundled `Probes/…` found where installed), with `transforms` expanded.
    package static func loadSuites(_ paths: [String], transforms: [String]) throws -> [Suite] {
        do {
            let suites = try SuiteLoader.load(paths: paths.map(InstalledResources.suitePath))
            return try TransformExpansion.expand(suites, with: transforms.map(TransformSpec.parse))
        } catch let errors as SuiteErrors {
            throw RunSetupError("\(errors)")
        } catch let error as TransformSpecError {
            throw RunSetupError("\(error)")
        }
    }

    /// The selected requests, each probe's parameters under `overrides`, built as they are sent
    /// (memory for a few bytes a request, not for copies of the probes). A probe that cannot be
    /// hashed is a suite problem: refused before anything is sent.
    package static func plan(
        _ suites: [Suite], overrides: GenerationParameters, streamMode: StreamMode?,
        selection: RunSelection
    ) throws -> PlannedRequests {
        do {
            return try PlannedRequests(
                suites: suites, streamMode: streamMode, selection: selection, overrides: overrides)
        } catch let error as ProbeHashError {
            throw RunSetupError(error.description)
        }
    }

    /// The directory-name suffix that keeps the shards of one run id apart: `-shard-2-of-8`.
    package static func runIDSuffix(index: Int, count: Int) -> String { "-shard-\(index)-of-\(count)" }

    /// The manifest's `target.streamMode` for a forced mode (names kept from older archives).
    static func manifestName(_ mode: StreamMode) -> String {
        switch mode {
        case .on: "stream"
        case .off: "no-stream"
        case .both: "both"
        }
    }

    /// The manifest's `streamOverride` (older archives' field): nil for `both`, which it cannot say.
    static func streamOverride(_ mode: StreamMode) -> Bool? {
        switch mode {
        case .on: true
        case .off: false
        case .both: nil
        }
    }
}
