import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidSupport
import UnsaidVerdict

/// Turns a reviewed run into labelled rows for `unsaid eval-detector` and detector training:
/// one `DetectorRow` per request that has a label whose class the detector knows (the latest
/// label counts). Pure apart from reading the archive.
package enum ReviewedRows {
    /// - Parameter directory: a run directory (`Results/<run>`) with a `labels.jsonl`.
    ///
    /// The run is walked, not loaded: only the records the labels file names are kept (labels
    /// are few; a run may have 100,000 records), with the hashes its ledger is checked against.
    package static func detectorRows(runDirectory directory: URL) throws -> [DetectorRow] {
        var labelled: [TranscriptRecord] = []
        var labels = LabelledTranscripts(directory)
        let root: String
        do {
            let layout = ArchiveLayout(directory: directory)
            root = try ArchiveReader.readManifest(layout).chainHead
            try ArchiveStream.transcripts(layout, scoringOnly: true) { record, hash in
                labels.see(record.transcript.key, hash: hash)
                if labels.names(record.transcript.key) { labelled.append(record) }
            }
        } catch {
            throw LabelsError("\(error)")
        }
        let ledger = try labels.ledger(root: root)
        guard !ledger.records.isEmpty else {
            throw LabelsError("\(ledger.file.path): no labels in this run (label some with unsaid review)")
        }
        return detectorRows(records: labelled, labels: ledger.records)
    }

    /// The rows for `records` labelled by `labels` (later labels of a request win), in
    /// transcript order. Prompt: the request body's last user message; response: the decoded
    /// content of the final attempt; language: the probe's.
    package static func detectorRows(records: [TranscriptRecord], labels: [ReviewRecord]) -> [DetectorRow] {
        var latest: [WorkKey: ReviewRecord] = [:]
        for label in labels { latest[label.key] = label }
        return records.compactMap { record in
            guard let review = latest[record.transcript.key], let label = review.reviewLabel?.detectorClass else {
                return nil
            }
            return DetectorRow(
                id: .string(RequestReference(record.transcript.key).description),
                prompt: lastUserMessage(record.transcript.request.body) ?? record.probe.prompt,
                response: record.transcript.finalAttempt?.response.content ?? "",
                language: record.probe.language, label: label)
        }
    }

    /// The text of the last `user` message of a chat-completions request body: a string, or
    /// the `text` parts of a content array joined.
    static func lastUserMessage(_ body: String) -> String? {
        guard let messages = JSONValue.parse(Data(body.utf8))?["messages"]?.arrayValue,
            let user = messages.last(where: { $0["role"]?.stringValue == "user" })
        else { return nil }
        if let text = user["content"]?.stringValue { return text }
        guard let parts = user["content"]?.arrayValue else { return nil }
        return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }
}
