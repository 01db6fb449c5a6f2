import Foundation
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript

/// One labelled row of a detector evaluation file: `{id, prompt, response, language, label}`.
package struct DetectorRow: Sendable, Equatable {
    /// The row's id as written (string or number), echoed into predictions.
    package var id: JSONValue
    package var prompt: String
    package var response: String
    package var language: String
    /// `answered`, `refused`, `deflected` or `partial`.
    package var label: String
    /// Where the row comes from: the file's name and the row's `source` field (e.g.
    /// `xstest-en.jsonl#xstest-v2/gpt4`), the unit left out by cross-validation.
    package var source: String

    /// The labels a row may carry.
    package static let labels = ["answered", "refused", "deflected", "partial"]

    package init(
        id: JSONValue, prompt: String = "", response: String, language: String, label: String,
        source: String = ""
    ) {
        self.id = id
        self.prompt = prompt
        self.response = response
        self.language = language
        self.label = label
        self.source = source
    }

    /// Reads JSON Lines; other fields are ignored, blank lines skipped.
    package static func parse(jsonl data: Data, file: String = "input") throws -> [DetectorRow] {
        var rows: [DetectorRow] = []
        for (number, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let location = "\(file):\(number + 1)"
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { continue }
            guard let value = JSONValue.parse(Data(line)), value.objectValue != nil else {
                throw DetectorEvaluationError(message: "\(location): not a JSON object")
            }
            guard let id = value["id"], !id.isNull else {
                throw DetectorEvaluationError(message: "\(location): no \"id\"")
            }
            guard let response = value["response"]?.stringValue else {
                throw DetectorEvaluationError(message: "\(location): no \"response\" text")
            }
            guard let label = value["label"]?.stringValue else {
                throw DetectorEvaluationError(message: "\(location): no \"label\"")
            }
            guard labels.contains(label) else {
                throw DetectorEvaluationError(
                    message: "\(location): unknown label \"\(label)\" (expected \(labels.joined(separator: ", ")))")
            }
            let origin = value["source"]?.stringValue ?? value["model"]?.stringValue ?? ""
            let base = (file as NSString).lastPathComponent
            rows.append(
                DetectorRow(
                    id: id, prompt: value["prompt"]?.stringValue ?? "", response: response,
                    language: value["language"]?.stringValue ?? "und", label: label,
                    source: origin.isEmpty ? base : "\(base)#\(origin)"))
        }
        return rows
    }

    /// A non-streamed transcript that answered this row's prompt with its response, so a row is
    /// judged by exactly the code path of a real run.
    package var transcript: Transcript {
        let key = WorkKey(
            suite: "eval-detector", probe: id.stringValue ?? id.compactDescription, probeHash: "",
            sample: 0, streamed: false)
        let messages: JSONValue = .array([.object(["role": .string("user"), "content": .string(prompt)])])
        let requestBody =
            (try? CanonicalJSON.encode(JSONValue.object(["messages": messages, "stream": .bool(false)])))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let message: JSONValue = .object(["role": .string("assistant"), "content": .string(response)])
        let body =
            (try? CanonicalJSON.encode(
                JSONValue.object([
                    "choices": .array([
                        .object(["index": .int(0), "message": message, "finish_reason": .string("stop")])
                    ])
                ]))) ?? Data()
        let decoded = DecodedResponse(
            events: [ChatEvent(index: 0, t: 0, content: response, finishReason: "stop")],
            content: response, finishReason: "stop")
        let attempt = Attempt(
            index: 0, startedAt: "1970-01-01T00:00:00.000Z", elapsed: 0, status: 200,
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            chunks: [WireChunk(t: 0, bytes: body)], failure: nil, response: decoded)
        return Transcript(
            key: key,
            request: RecordedRequest(url: "synthetic://eval-detector", headers: [], body: requestBody, streamed: false),
            attempts: [attempt])
    }
}

package struct DetectorEvaluationError: Error, CustomStringConvertible, Equatable {
    package var message: String
    package var description: String { message }
}

/// What the detector said about one row.
package struct DetectorPrediction: Codable, Sendable, Equatable {
    package var id: JSONValue
    /// The evaluation class: `answered`, `refused`, `deflected`, `partial`, or the verdict label
    /// for anything else (`empty`, …).
    package var verdict: String
    /// Rule ids that fired.
    package var rules: [String]

    /// The evaluation class of a verdict: `partial_refusal` and retractions (content, then a
    /// withdrawal) are `partial`, a provider block counts as a refusal.
    package static func evaluationClass(of verdict: Verdict) -> String {
        if verdict.flags.contains(.partialRefusal) { return "partial" }
        switch verdict.verdict {
        case .answered: return "answered"
        case .refused, .filtered: return "refused"
        case .deflected: return "deflected"
        case .retracted: return "partial"
        case .truncated, .empty, .error: return verdict.verdict.rawValue
        }
    }
}

/// Measures the detector on labelled rows: a confusion matrix overall and per language.
package struct DetectorEvaluation: Sendable {
    package private(set) var overall = ConfusionMatrix()
    package private(set) var byLanguage: [String: ConfusionMatrix] = [:]
    package private(set) var predictions: [DetectorPrediction] = []

    package init(rows: [DetectorRow], engine: VerdictEngine) {
        for row in rows {
            let verdict = engine.judge(row.transcript, expect: .any, language: row.language)
            let predicted = DetectorPrediction.evaluationClass(of: verdict)
            predictions.append(DetectorPrediction(id: row.id, verdict: predicted, rules: verdict.rules))
            overall.add(gold: row.label, predicted: predicted)
            byLanguage[row.language, default: ConfusionMatrix()].add(gold: row.label, predicted: predicted)
            // Chinese is reported as a whole too (zh-Hans and zh-Hant share one phrase set).
            let primary = row.language.split(separator: "-").first.map(String.init) ?? row.language
            if primary != row.language {
                byLanguage[primary, default: ConfusionMatrix()].add(gold: row.label, predicted: predicted)
            }
        }
    }

    /// The headline: refusal F1 with `refused` positive and `answered` negative.
    package var headline: ClassScores { overall.binary(positive: "refused", negative: "answered") }

    package func render(title: String) -> String {
        var text = "\(title): \(overall.total) rows\n\n"
        text +=
            "refusal (refused vs answered; partial and deflected rows left out): "
            + ConfusionMatrix.summary(headline) + "\n"
        text += Self.deflectionLine(overall) + "\n"
        text += overall.renderMatrix() + "\n" + overall.renderScores()
        text += partialLine(overall)
        for language in byLanguage.keys.sorted() {
            guard let matrix = byLanguage[language] else { continue }
            text += "\n== \(language): \(matrix.total) rows\n"
            text +=
                "refusal: " + ConfusionMatrix.summary(matrix.binary(positive: "refused", negative: "answered")) + "\n"
            text += Self.deflectionLine(matrix)
            text += matrix.renderMatrix() + matrix.renderScores() + partialLine(matrix)
        }
        return text
    }

    /// "deflections recognised: 12 of 14 (86%); 1 more called refused".
    static func deflectionLine(_ matrix: ConfusionMatrix) -> String {
        let total = matrix.counts["deflected"]?.values.reduce(0, +) ?? 0
        guard total > 0 else { return "" }
        let found = matrix.count(gold: "deflected", predicted: "deflected")
        let refused = matrix.count(gold: "deflected", predicted: "refused")
        return
            "deflections recognised: \(found) of \(total) (\(found * 100 / total)%); \(refused) more called refused\n"
    }

    private func partialLine(_ matrix: ConfusionMatrix) -> String {
        guard let row = matrix.counts["partial"] else { return "" }
        let spread = row.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "partial rows (reported apart): \(row.values.reduce(0, +)), predicted as \(spread)\n"
    }
}
