import Foundation
import Yams

/// Walks one suite file's YAML node tree (JSON is read by the same parser) and checks it against
/// the schema, collecting every problem with its line, column and field path.
///
/// The tree is walked by hand instead of through `Codable` because decoding errors carry no
/// position, and an error without a line number in a 300-probe file is not much help.
struct SuiteDocumentParser {
    let file: String
    private(set) var errors: [SuiteError] = []

    init(file: String) {
        self.file = file
    }

    /// What reading a file gave: the validated document and, when the file was read as a stream
    /// of events, its `probes:` entries still in the file, to be read one at a time with
    /// `probe(_:index:)` (the document's own `probes` is then empty).
    struct Reading {
        var document: SuiteDocument
        var probes: SuiteYAMLStream?
    }

    /// The validated document, or `nil` when the file is not YAML or not a mapping at all. Errors
    /// found in a document that could still be read are in `errors` either way.
    ///
    /// With `streaming`, a file that `SuiteYAMLStream` can read is read that way, so its probes
    /// never all exist as nodes at once; any other file (a YAML error, a duplicate key, `defaults:`
    /// after `probes:`, …) is read whole by Yams as before, which also words every YAML error.
    mutating func read(_ text: String, streaming: Bool = true) -> Reading? {
        if streaming, let stream = SuiteYAMLStream.open(text) {
            return document(from: stream.root).map { Reading(document: $0, probes: stream.probes) }
        }
        let root: SuiteNode
        do {
            guard let node = try Yams.compose(yaml: text) else {
                report(at: .start, nil, "the file is empty")
                return nil
            }
            root = SuiteNode(node)
        } catch let error as YamlError {
            reportYAML(error)
            return nil
        } catch {
            report(at: .start, nil, "cannot parse the file (\(error))")
            return nil
        }
        return document(from: root).map { Reading(document: $0, probes: nil) }
    }

    /// The validated document of a file `SuiteYAMLStream.open(file:)` read, with its stream.
    mutating func read(_ opened: SuiteYAMLStream.OpenedFile) -> Reading? {
        document(from: opened.root).map { Reading(document: $0, probes: opened.probes) }
    }

    /// One entry of a streamed `probes:` list, checked exactly as an entry of a whole document is.
    mutating func probe(_ node: SuiteNode, index: Int) -> ProbeEntry? {
        probe(node, field: "probes[\(index)]")
    }

    private mutating func document(from root: SuiteNode) -> SuiteDocument? {
        guard let fields = mapping(root, field: "", allowed: SuiteSchema.suiteKeys) else { return nil }
        var document = SuiteDocument(position: position(of: root))
        if let node = fields["id"] {
            document.id = identifier(node, field: "id")
            document.idPosition = position(of: node)
        }
        document.name = fields["name"].flatMap { string($0, field: "name") }
        document.description = fields["description"].flatMap { string($0, field: "description") }
        document.version = fields["version"].flatMap { string($0, field: "version") }
        if let node = fields["defaults"] {
            document.defaults = defaults(node)
        }
        if let node = fields["include"] {
            document.includes = includes(node)
        }
        if let node = fields["probes"], let items = sequence(node, field: "probes") {
            // Sized once: grown by doubling, a 100,000-probe file held the old and the new array
            // (about 60 MB) while its YAML tree was still alive.
            document.probes.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                if let entry = probe(item, field: "probes[\(index)]") { document.probes.append(entry) }
            }
        }
        if let node = fields["transforms"] {
            document.transforms = transforms(node)
            document.transformsPosition = position(of: node)
        }
        if fields["probes"] == nil && fields["include"] == nil {
            report(at: document.position, nil, "the suite has neither 'probes' nor 'include'")
        }
        return document
    }

    // MARK: - Sections

    private mutating func defaults(_ node: SuiteNode) -> ProbeSettings {
        guard let fields = mapping(node, field: "defaults", allowed: SuiteSchema.defaultsKeys) else {
            return ProbeSettings()
        }
        return settings(fields, field: "defaults")
    }

    /// `transforms:` entries: `NAME[:ARGUMENT]` strings or `{name:, text:, label:, language:,
    /// separator:}` mappings; the rules for each transform live in `TransformSpec.make`.
    private mutating func transforms(_ node: SuiteNode) -> [TransformSpec] {
        guard let items = sequence(node, field: "transforms") else { return [] }
        return items.enumerated().compactMap { index, item in
            let field = "transforms[\(index)]"
            do {
                if case .mapping = item {
                    guard let fields = mapping(item, field: field, allowed: SuiteSchema.transformKeys) else {
                        return nil
                    }
                    guard let nameNode = fields["name"] else {
                        report(at: position(of: item), field, "missing required key 'name'")
                        return nil
                    }
                    guard let name = nonEmptyString(nameNode, field: join(field, "name")) else { return nil }
                    let arguments = ["text", "language", "separator"].compactMap { key in
                        fields[key].flatMap { string($0, field: join(field, key)) }
                    }
                    if arguments.count > 1 {
                        report(at: position(of: item), field, "give one of 'text', 'language', 'separator'")
                        return nil
                    }
                    let label = fields["label"].flatMap { string($0, field: join(field, "label")) }
                    return try TransformSpec.make(name: name, argument: arguments.first, label: label)
                }
                guard let text = nonEmptyString(item, field: field) else { return nil }
                return try TransformSpec.parse(text)
            } catch {
                report(at: position(of: item), field, "\(error)")
                return nil
            }
        }
    }

    private mutating func includes(_ node: SuiteNode) -> [IncludeEntry] {
        guard let items = sequence(node, field: "include") else { return [] }
        return items.enumerated().compactMap { index, item in
            let field = "include[\(index)]"
            guard let path = nonEmptyString(item, field: field) else { return nil }
            return IncludeEntry(path: path, position: position(of: item), field: field)
        }
    }

    private mutating func probe(_ node: SuiteNode, field: String) -> ProbeEntry? {
        guard let fields = mapping(node, field: field, allowed: SuiteSchema.probeKeys) else { return nil }
        let content = content(fields, field: field)
        let settings = settings(fields, field: field)
        let group = fields["group"].flatMap { identifier($0, field: join(field, "group")) }
        var variants: [VariantEntry] = []
        if let node = fields["variants"], let items = sequence(node, field: join(field, "variants")) {
            variants = items.enumerated().compactMap { index, item in
                variant(item, field: join(field, "variants[\(index)]"))
            }
        }
        guard let idNode = fields["id"] else {
            report(at: position(of: node), field, "missing required key 'id'")
            return nil
        }
        guard let id = identifier(idNode, field: join(field, "id")) else { return nil }
        if fields["prompt"] == nil && fields["messages"] == nil && fields["variants"] == nil {
            report(at: position(of: node), field, "probe '\(id)' has no 'prompt' or 'messages'")
        }
        checkSystemConflict(fields, content: content, field: field)
        return ProbeEntry(
            id: id, idPosition: position(of: idNode), position: position(of: node), field: field,
            content: content, settings: settings, group: group, variants: variants,
            followUps: fields["follow_up"].flatMap { followUps($0, field: join(field, "follow_up")) })
    }

    private mutating func variant(_ node: SuiteNode, field: String) -> VariantEntry? {
        guard let fields = mapping(node, field: field, allowed: SuiteSchema.variantKeys) else { return nil }
        let content = content(fields, field: field)
        if fields["prompt"] == nil && fields["messages"] == nil {
            report(at: position(of: node), field, "variant has no 'prompt' or 'messages'")
        }
        checkSystemConflict(fields, content: content, field: field)
        let entry = VariantEntry(
            id: fields["id"].flatMap { identifier($0, field: join(field, "id")) },
            suffix: fields["suffix"].flatMap { identifier($0, field: join(field, "suffix")) },
            content: content,
            settings: ProbeSettings(
                system: fields["system"].flatMap { string($0, field: join(field, "system")) },
                language: fields["language"].flatMap { language($0, field: join(field, "language")) },
                topic: fields["topic"].flatMap { nonEmptyString($0, field: join(field, "topic")) },
                tags: fields["tags"].flatMap { stringList($0, field: join(field, "tags")) },
                terms: fields["terms"].flatMap { stringList($0, field: join(field, "terms")) }),
            followUps: fields["follow_up"].flatMap { followUps($0, field: join(field, "follow_up")) },
            position: position(of: node), field: field)
        if fields["id"] != nil && fields["suffix"] != nil {
            report(at: position(of: node), field, "use either 'id' or 'suffix', not both")
        } else if fields["id"] == nil && fields["suffix"] == nil && fields["language"] == nil {
            report(
                at: position(of: node), field,
                "variant needs 'id', 'suffix' or 'language' to form its id")
        }
        return entry
    }

    /// `follow_up:` turns: `{text:, on: [verdicts], answer: shown|withdrawn}`, `text` required.
    private mutating func followUps(_ node: SuiteNode, field: String) -> [FollowUpTurn]? {
        guard let items = sequence(node, field: field) else { return nil }
        var turns: [FollowUpTurn] = []
        for (index, item) in items.enumerated() {
            let itemField = "\(field)[\(index)]"
            guard let fields = mapping(item, field: itemField, allowed: SuiteSchema.followUpKeys) else { return nil }
            guard let textNode = fields["text"] else {
                report(at: position(of: item), itemField, "missing required key 'text' (what the user says next)")
                return nil
            }
            guard let text = nonEmptyString(textNode, field: join(itemField, "text")) else { return nil }
            var turn = FollowUpTurn(text: text)
            if let onNode = fields["on"] {
                guard let conditions = stringList(onNode, field: join(itemField, "on")) else { return nil }
                for condition in conditions where !FollowUpTurn.conditions.contains(condition) {
                    report(
                        at: position(of: onNode), join(itemField, "on"),
                        "'\(condition)' is not one of \(FollowUpTurn.conditions.joined(separator: ", "))")
                    return nil
                }
                turn.on = conditions
            }
            if let answerNode = fields["answer"] {
                guard let answer = choice(answerNode, field: join(itemField, "answer"), of: PriorAnswer.self) else {
                    return nil
                }
                turn.answer = answer
            }
            turns.append(turn)
        }
        return turns
    }

    /// `prompt` or `messages`, exactly one of them.
    private mutating func content(_ fields: Fields, field: String) -> ProbeContent? {
        if fields["prompt"] != nil, let messagesNode = fields["messages"] {
            report(
                at: position(of: messagesNode), join(field, "messages"),
                "use either 'prompt' or 'messages', not both")
            return nil
        }
        if let node = fields["prompt"] {
            return nonEmptyString(node, field: join(field, "prompt")).map(ProbeContent.prompt)
        }
        if let node = fields["messages"] {
            return messages(node, field: join(field, "messages")).map(ProbeContent.messages)
        }
        return nil
    }

    private mutating func checkSystemConflict(_ fields: Fields, content: ProbeContent?, field: String) {
        guard let systemNode = fields["system"], case .messages(let messages)? = content,
            messages.contains(where: { $0.role == "system" })
        else { return }
        report(
            at: position(of: systemNode), join(field, "system"),
            "'system' conflicts with the system message in 'messages'")
    }

    /// The settings shared by `defaults:` and probes.
    private mutating func settings(_ fields: Fields, field: String) -> ProbeSettings {
        var settings = ProbeSettings()
        settings.system = fields["system"].flatMap { string($0, field: join(field, "system")) }
        settings.language = fields["language"].flatMap { language($0, field: join(field, "language")) }
        settings.topic = fields["topic"].flatMap { nonEmptyString($0, field: join(field, "topic")) }
        settings.category = fields["category"].flatMap {
            choice($0, field: join(field, "category"), of: ProbeCategory.self)
        }
        settings.expect = fields["expect"].flatMap { choice($0, field: join(field, "expect"), of: Expectation.self) }
        settings.stream = fields["stream"].flatMap { streamMode($0, field: join(field, "stream")) }
        settings.repeatCount = fields["repeat"].flatMap { integer($0, field: join(field, "repeat"), in: 1...1000) }
        settings.tags = fields["tags"].flatMap { stringList($0, field: join(field, "tags")) }
        settings.terms = fields["terms"].flatMap { stringList($0, field: join(field, "terms")) }
        settings.parameters = GenerationParameters(
            temperature: fields["temperature"].flatMap { number($0, field: join(field, "temperature"), in: 0...2) },
            topP: fields["top_p"].flatMap { number($0, field: join(field, "top_p"), in: 0...1) },
            maxTokens: fields["max_tokens"].flatMap {
                integer($0, field: join(field, "max_tokens"), in: 1...1_000_000)
            },
            seed: fields["seed"].flatMap {
                integer($0, field: join(field, "seed"), in: Int(Int32.min)...Int(Int32.max))
            })
        return settings
    }

    private mutating func messages(_ node: SuiteNode, field: String) -> [ChatMessage]? {
        guard let items = sequence(node, field: field) else { return nil }
        if items.isEmpty {
            report(at: position(of: node), field, "'messages' is empty")
            return nil
        }
        var messages: [ChatMessage] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let itemField = "\(field)[\(index)]"
            guard let fields = mapping(item, field: itemField, allowed: SuiteSchema.messageKeys) else {
                valid = false
                continue
            }
            let role = fields["role"].flatMap { roleNode -> String? in
                guard let role = string(roleNode, field: join(itemField, "role")) else { return nil }
                guard SuiteSchema.roles.contains(role) else {
                    report(
                        at: position(of: roleNode), join(itemField, "role"),
                        "'\(role)' is not one of \(SuiteSchema.roles.joined(separator: ", "))")
                    return nil
                }
                return role
            }
            let content = fields["content"].flatMap { nonEmptyString($0, field: join(itemField, "content")) }
            for key in ["role", "content"] where fields[key] == nil {
                report(at: position(of: item), itemField, "missing required key '\(key)'")
            }
            if let role, let content {
                messages.append(ChatMessage(role: role, content: content))
            } else {
                valid = false
            }
        }
        return valid ? messages : nil
    }

    // MARK: - Node readers

    /// The known keys of a mapping node. Unknown keys are reported at the key, with a suggestion
    /// when one of the allowed keys is a near miss.
    private mutating func mapping(_ node: SuiteNode, field: String, allowed: [String]) -> Fields? {
        guard case .mapping(let pairs, _) = node else {
            report(at: position(of: node), field.isEmpty ? nil : field, "expected a mapping, found \(kind(of: node))")
            return nil
        }
        var fields = Fields()
        for (keyNode, value) in pairs.lazy.map({ ($0.key, $0.value) }) {
            guard case .scalar(let scalar) = keyNode else {
                report(at: position(of: keyNode), field.isEmpty ? nil : field, "keys must be plain strings")
                continue
            }
            let key = scalar.string
            guard allowed.contains(key) else {
                var message = "unknown key '\(key)'"
                if let suggestion = SuiteSchema.suggestion(for: key, among: allowed) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; expected one of \(allowed.joined(separator: ", "))"
                }
                report(at: position(of: keyNode), join(field, key), message)
                continue
            }
            fields.values[key] = value
        }
        return fields
    }

    private mutating func sequence(_ node: SuiteNode, field: String) -> [SuiteNode]? {
        guard case .sequence(let items, _) = node else {
            report(at: position(of: node), field, "expected a list, found \(kind(of: node))")
            return nil
        }
        return items
    }

    /// A scalar's text exactly as written. Plain `null`/`~`/empty is "no value", not the text
    /// "null", so `prompt:` with nothing after it is reported instead of sent.
    private mutating func string(_ node: SuiteNode, field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(at: position(of: node), field, "expected a string, found \(kind(of: node))")
            return nil
        }
        if scalar.isNothing {
            report(at: position(of: node), field, "expected a string, found nothing")
            return nil
        }
        return scalar.string
    }

    private mutating func nonEmptyString(_ node: SuiteNode, field: String) -> String? {
        guard let value = string(node, field: field) else { return nil }
        // A text opening with a printable ASCII byte other than space is not empty once trimmed:
        // Foundation's trimming (NSString) is asked only about the others.
        let opensWithText = value.utf8.first.map { (0x21...0x7E).contains($0) } ?? false
        guard opensWithText || !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            report(at: position(of: node), field, "must not be empty")
            return nil
        }
        return value
    }

    private mutating func identifier(_ node: SuiteNode, field: String) -> String? {
        guard let value = nonEmptyString(node, field: field) else { return nil }
        guard SuiteSchema.isValidIdentifier(value) else {
            report(
                at: position(of: node), field,
                "'\(value)' is not a valid id (use letters, digits, '.', '_' and '-', starting with a letter or digit)")
            return nil
        }
        return value
    }

    private mutating func stringList(_ node: SuiteNode, field: String) -> [String]? {
        guard let items = sequence(node, field: field) else { return nil }
        let values = items.enumerated().map { index, item in nonEmptyString(item, field: "\(field)[\(index)]") }
        return values.contains(where: { $0 == nil }) ? nil : values.compactMap { $0 }
    }

    private mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ node: SuiteNode, field: String, of type: Value.Type
    ) -> Value? where Value.RawValue == String {
        guard let raw = string(node, field: field) else { return nil }
        if let value = Value(rawValue: raw) { return value }
        let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
        report(at: position(of: node), field, "'\(raw)' is not one of \(allowed)")
        return nil
    }

    /// `on`/`off`/`both`; YAML and JSON booleans are read as `on`/`off` too, since `stream: true`
    /// is what a JSON author naturally writes.
    private mutating func streamMode(_ node: SuiteNode, field: String) -> StreamMode? {
        guard let raw = string(node, field: field) else { return nil }
        switch raw {
        case "true", "yes": return .on
        case "false", "no": return .off
        default: break
        }
        if let value = StreamMode(rawValue: raw) { return value }
        report(at: position(of: node), field, "'\(raw)' is not one of on, off, both")
        return nil
    }

    private mutating func language(_ node: SuiteNode, field: String) -> String? {
        guard let raw = string(node, field: field) else { return nil }
        if let tag = LanguageTag.canonical(raw) { return tag }
        var message = "'\(raw)' is not a BCP-47 language tag (like en, zh-Hans, zh-Hant, ko, pt-BR)"
        if let suggestion = LanguageTag.suggestion(for: raw) {
            message += "; did you mean '\(suggestion)'?"
        }
        report(at: position(of: node), field, message)
        return nil
    }

    private mutating func number(_ node: SuiteNode, field: String, in range: ClosedRange<Double>) -> Double? {
        bounded(
            node, field: field, in: range, kind: "a number", parse: { Double($0).flatMap { $0.isFinite ? $0 : nil } },
            show: Self.format)
    }

    private mutating func integer(_ node: SuiteNode, field: String, in range: ClosedRange<Int>) -> Int? {
        bounded(node, field: field, in: range, kind: "a whole number", parse: { Int($0) }, show: { String($0) })
    }

    /// A scalar that `parse` reads as a value inside `range`; anything else is reported, naming
    /// what was expected (`kind`) or the range (its bounds written by `show`).
    private mutating func bounded<Value: Comparable>(
        _ node: SuiteNode, field: String, in range: ClosedRange<Value>, kind: String,
        parse: (String) -> Value?, show: (Value) -> String
    ) -> Value? {
        guard let raw = string(node, field: field) else { return nil }
        guard let value = parse(raw) else {
            report(at: position(of: node), field, "'\(raw)' is not \(kind)")
            return nil
        }
        guard range.contains(value) else {
            report(
                at: position(of: node), field, "\(raw) is outside \(show(range.lowerBound))...\(show(range.upperBound))"
            )
            return nil
        }
        return value
    }

    // MARK: - Reporting

    private mutating func report(at position: SourcePosition, _ field: String?, _ message: String) {
        errors.append(
            SuiteError(
                file: file, line: position.line, column: position.column,
                field: field, message: message))
    }

    private mutating func reportYAML(_ error: YamlError) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            report(at: SourcePosition(line: mark.line, column: mark.column), nil, "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            report(
                at: SourcePosition(line: context.mark.line, column: context.mark.column), nil,
                "duplicate key \(keys) in one mapping")
        case .reader(let problem, _, _, _):
            report(at: .start, nil, "cannot read the file: \(problem)")
        default:
            report(at: .start, nil, "invalid YAML: \(error)")
        }
    }

    private func position(of node: SuiteNode) -> SourcePosition { node.position }

    private func kind(of node: SuiteNode) -> String {
        switch node {
        case .scalar(let scalar) where scalar.isNothing:
            return "nothing"
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func join(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : "\(parent).\(key)"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The known keys of one mapping and their value nodes.
    struct Fields {
        var values: [String: SuiteNode] = [:]
        subscript(key: String) -> SuiteNode? { values[key] }
    }
}
