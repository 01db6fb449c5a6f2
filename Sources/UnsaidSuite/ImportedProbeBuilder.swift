import Foundation

/// One record of any format: its line and its named fields in order.
struct ImportRecord {
    var line: Int
    var promptField: String
    var fields: [(name: String, value: String)]
}

/// Turns records into probes: picks out the prompt and the recognized fields, numbers probes
/// without a usable id, and keeps everything else as tags.
struct ImportedProbeBuilder {
    let file: String
    var probes: [SuiteDraft.Probe] = []
    var notes: [String] = []
    private var usedIDs = Set<String>()

    init(file: String) {
        self.file = file
    }

    mutating func add(_ record: ImportRecord) {
        var prompt: String?
        var id: String?
        var language: String?
        var category: ProbeCategory?
        var expect: Expectation?
        var tags: [String] = []
        func tag(_ name: String, _ value: String) {
            let flattened = value.components(separatedBy: .newlines).joined(separator: " ")
                .trimmingCharacters(in: .whitespaces)
            let tag = "\(name):\(flattened)"
            if !flattened.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        for (name, value) in record.fields {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            switch name.lowercased() {
            case record.promptField.lowercased():
                prompt = value
            case "id":
                if SuiteSchema.isValidIdentifier(trimmed), !usedIDs.contains(trimmed) {
                    id = trimmed
                } else {
                    tag(name, value)
                }
            case "language":
                if let canonical = LanguageTag.canonical(trimmed) { language = canonical } else { tag(name, value) }
            case "category":
                if let value = ProbeCategory(rawValue: trimmed) { category = value } else { tag(name, value) }
            case "expect":
                if let value = Expectation(rawValue: trimmed) { expect = value } else { tag(name, value) }
            default:
                tag(name, value)
            }
        }
        guard let prompt, !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            notes.append("\(file):\(record.line): no prompt; skipped")
            return
        }
        let probeID = id ?? freshID(number: probes.count + 1)
        usedIDs.insert(probeID)
        probes.append(
            SuiteDraft.Probe(
                id: probeID, prompt: prompt, language: language, category: category,
                expect: expect, tags: tags))
    }

    private func freshID(number: Int) -> String {
        let digits = String(number)
        let base = "p" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        var candidate = base
        var counter = 2
        while usedIDs.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        return candidate
    }
}
