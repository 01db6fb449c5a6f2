import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// `manifest.json`: what was run, against what, with which rules, and what came out. It commits
/// to every other file of the run through their SHA-256 and the transcript chain head.
package struct Manifest: Codable, Sendable, Equatable {
    package static let currentFormatVersion = 1

    package struct Tool: Codable, Sendable, Equatable {
        package var name: String
        package var version: String
        package var gitCommit: String?

        package init(name: String = "unsaid", version: String = UnsaidVersion.string, gitCommit: String?) {
            self.name = name
            self.version = version
            self.gitCommit = gitCommit
        }
    }

    package struct TargetInfo: Codable, Sendable, Equatable {
        package var name: String
        /// Base URL with any secret in it redacted.
        package var baseURL: String
        package var model: String
        package var parameters: GenerationParameters
        /// `stream`, `no-stream`, or `per-probe`.
        package var streamMode: String

        package init(name: String, baseURL: String, model: String, parameters: GenerationParameters, streamMode: String)
        {
            self.name = name
            self.baseURL = baseURL
            self.model = model
            self.parameters = parameters
            self.streamMode = streamMode
        }
    }

    package struct SuiteInfo: Codable, Sendable, Equatable {
        package var id: String
        package var version: String
        package var probes: Int
        package var sources: [SuiteSource]

        package init(id: String, version: String, probes: Int, sources: [SuiteSource]) {
            self.id = id
            self.version = version
            self.probes = probes
            self.sources = sources
        }
    }

    package struct RulesetInfo: Codable, Sendable, Equatable {
        package var version: String
        package var sha256: String

        package init(version: String, sha256: String) {
            self.version = version
            self.sha256 = sha256
        }
    }

    package struct FileDigest: Codable, Sendable, Equatable {
        package var sha256: String
        package var bytes: Int
        package var lines: Int
    }

    /// What the run was asked to do, so `unsaid run --resume` can carry on without the original
    /// command line. Header values are not stored (they may hold credentials), only their names.
    package struct RunArguments: Codable, Sendable, Equatable {
        package var suitePaths: [String]
        package var streamOverride: Bool?
        package var apiKeyEnv: String
        package var headerNames: [String]
        /// `--transform` values as given (`nil` when none), so a resume plans the same rewrites.
        package var transforms: [String]?
        /// `--stream both` (which `streamOverride` cannot say); nil in older archives and when
        /// `streamOverride` says it all.
        package var streamMode: StreamMode?
        /// The part of the suites the run sends (`--filter`, `--tag`, …); nil: all of them.
        package var selection: RunSelection?
        /// How the run was paced and timed, so a resume carries on the same way; nil in
        /// archives written before these were recorded.
        package var settings: RunSettings?

        package init(
            suitePaths: [String], streamOverride: Bool?, apiKeyEnv: String, headerNames: [String],
            streamMode: StreamMode? = nil, selection: RunSelection? = nil, settings: RunSettings? = nil,
            transforms: [String]? = nil
        ) {
            self.suitePaths = suitePaths
            self.streamOverride = streamOverride
            self.apiKeyEnv = apiKeyEnv
            self.headerNames = headerNames
            self.transforms = transforms
            self.streamMode = streamMode
            self.selection = selection
            self.settings = settings
        }

        /// The stream mode the run forced on every probe, if any.
        package var forcedStreamMode: StreamMode? {
            streamMode ?? streamOverride.map { $0 ? .on : .off }
        }
    }

    /// Concurrency, rate limit, timeouts and attempts of a run.
    package struct RunSettings: Codable, Sendable, Equatable {
        package var concurrency: Int
        /// Requests per minute; nil: no limit.
        package var rateLimit: Double?
        package var connectTimeout: Double
        package var timeout: Double
        package var stallTimeout: Double
        package var attempts: Int

        package init(
            concurrency: Int, rateLimit: Double?, connectTimeout: Double, timeout: Double,
            stallTimeout: Double, attempts: Int
        ) {
            self.concurrency = concurrency
            self.rateLimit = rateLimit
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.stallTimeout = stallTimeout
            self.attempts = attempts
        }
    }

    /// The optional judge (`unsaid run --judge-target`): which target, and the head of the
    /// chain of its exchanges in `judgements.jsonl`.
    package struct JudgeInfo: Codable, Sendable, Equatable {
        package var name: String
        /// Base URL with any secret in it redacted.
        package var baseURL: String
        package var model: String
        package var records: Int
        package var chainHead: String

        package init(name: String, baseURL: String, model: String) {
            self.name = name
            self.baseURL = baseURL
            self.model = model
            self.records = 0
            self.chainHead = ArchiveChain.genesis
        }
    }

    package enum Status: String, Codable, Sendable {
        /// The run is in progress, or was killed before it finished (resume it).
        case running
        case complete
        /// Stopped by the user (Ctrl-C); resumable.
        case interrupted
    }

    package var formatVersion: Int
    package var runID: String
    package var tool: Tool
    package var host: String
    package var startedAt: String
    package var finishedAt: String?
    package var status: Status
    package var target: TargetInfo
    package var suites: [SuiteInfo]
    package var arguments: RunArguments
    package var ruleset: RulesetInfo
    /// Number of requests the plan contains.
    package var planned: Int
    /// Number of transcripts recorded.
    package var completed: Int
    package var counts: [String: Int]
    /// Hash of the last transcript record (the chain head); genesis when empty.
    package var chainHead: String
    /// SHA-256 of every other file in the run, filled in when the run completes.
    package var files: [String: FileDigest]
    /// Absent for runs without a judge.
    package var judge: JudgeInfo?
    /// Which part of a sharded audit this run is (`run --shard`); absent for a whole run.
    package var shard: ShardInfo?
    /// What a merged run (`unsaid merge`) was made of; absent for a run that sent its requests.
    package var merge: MergeInfo?

    package init(
        runID: String, tool: Tool, host: String, startedAt: String, target: TargetInfo,
        suites: [SuiteInfo], arguments: RunArguments, ruleset: RulesetInfo, planned: Int
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.runID = runID
        self.tool = tool
        self.host = host
        self.startedAt = startedAt
        self.finishedAt = nil
        self.status = .running
        self.target = target
        self.suites = suites
        self.arguments = arguments
        self.ruleset = ruleset
        self.planned = planned
        self.completed = 0
        self.counts = [:]
        self.chainHead = ArchiveChain.genesis
        self.files = [:]
    }
}

extension Manifest {
    /// The manifest's `counts`: how many verdicts carry each label, keyed by the label's name.
    /// The writer and the verifier both use it, so they cannot disagree on what is counted.
    package static func counts(of verdicts: [Verdict]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for verdict in verdicts { counts[verdict.verdict.rawValue, default: 0] += 1 }
        return counts
    }
}
