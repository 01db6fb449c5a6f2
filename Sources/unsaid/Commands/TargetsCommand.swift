import ArgumentParser
import Foundation
import UnsaidTarget
import UnsaidReport
import UnsaidSuite
import UnsaidTranscript

struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "Work with the targets file (unsaid.yaml).",
        subcommands: [TargetsCheckCommand.self])
}

struct TargetsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Send one tiny streamed request to each target; report reachability, auth and streaming.",
        discussion: "Exit 0 when every target answered a stream; 1 otherwise. Nothing is archived.")

    @Option(name: .long, help: ArgumentHelp("Targets file (default: ./unsaid.yaml).", valueName: "file"))
    var config: String?

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp("Check only this target (repeatable).", valueName: "name"))
    var target: [String] = []

    func run() async throws {
        let path = config ?? "unsaid.yaml"
        let entries: [TargetEntry]
        do {
            let file = try TargetsFile.load(path: path)
            entries = target.isEmpty ? file.targets : try file.select(target, file: path)
        } catch let error as SuiteError {
            throw ConfigurationError(error.description)
        }
        let probe = Probe(
            id: "targets-check", messages: [ChatMessage(role: "user", content: "Reply with the single word OK.")],
            parameters: GenerationParameters(maxTokens: 8))
        guard
            let item = try RunPlan.items(for: Suite(id: "check", name: "check", probes: [probe]), streamOverride: true)
                .first
        else { return }
        var rows = [["target", "model", "reachable", "auth", "streaming", "status", "time", "note"]]
        var allGood = true
        for entry in entries {
            let configured = try libcurlConnection(ResolvedTarget.check(entry).config)
            let transcript = await configured.sender.send(item)
            let check = TargetCheck(transcript)
            allGood = allGood && check.healthy
            // Every cell through the target's redaction policy: the note quotes the server, which
            // may echo a credential or send escape sequences.
            let row = [
                entry.name, entry.model, check.reachable, check.auth, check.streaming,
                transcript.finalAttempt?.status.map(String.init) ?? "-",
                String(format: "%.0f ms", Double(transcript.finalAttempt?.elapsed ?? 0) / 1000), check.note,
            ]
            rows.append(row.map { configured.redaction.terminalSafe($0).replacingOccurrences(of: "\n", with: " ") })
        }
        print(TextTable.render(rows), terminator: "")
        if !allGood { throw ExitCode(ExitCodes.finishedWithErrors) }
    }
}

/// How one check request went, in the table's words.
struct TargetCheck {
    var reachable = "yes"
    var auth = "ok"
    var streaming = "yes"
    var note = ""
    var healthy = true

    init(_ transcript: Transcript) {
        guard let attempt = transcript.finalAttempt else {
            self.reachable = "no"
            self.healthy = false
            return
        }
        let response = attempt.response
        if let failure = attempt.failure, failure.kind != .http {
            reachable = "no (\(failure.kind.rawValue))"
            auth = "-"
            streaming = "-"
            note = failure.message
            healthy = false
            return
        }
        if let status = attempt.status, status == 401 || status == 403 {
            auth = "rejected"
            healthy = false
        }
        if let status = attempt.httpErrorStatus {
            streaming = "-"
            note = response.errors.first?.message ?? "HTTP \(status)"
            healthy = false
            return
        }
        if response.bodyFormat != .sse {
            streaming = "no (answered JSON)"
            healthy = false
        } else if !response.sawDone {
            streaming = "incomplete (no [DONE])"
            healthy = false
        }
        note = String(response.content.prefix(40)).replacingOccurrences(of: "\n", with: " ")
    }
}
