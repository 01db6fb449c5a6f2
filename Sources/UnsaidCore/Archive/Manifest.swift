import Foundation

/// `manifest.json`: what was run, against what, with which rules, and what came out. It commits
/// to every other file of the run through their SHA-256 and the transcript chain head.
public struct Manifest: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    public struct Tool: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var gitCommit: String?

        public init(name: String = "unsaid", version: String = UnsaidVersion.string, gitCommit: String?) {
            self.name = name
            self.version = version
            self.gitCommit = gitCommit
        }
    }

    public struct TargetInfo: Codable, Sendable, Equatable {
        public var name: String
        /// Base URL with any secret in it redacted.
        public var baseURL: String
        public var model: String
        public var parameters: GenerationParameters
        /// `stream`, `no-stream`, or `per-probe`.
        public var streamMode: String

        public init(name: String, baseURL: String, model: String, parameters: GenerationParameters, streamMode: String) {
            self.name = name
            self.baseURL = baseURL
            self.model = model
            self.parameters = parameters
            self.streamMode = streamMode
        }
    }

    public struct SuiteInfo: Codable, Sendable, Equatable {
        public var id: String
        public var version: String
        public var probes: Int
        public var sources: [SuiteSource]

        public init(id: String, version: String, probes: Int, sources: [SuiteSource]) {
            self.id = id
            self.version = version
            self.probes = probes
            self.sources = sources
        }
    }

    public struct RulesetInfo: Codable, Sendable, Equatable {
        public var version: String
        public var sha256: String

        public init(version: String, sha256: String) {
            self.version = version
            self.sha256 = sha256
        }
    }

    public struct FileDigest: Codable, Sendable, Equatable {
        public var sha256: String
        public var bytes: Int
        public var lines: Int

        public init(sha256: String, bytes: Int, lines: Int) {
            self.sha256 = sha256
            self.bytes = bytes
            self.lines = lines
        }
    }

    /// What the run was asked to do, so `unsaid run --resume` can carry on without the original
    /// command line. Header values are not stored (they may hold credentials), only their names.
    public struct RunArguments: Codable, Sendable, Equatable {
        public var suitePaths: [String]
        public var streamOverride: Bool?
        public var apiKeyEnv: String
        public var headerNames: [String]
        /// `--transform` values as given (`nil` when none), so a resume plans the same rewrites.
        public var transforms: [String]?
        /// `--stream both` (which `streamOverride` cannot say); nil in older archives and when
        /// `streamOverride` says it all.
        public var streamMode: StreamMode?
        /// The part of the suites the run sends (`--filter`, `--tag`, …); nil: all of them.
        public var selection: RunSelection?
        /// How the run was paced and timed, so a resume carries on the same way; nil in
        /// archives written before these were recorded.
        public var settings: RunSettings?

        public init(suitePaths: [String], streamOverride: Bool?, apiKeyEnv: String, headerNames: [String],
                    streamMode: StreamMode? = nil, selection: RunSelection? = nil, settings: RunSettings? = nil,
                    transforms: [String]? = nil) {
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
        public var forcedStreamMode: StreamMode? {
            streamMode ?? streamOverride.map { $0 ? .on : .off }
        }
    }

    /// Concurrency, rate limit, timeouts and attempts of a run.
    public struct RunSettings: Codable, Sendable, Equatable {
        public var concurrency: Int
        /// Requests per minute; nil: no limit.
        public var rateLimit: Double?
        public var connectTimeout: Double
        public var timeout: Double
        public var stallTimeout: Double
        public var attempts: Int

        public init(concurrency: Int, rateLimit: Double?, connectTimeout: Double, timeout: Double,
                    stallTimeout: Double, attempts: Int) {
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
    public struct JudgeInfo: Codable, Sendable, Equatable {
        public var name: String
        /// Base URL with any secret in it redacted.
        public var baseURL: String
        public var model: String
        public var records: Int
        public var chainHead: String

        public init(name: String, baseURL: String, model: String) {
            self.name = name
            self.baseURL = baseURL
            self.model = model
            self.records = 0
            self.chainHead = ArchiveChain.genesis
        }
    }

    public enum Status: String, Codable, Sendable {
        /// The run is in progress, or was killed before it finished (resume it).
        case running
        case complete
        /// Stopped by the user (Ctrl-C); resumable.
        case interrupted
    }

    public var formatVersion: Int
    public var runID: String
    public var tool: Tool
    public var host: String
    public var startedAt: String
    public var finishedAt: String?
    public var status: Status
    public var target: TargetInfo
    public var suites: [SuiteInfo]
    public var arguments: RunArguments
    public var ruleset: RulesetInfo
    /// Number of requests the plan contains.
    public var planned: Int
    /// Number of transcripts recorded.
    public var completed: Int
    public var counts: [String: Int]
    /// Hash of the last transcript record (the chain head); genesis when empty.
    public var chainHead: String
    /// SHA-256 of every other file in the run, filled in when the run completes.
    public var files: [String: FileDigest]
    /// Absent for runs without a judge.
    public var judge: JudgeInfo?
    /// Which part of a sharded audit this run is (`run --shard`); absent for a whole run.
    public var shard: ShardInfo?
    /// What a merged run (`unsaid merge`) was made of; absent for a run that sent its requests.
    public var merge: MergeInfo?

    public init(runID: String, tool: Tool, host: String, startedAt: String, target: TargetInfo,
                suites: [SuiteInfo], arguments: RunArguments, ruleset: RulesetInfo, planned: Int) {
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
    public static func counts(of verdicts: [Verdict]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for verdict in verdicts { counts[verdict.verdict.rawValue, default: 0] += 1 }
        return counts
    }
}
