import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript

/// An OpenAI-compatible chat-completions endpoint and how to talk to it. Commands build it with
/// `TargetFlags.resolve` (flags, the targets file and these defaults, in one place).
package struct TargetConfig: Sendable, Equatable {
    /// Where the API key is looked up when neither `--api-key-env` nor the targets file names a variable.
    package static let defaultAPIKeyEnv = "OPENAI_API_KEY"

    package var name: String
    /// The API root, e.g. `http://127.0.0.1:8080/v1`; requests go to `baseURL + "/chat/completions"`.
    package var baseURL: String
    package var model: String
    /// The environment variable holding the API key. When it is set (and not empty) the key is
    /// sent as `Authorization: Bearer <key>`; otherwise no `Authorization` header is sent.
    package var apiKeyEnv: String
    /// Extra request headers. One named like a default header (`Accept`, `User-Agent`, …, or
    /// `Authorization`) replaces it.
    package var headers: [String: String]
    /// Extra top-level body fields, merged into the request JSON; they win over the standard
    /// fields, except `stream`, which always follows the work item's mode.
    package var extraBody: [String: JSONValue]
    /// Sampling defaults for parameters a probe leaves unset.
    package var parameters: GenerationParameters
    package var timeouts: TargetTimeouts
    package var retry: RetryPolicy
    /// Ask streamed answers to end with a usage chunk (`stream_options.include_usage`).
    package var includeUsage: Bool
    /// Literal secrets to scrub from everything recorded (request and response). The API key and
    /// the values of credential headers are added automatically.
    package var redact: [String]
    /// The most body bytes kept per attempt; past it the transfer is stopped and what arrived is
    /// kept and scored (flag `response_too_large`).
    package var maxResponseBytes: Int

    package init(
        name: String, baseURL: String, model: String, apiKeyEnv: String = TargetConfig.defaultAPIKeyEnv,
        headers: [String: String] = [:], extraBody: [String: JSONValue] = [:],
        parameters: GenerationParameters = GenerationParameters(), timeouts: TargetTimeouts = TargetTimeouts(),
        retry: RetryPolicy = RetryPolicy(), includeUsage: Bool = true, redact: [String] = [],
        maxResponseBytes: Int = Attempt.defaultResponseCap
    ) {
        self.name = name
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnv = apiKeyEnv
        self.headers = headers
        self.extraBody = extraBody
        self.parameters = parameters
        self.timeouts = timeouts
        self.retry = retry
        self.includeUsage = includeUsage
        self.redact = redact
        self.maxResponseBytes = maxResponseBytes
    }

    /// Where chat requests are POSTed: the path gets `/chat/completions`; a query string on
    /// `baseURL` (some gateways take `?api-version=…`) stays at the end.
    package var chatCompletionsURL: String {
        let suffixStart = baseURL.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? baseURL.endIndex
        var path = String(baseURL[..<suffixStart])
        while path.hasSuffix("/") { path.removeLast() }
        return path + "/chat/completions" + baseURL[suffixStart...]
    }
}
