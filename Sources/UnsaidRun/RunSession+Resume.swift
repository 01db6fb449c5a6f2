import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidTarget
import UnsaidTranscript
import UnsaidVerdict

extension RunSession {
    /// The resume policy. Everything is checked before the archive is touched — the same model
    /// and endpoint, the same ruleset, suites that still plan what the archive holds, the same
    /// header names and judge, a shard's same whole plan — so a resume that must be refused
    /// leaves the directory exactly as it was. Then the torn tail is cut and the chain continues.
    package static func resume(_ request: ResumeRequest, environment: RunEnvironment) throws -> RunSession {
        let ruleset = environment.ruleset
        let lock = try RunDirectory.lock(request.directory)
        let contents: ResumePoint
        do {
            contents = try ArchiveResume.inspect(URL(fileURLWithPath: request.directory))
        } catch {
            throw RunSetupError("cannot resume: \(error)")
        }
        let manifest = contents.manifest
        let endpoint = try checkTarget(manifest, model: request.model, baseURL: request.baseURL)
        guard ruleset.sha256 == manifest.ruleset.sha256 else {
            throw RunSetupError(
                "cannot resume: the run was scored with ruleset \(manifest.ruleset.version) (\(manifest.ruleset.sha256.prefix(12))), this unsaid has \(ruleset.version) (\(ruleset.sha256.prefix(12))); start a new run"
            )
        }
        let suites = try RunPlanning.loadSuites(
            manifest.arguments.suitePaths, transforms: manifest.arguments.transforms ?? [])
        let recordedSources = Set(manifest.suites.flatMap(\.sources))
        for source in suites.flatMap(\.sources) where !recordedSources.contains(source) {
            throw RunSetupError(
                "cannot resume: suite file \(source.path) changed since the run started (SHA-256 now \(source.sha256.prefix(12)))"
            )
        }
        guard request.flags.headers.keys.sorted() == manifest.arguments.headerNames else {
            throw RunSetupError(
                "cannot resume: pass the same --header options as the original run (names: \(manifest.arguments.headerNames.joined(separator: ", ")))"
            )
        }
        if let judge = manifest.judge, request.judge?.name != judge.name {
            throw RunSetupError(
                "cannot resume: the run was judged by target '\(judge.name)'; pass --judge-target \(judge.name)")
        }
        if manifest.judge == nil, let judge = request.judge {
            throw RunSetupError("cannot resume: the run had no judge; drop --judge-target \(judge.name)")
        }
        let judge = try request.judge.map { try environment.connect($0.resolve().config) }
        let plan = try plannedPart(of: suites, manifest: manifest)
        // Follow-up turns are not in the plan: they are sent when an answer calls for them. The
        // archive's keys are crossed off as the plan passes (no set of the whole plan is built);
        // the first one left over, in key order, is the one named.
        var unplanned = contents.plannedKeys
        for key in plan.keys where !unplanned.isEmpty { unplanned.remove(key) }
        if !unplanned.isEmpty {
            // The keys are kept as digests: the one to name is read from the archive again.
            let stray: WorkKey?
            do { stray = try unplanned.smallest(in: contents.layout) } catch {
                throw RunSetupError("cannot resume: \(error)")
            }
            throw RunSetupError(
                "cannot resume: the archive holds \(stray.map { "\($0)" } ?? "\(unplanned.count) requests"), which the suites no longer plan"
            )
        }
        // Flags given now win; otherwise the run carries on as it was started.
        let recorded = manifest.arguments.settings
        let flags = request.flags.filling(
            from: TargetFlags(
                apiKeyEnv: manifest.arguments.apiKeyEnv, connectTimeout: recorded?.connectTimeout,
                totalTimeout: recorded?.timeout, stallTimeout: recorded?.stallTimeout, attempts: recorded?.attempts))
        let connection = try environment.connect(
            flags.resolve(name: manifest.target.name, baseURL: endpoint, model: manifest.target.model).config)

        let concurrency = request.concurrency ?? recorded?.concurrency ?? RunPlanning.defaultConcurrency
        // All checks passed: now repair the torn tail and continue the chain.
        let repaired: ResumePoint
        let archive: ArchiveWriter
        do {
            repaired = try ArchiveResume.repair(contents, engine: VerdictEngine(ruleset: ruleset))
            var continued = manifest
            continued.status = .running
            archive = try ArchiveWriter(
                continuing: repaired, manifest: continued, gathering: GroupCommit.Gathering(concurrency: concurrency))
        } catch {
            throw RunSetupError("cannot resume: \(error)")
        }
        return RunSession(
            layout: repaired.layout, items: plan.filter(keys: { !repaired.keys.contains($0) }),
            alreadyDone: repaired.recordCount,
            target: connection, judge: judge,
            concurrency: concurrency,
            rateLimit: recorded?.rateLimit,
            resumed: Resumed(
                runID: manifest.runID, archived: repaired.recordCount, planned: plan.count,
                tornLine: contents.tornTail?.line),
            shard: nil, ruleset: ruleset, archive: archive, lock: lock)
    }

    /// The base URL to continue with: the archived one, unless it had a secret in it (then it
    /// must be given again). `--model` and `--base-url`, when given, must name the same target.
    private static func checkTarget(_ manifest: Manifest, model: String?, baseURL: String?) throws -> String {
        if let model, model != manifest.target.model {
            throw RunSetupError("cannot resume: the run was against model '\(manifest.target.model)', not '\(model)'")
        }
        let recordedURL = manifest.target.baseURL
        let hadSecret = recordedURL.contains(SecretScrubber.placeholder)
        if let baseURL, baseURL != recordedURL, !hadSecret {
            throw RunSetupError(
                "cannot resume: the run was against \(recordedURL), not \(RedactionPolicy().redact(url: baseURL))")
        }
        guard let endpoint = baseURL ?? (hadSecret ? nil : recordedURL) else {
            throw RunSetupError("cannot resume: the archived base URL had a secret in it; pass --base-url again")
        }
        return endpoint
    }

    /// The archived run's plan, planned again from its suites; a shard resumes its own part of
    /// the same whole plan, or not at all.
    private static func plannedPart(of suites: [Suite], manifest: Manifest) throws -> PlannedRequests {
        let whole = try RunPlanning.plan(
            suites, overrides: manifest.target.parameters,
            streamMode: manifest.arguments.forcedStreamMode,
            selection: manifest.arguments.selection ?? RunSelection())
        guard let info = manifest.shard else { return whole }
        guard PlanDigest.digest(whole.keys) == info.planDigest,
            let shard = Shard(index: info.index, count: info.count)
        else {
            throw RunSetupError(
                "cannot resume: the suites no longer plan what shard \(info.name) was part of (plan digest differs)")
        }
        return whole.filter(keys: shard.contains)
    }
}

/// The lock of an existing run directory, for every command that changes one.
package enum RunDirectory {
    /// Takes the exclusive lock, or refuses with one line naming the process that holds it.
    package static func lock(_ path: String) throws -> ArchiveLock {
        let directory = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw RunSetupError("\(path): no such run directory")
        }
        do {
            return try ArchiveLock.acquire(directory)
        } catch {
            throw RunSetupError("\(error)")
        }
    }
}
