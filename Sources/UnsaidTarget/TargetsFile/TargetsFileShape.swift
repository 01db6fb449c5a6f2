import Foundation
import Yams
import UnsaidSuite

/// Checks a targets file's YAML before it is decoded, with the suite parser's rules: no aliases
/// (decoding expands them, so a few nested anchors — "billion laughs" — would hang the decoder),
/// syntax errors and unknown keys at their line and column, unknown keys with a "did you mean".
/// Works on the composed node tree, where an alias is one node, so it is linear in the file.
enum TargetsFileShape {
    static let topKeys = ["targets"]
    static let targetKeys = [
        "name", "base_url", "model", "api_key_env", "headers", "parameters", "extra_body",
        "concurrency", "rate_limit", "timeouts", "attempts",
    ]
    static let parameterKeys = ["temperature", "top_p", "max_tokens", "seed"]
    static let timeoutKeys = ["connect", "total", "stall"]

    /// The composed document, or the first problem as an error at its position.
    static func compose(_ text: String, path: String) throws -> Node? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, path: path)
        }
        guard let root else { return nil }
        if let alias = firstAlias(in: root) {
            throw SuiteError(
                file: path, line: alias.line, column: alias.column,
                message:
                    "YAML aliases are not allowed in a targets file (this one repeats the value anchored at line \(alias.anchorLine)); write the value out"
            )
        }
        try checkKeys(root, allowed: topKeys, field: "", path: path)
        if let targets = root.mapping?["targets"]?.sequence {
            for (index, target) in targets.enumerated() {
                let field = "targets[\(index)]"
                try checkKeys(target, allowed: targetKeys, field: field, path: path)
                if let parameters = target.mapping?["parameters"] {
                    try checkKeys(parameters, allowed: parameterKeys, field: field + ".parameters", path: path)
                }
                if let timeouts = target.mapping?["timeouts"] {
                    try checkKeys(timeouts, allowed: timeoutKeys, field: field + ".timeouts", path: path)
                }
            }
        }
        return root
    }

    /// The first node that came from an alias. Yams resolves `*name` to the anchored node
    /// itself, so such a node carries the *anchor's* position, earlier in the file than the node
    /// visited before it; in a file without aliases, positions only grow in document order. The
    /// walk stops at the first alias, so an expansion is never walked.
    /// Returns where the alias was met (the position of the node visited just before it, its key
    /// in a mapping) and the line of the anchor it repeats.
    private static func firstAlias(in root: Node) -> (line: Int, column: Int, anchorLine: Int)? {
        var last = (line: 0, column: 0)
        func visit(_ node: Node) -> (line: Int, column: Int, anchorLine: Int)? {
            if let mark = node.mark {
                if (mark.line, mark.column) < last { return (last.line, last.column, mark.line) }
                last = (mark.line, mark.column)
            }
            switch node {
            case .alias: return (last.line, last.column, last.line)
            case .scalar: return nil
            case .sequence(let sequence):
                for child in sequence { if let alias = visit(child) { return alias } }
                return nil
            case .mapping(let mapping):
                for (key, value) in mapping {
                    if let alias = visit(key) ?? visit(value) { return alias }
                }
                return nil
            }
        }
        return visit(root)
    }

    private static func checkKeys(_ node: Node, allowed: [String], field: String, path: String) throws {
        guard let mapping = node.mapping else { return }  // wrong types are the decoder's to report
        for (key, _) in mapping {
            guard let name = key.string, !allowed.contains(name) else { continue }
            var message = "unknown key '\(name)'"
            if let suggestion = SuiteSchema.suggestion(for: name, among: allowed) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += " (known: \(allowed.joined(separator: ", ")))"
            }
            throw SuiteError(
                file: path, line: key.mark?.line, column: key.mark?.column,
                field: field.isEmpty ? nil : field, message: message)
        }
    }

    private static func syntaxError(_ error: YamlError, path: String) -> SuiteError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return SuiteError(file: path, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return SuiteError(
                file: path, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(keys) in one mapping")
        default:
            return SuiteError(file: path, message: "invalid YAML: \(error)")
        }
    }
}
