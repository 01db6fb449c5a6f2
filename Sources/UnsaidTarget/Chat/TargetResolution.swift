import Foundation
import UnsaidSuite
import UnsaidTranscript
import UnsaidSupport

/// How to reach a target as the command line says it, each field nil (or empty) where no flag
/// was given. `resolve` turns it, with or without an entry of the targets file, into the
/// `TargetConfig` the client uses: the one place where flags, the targets file and the defaults
/// (`TargetConfig.init`, `TargetTimeouts.standard`, `RetryPolicy()`) meet, for `run`, its judge,
/// `targets check` and the benchmark alike.
package struct TargetFlags: Sendable, Equatable {
    package var apiKeyEnv: String?
    package var headers: [String: String]
    /// Literal secrets (`--redact`); the targets file has none of its own.
    package var redact: [String]
    package var connectTimeout: Double?
    package var totalTimeout: Double?
    package var stallTimeout: Double?
    package var attempts: Int?
    package var maxResponseBytes: Int?

    package init(
        apiKeyEnv: String? = nil, headers: [String: String] = [:], redact: [String] = [],
        connectTimeout: Double? = nil, totalTimeout: Double? = nil, stallTimeout: Double? = nil,
        attempts: Int? = nil, maxResponseBytes: Int? = nil
    ) {
        self.apiKeyEnv = apiKeyEnv
        self.headers = headers
        self.redact = redact
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.stallTimeout = stallTimeout
        self.attempts = attempts
        self.maxResponseBytes = maxResponseBytes
    }

    /// A target given by flags alone (`--base-url`, `--model`): what no flag sets is the default.
    package func resolve(name: String, baseURL: String, model: String) -> ResolvedTarget {
        let timeouts = TargetTimeouts.standard
        return ResolvedTarget(
            config: TargetConfig(
                name: name, baseURL: baseURL, model: model, apiKeyEnv: apiKeyEnv ?? TargetConfig.defaultAPIKeyEnv,
                headers: headers,
                timeouts: TargetTimeouts(
                    connect: connectTimeout ?? timeouts.connect, total: totalTimeout ?? timeouts.total,
                    stall: stallTimeout ?? timeouts.stall),
                retry: RetryPolicy(maxAttempts: attempts ?? RetryPolicy.standard.maxAttempts), redact: redact,
                maxResponseBytes: maxResponseBytes ?? Attempt.defaultResponseCap))
    }

    /// A target of the targets file. What the entry states wins over the flags (headers are
    /// merged, the file's winning per name); what neither states is the default.
    package func resolve(_ entry: TargetEntry) -> ResolvedTarget {
        let layered = TargetFlags(
            apiKeyEnv: entry.apiKeyEnv ?? apiKeyEnv,
            headers: headers.merging(entry.headers ?? [:]) { _, fromFile in fromFile },
            redact: redact,
            connectTimeout: entry.timeouts?.connect ?? connectTimeout,
            totalTimeout: entry.timeouts?.total ?? totalTimeout,
            stallTimeout: entry.timeouts?.stall ?? stallTimeout,
            attempts: entry.attempts ?? attempts,
            maxResponseBytes: entry.maxResponseBytes ?? maxResponseBytes)
        var resolved = layered.resolve(name: entry.name, baseURL: entry.baseURL, model: entry.model)
        resolved.config.parameters = entry.parameters?.generation ?? GenerationParameters()
        resolved.config.extraBody = entry.extraBody ?? [:]
        resolved.concurrency = entry.concurrency
        resolved.rateLimit = entry.rateLimit
        return resolved
    }

    /// These flags where given; `recorded` (a resumed run's settings) where not.
    package func filling(from recorded: TargetFlags) -> TargetFlags {
        TargetFlags(
            apiKeyEnv: apiKeyEnv ?? recorded.apiKeyEnv, headers: headers.isEmpty ? recorded.headers : headers,
            redact: redact.isEmpty ? recorded.redact : redact,
            connectTimeout: connectTimeout ?? recorded.connectTimeout,
            totalTimeout: totalTimeout ?? recorded.totalTimeout,
            stallTimeout: stallTimeout ?? recorded.stallTimeout, attempts: attempts ?? recorded.attempts,
            maxResponseBytes: maxResponseBytes ?? recorded.maxResponseBytes)
    }
}

/// A target ready to be connected to: the client's configuration and the run settings a targets
/// file may set per target.
package struct ResolvedTarget: Sendable, Equatable {
    package var config: TargetConfig
    /// Requests in flight at once for this target (overrides `--concurrency`).
    package var concurrency: Int?
    /// Requests started per minute at most.
    package var rateLimit: Double?

    /// `targets check`: the target exactly as `run` would reach it with no flags, but with one
    /// attempt, because the check reports what the first try met.
    package static func check(_ entry: TargetEntry) -> ResolvedTarget {
        var resolved = TargetFlags().resolve(entry)
        resolved.config.retry.maxAttempts = 1
        return resolved
    }
}

/// A base URL that is not http(s): one line naming it (secrets in it redacted).
package struct TargetURLError: Error, CustomStringConvertible {
    package var description: String
}

/// A target with its sender: what a run, a judge or a check talks to, and what counts as secret
/// about it (every file and terminal line about the target goes through `redaction`).
package struct TargetConnection: Sendable {
    package var config: TargetConfig
    package var sender: any ChatSender
    package var redaction: RedactionPolicy

    package init(config: TargetConfig, sender: any ChatSender, redaction: RedactionPolicy) {
        self.config = config
        self.sender = sender
        self.redaction = redaction
    }

    /// The base URL as it may be shown and archived (secrets in it replaced).
    package var redactedBaseURL: String { redaction.redact(url: config.baseURL) }

    /// The production connection: the libcurl client, after checking that the URL is http(s).
    package static func libcurl(_ config: TargetConfig) throws -> TargetConnection {
        if let problem = baseURLProblem(config.baseURL) {
            let shown = RedactionPolicy(
                explicit: config.redact, apiKey: nil, headers: config.headers,
                baseURL: config.baseURL
            ).redact(url: config.baseURL)
            // One line however the URL was broken: a newline in it is shown, not printed.
            let oneLine = TerminalText.sanitize(shown).replacingOccurrences(of: "\n", with: "\\n")
                .replacingOccurrences(of: "\t", with: "\\t")
            throw TargetURLError(description: "--base-url '\(oneLine)' \(problem)")
        }
        let client = ChatClient(config: config)
        return TargetConnection(config: config, sender: client, redaction: client.redactor)
    }

    /// Why `baseURL` cannot be a base URL, or nil. Each of these made every request of a run fail
    /// the same way ("URL using bad/illegal format") instead of one line before the first: a
    /// space or control character (a newline also split the start banner), a port past 65535.
    /// A `#fragment` is never sent, and the path appended after it (`/chat/completions`) would be
    /// part of the fragment; it was also archived unredacted, a token in it included.
    static func baseURLProblem(_ baseURL: String) -> String? {
        if baseURL.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        {
            return "has a space or control character in it"
        }
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else { return "is not an http(s) URL" }
        if let port = url.port, !(1...65_535).contains(port) { return "has port \(port), outside 1-65535" }
        if baseURL.contains("#") { return "has a #fragment, which is never sent to the server" }
        return nil
    }
}
