import ArgumentParser
import Foundation
import UnsaidSuite
import UnsaidTarget

extension StreamMode: ExpressibleByArgument {}
extension ProbeCategory: ExpressibleByArgument {}

/// Which part of the suites a run sends, and in which transport mode.
struct SelectionOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Only probes whose id matches this glob, e.g. 'tiananmen-*' or 'censorship/*.ko' (repeatable; any may match).",
            valueName: "glob"))
    var filter: [String] = []

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp("Only probes with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Only probes of this category (repeatable).", valueName: "category"))
    var category: [ProbeCategory] = []

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Only probes in this language, e.g. en, zh-Hans, or zh for every Chinese variant (repeatable).",
            valueName: "tag"))
    var language: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only the first N selected probes (each with all its samples and modes).", valueName: "N"))
    var limit: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Send every probe streamed (on), non-streamed (off) or both ways, compared (both); default: each probe's own setting.",
            valueName: "on|off|both"))
    var stream: StreamMode?

    @Flag(name: .customLong("no-stream"), help: .hidden)
    var noStream = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if noStream && stream != nil {
            throw ValidationError("--no-stream and --stream contradict each other; use --stream off")
        }
    }

    var selection: RunSelection {
        RunSelection(filters: filter, tags: tag, categories: category, languages: language, limit: limit)
    }

    /// The mode forced on every probe, if any (`--no-stream` is the older spelling of `--stream off`).
    var streamMode: StreamMode? { noStream ? .off : stream }

    /// Whether any of these options was given (a resume refuses them: the archive decides).
    var isSet: Bool { !selection.isEmpty || streamMode != nil }
}

/// `unsaid run --dry-run`: what a run would send, without sending or writing anything.
enum DryRunPreview {
    static func render<Items: Collection<WorkItem>>(
        items: Items, target: String, connection: TargetConnection,
        first count: Int = 3
    ) throws -> String {
        // The libcurl client builds the request exactly as it would send it, then redacts it.
        let client = ChatClient(config: connection.config)
        var lines = [
            "dry run: \(items.count) request\(items.count == 1 ? "" : "s") to \(connection.redactedBaseURL) (model \(connection.config.model)); nothing is sent or written"
        ]
        if items.isEmpty {
            lines.append("no probe matches the selection")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("by category: " + tally(items.lazy.map(\.probe.category.rawValue)))
        lines.append("by language: " + tally(items.lazy.map(\.probe.language)))
        lines.append("by stream:   " + tally(items.lazy.map(\.key.streamSetting)))
        lines.append("")
        lines.append(
            "first \(min(count, items.count)) request\(min(count, items.count) == 1 ? "" : "s"), as they would be sent (secrets redacted):"
        )
        for item in items.prefix(count) {
            let request = try client.prepare(item).recorded
            lines.append("")
            lines.append("# \(item.key.displayName)")
            lines.append("\(request.method) \(request.url)")
            for header in request.headers { lines.append("\(header.name): \(header.value)") }
            lines.append("")
            lines.append(request.body)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `censorship 9, control 3`: counts by value, most frequent first.
    static func tally(_ values: some Sequence<String>) -> String {
        var counts: [String: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
    }
}
