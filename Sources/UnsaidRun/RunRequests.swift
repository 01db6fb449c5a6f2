import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidTarget
import UnsaidTranscript
import UnsaidVerdict

/// Why a run cannot start, continue or finish as asked: one line for the user, with nothing on
/// disk changed when it is a refusal (the CLI prints it and exits 2).
package struct RunSetupError: Error, CustomStringConvertible, Equatable {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// The run was cancelled (SIGINT/SIGTERM); what completed is archived and the manifest says
/// `interrupted`, so `run --resume directory` continues it.
package struct RunInterrupted: Error, Sendable {
    package var directory: URL
}

/// What a session needs from the world beyond its inputs, so tests can give it a stub sender.
package struct RunEnvironment: Sendable {
    package var ruleset: Ruleset
    /// A connection for a resolved target: the libcurl client in production.
    package var connect: @Sendable (TargetConfig) throws -> TargetConnection
    /// For the manifest: the commit this binary was built from (asked only when a run starts)
    /// and the host it runs on.
    package var gitCommit: @Sendable () -> String?
    package var host: String

    package init(
        ruleset: Ruleset, connect: @escaping @Sendable (TargetConfig) throws -> TargetConnection,
        gitCommit: @escaping @Sendable () -> String?, host: String
    ) {
        self.ruleset = ruleset
        self.connect = connect
        self.gitCommit = gitCommit
        self.host = host
    }
}

/// The judge asked for with `--judge-target`: its name, and how to reach it (resolved only once
/// the run's own checks have passed, so a refused resume names the first problem).
package struct JudgeChoice: Sendable {
    package var name: String
    package var resolve: @Sendable () throws -> ResolvedTarget

    package init(name: String, resolve: @escaping @Sendable () throws -> ResolvedTarget) {
        self.name = name
        self.resolve = resolve
    }
}

/// How a new run plans its requests: the suites and what the command line changes about them.
package struct RunPlanRequest: Sendable {
    package var suites: [Suite]
    /// As given (`--suite`), recorded so a resume reloads the same files.
    package var suitePaths: [String]
    /// `--transform` values as given, recorded for the same reason.
    package var transforms: [String]
    /// `--temperature`, `--top-p`, `--max-tokens`, `--seed`: win over the target's and the suite's.
    package var overrides: GenerationParameters
    package var streamMode: StreamMode?
    package var selection: RunSelection

    package init(
        suites: [Suite], suitePaths: [String], transforms: [String], overrides: GenerationParameters,
        streamMode: StreamMode?, selection: RunSelection
    ) {
        self.suites = suites
        self.suitePaths = suitePaths
        self.transforms = transforms
        self.overrides = overrides
        self.streamMode = streamMode
        self.selection = selection
    }

    /// The whole plan for one target: the target's parameters under the command line's.
    package func items(for target: ResolvedTarget) throws -> PlannedRequests {
        try RunPlanning.plan(
            suites, overrides: overrides.overriding(target.config.parameters), streamMode: streamMode,
            selection: selection)
    }
}

/// A new run against one target.
package struct NewRunRequest: Sendable {
    package var plan: RunPlanRequest
    package var target: ResolvedTarget
    package var judge: JudgeChoice?
    package var shard: ShardEnvironment.Resolved?
    /// `--out`: the run directory is created inside it.
    package var outputDirectory: URL
    /// `--run-id` (with the target's name appended when several targets run); nil: generated.
    package var runID: String?
    /// `--concurrency`; a target's own setting wins.
    package var concurrency: Int?

    package init(
        plan: RunPlanRequest, target: ResolvedTarget, judge: JudgeChoice?, shard: ShardEnvironment.Resolved?,
        outputDirectory: URL, runID: String?, concurrency: Int?
    ) {
        self.plan = plan
        self.target = target
        self.judge = judge
        self.shard = shard
        self.outputDirectory = outputDirectory
        self.runID = runID
        self.concurrency = concurrency
    }
}

/// Continuing a run that stopped: everything else comes from its manifest.
package struct ResumeRequest: Sendable {
    package var directory: String
    /// `--model` and `--base-url` given again: checked against the archive (the URL is needed
    /// again when the archived one had a secret in it).
    package var model: String?
    package var baseURL: String?
    /// Flags given now; where one is missing the run's recorded setting holds. `headers` must
    /// name the same headers as the original run.
    package var flags: TargetFlags
    package var concurrency: Int?
    package var judge: JudgeChoice?

    package init(
        directory: String, model: String?, baseURL: String?, flags: TargetFlags, concurrency: Int?,
        judge: JudgeChoice?
    ) {
        self.directory = directory
        self.model = model
        self.baseURL = baseURL
        self.flags = flags
        self.concurrency = concurrency
        self.judge = judge
    }
}

/// What a run gathers from each archived request with its provisional verdict, as the request is
/// archived or, for a resumed run, while the archive is scored as a stream (the CLI gathers its
/// problem list, a Report type, so this stage only sees the protocol). Only what is gathered
/// stays in memory, never the transcripts.
package protocol RunTally: Sendable {
    mutating func add(probe: Probe, transcript: Transcript, verdict: Verdict)
}

/// What one finished run leaves for the caller to show.
package struct RunResult<Tally: RunTally>: Sendable {
    package var directory: URL
    /// The manifest as written at the end (status, counts, file digests).
    package var manifest: Manifest
    /// Verdict counts and summary; `metricItems` only when asked for.
    package var scored: ScoredArchive
    package var tally: Tally
    /// `--record`: how many fixtures were written.
    package var fixturesRecorded: Int?
}
