import Foundation
import UnsaidSupport
import UnsaidTranscript

/// One moderation, refusal or error signal a provider put on the wire.
struct ProviderSignal: Equatable {
    /// The name in `provider_signal(<name>)`.
    var name: String
    /// The rule that recognised it.
    var rule: String
    var kind: SignalKind
    /// The event that carried it; `nil` when only the assembled response says so.
    var event: Int?
    var note: String

    var flag: VerdictFlag { .providerSignal(name) }
}

/// Reads provider signals out of a decoded response: finish reasons, the `refusal` field, error
/// objects, and provider-specific annotations. Pure.
struct ProviderSignalScanner {
    let signals: SignalRules
    let rules: CompiledRules

    struct Scan {
        /// Signals that stop or replace the answer, in event order.
        var blocks: [ProviderSignal] = []
        /// Finish reasons in none of the ruleset's lists, verbatim, with their event.
        var unknownFinishReasons: [(reason: String, event: Int?)] = []
    }

    func scan(_ response: DecodedResponse) -> Scan {
        var scan = Scan()
        var sawFinishReason = false
        var sawRefusal = false
        var seenErrors: [ProviderError] = []
        // Fields are read through the array one at a time: binding each event copied all of it
        // (a dozen references retained and released per event, for the few that carry a signal).
        let events = response.events
        for position in events.indices {
            let index = events[position].index
            if let reason = events[position].finishReason {
                sawFinishReason = true
                finishReason(reason, event: index, into: &scan)
            }
            if let refusal = events[position].refusal, Self.hasText(refusal) {
                sawRefusal = true
                scan.blocks.append(
                    ProviderSignal(
                        name: "refusal", rule: RuleID.refusalField, kind: .refusal,
                        event: index, note: "refusal field: \(refusal.prefix(120))"))
            }
            if let error = events[position].error {
                seenErrors.append(error)
                scan.blocks.append(errorSignal(error, event: index))
            }
            if let annotations = events[position].annotations, !annotations.isEmpty {
                for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
                    scan.blocks += annotationSignals(key: key, value: value, event: index)
                }
            }
        }
        // The assembled response may know what no event said (a decoder that keeps only totals).
        if !sawFinishReason, let reason = response.finishReason {
            finishReason(reason, event: nil, into: &scan)
        }
        if !sawRefusal, Self.hasText(response.refusal) {
            scan.blocks.append(
                ProviderSignal(
                    name: "refusal", rule: RuleID.refusalField, kind: .refusal,
                    event: nil, note: "refusal field: \(response.refusal.prefix(120))"))
        }
        for error in response.errors where !seenErrors.contains(error) {
            scan.blocks.append(errorSignal(error, event: error.eventIndex))
        }
        // Stable by event; the blocks nearly always arrive in that order already, and a stable
        // sort leaves an ordered list as it is.
        let ordered = zip(scan.blocks, scan.blocks.dropFirst()).allSatisfy {
            ($0.event ?? Int.max) <= ($1.event ?? Int.max)
        }
        if !ordered {
            scan.blocks = scan.blocks.enumerated().sorted {
                let left = $0.element.event ?? Int.max
                let right = $1.element.event ?? Int.max
                return left != right ? left < right : $0.offset < $1.offset
            }.map(\.element)
        }
        return scan
    }

    /// Whether `text` holds anything but whitespace and newlines (as `trimmingCharacters(in:
    /// .whitespacesAndNewlines)` leaving something would say); an empty field, the common case,
    /// is answered without Foundation.
    private static func hasText(_ text: String) -> Bool {
        !text.isEmpty && !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    private func finishReason(_ reason: String, event: Int?, into scan: inout Scan) {
        let reasons = signals.finishReasons
        if reasons.moderation.contains(reason) {
            scan.blocks.append(
                ProviderSignal(
                    name: reason, rule: RuleID.moderationFinishReason, kind: .moderation,
                    event: event, note: "finish_reason \(reason)"))
        } else if reasons.refusal.contains(reason) {
            scan.blocks.append(
                ProviderSignal(
                    name: reason, rule: RuleID.refusalFinishReason, kind: .refusal,
                    event: event, note: "finish_reason \(reason)"))
        } else if reasons.error.contains(reason) {
            scan.blocks.append(
                ProviderSignal(
                    name: reason, rule: RuleID.errorFinishReason, kind: .error,
                    event: event, note: "finish_reason \(reason)"))
        } else if !reasons.normal.contains(reason) {
            scan.unknownFinishReasons.append((reason, event))
        }
    }

    /// An error object is a moderation block when its text matches a moderation pattern
    /// (DeepSeek "Content Exists Risk", Zhipu 1301, DashScope data_inspection_failed, …), and a
    /// plain error otherwise.
    func errorSignal(_ error: ProviderError, event: Int?) -> ProviderSignal {
        let text = [error.code, error.type, error.message, error.raw.compactDescription]
            .compactMap { $0 }.joined(separator: " ")
        if let hit = moderationPattern(in: text) {
            return ProviderSignal(
                name: hit.name, rule: hit.id, kind: .moderation, event: event,
                note: "error object: \(error.message ?? error.code ?? hit.name)")
        }
        let code = error.code ?? error.type ?? "unknown"
        return ProviderSignal(
            name: "error(\(code))", rule: RuleID.errorObject, kind: .error, event: event,
            note: "error object: \(error.message ?? code)")
    }

    /// The moderation error pattern that matches `text` (an error body or object), if any.
    func moderationPattern(in text: String) -> SignalRules.ErrorPattern? {
        let folded = text.lowercased()
        let range = NSRange(location: 0, length: (folded as NSString).length)
        return rules.errorPatterns.first { $0.regex.regex.firstMatch(in: folded, range: range) != nil }?.pattern
    }

    private func annotationSignals(key: String, value: JSONValue, event: Int) -> [ProviderSignal] {
        signals.annotations.compactMap { rule -> ProviderSignal? in
            guard rule.keys.contains(key) else { return nil }
            var target: JSONValue? = value
            for step in rule.path ?? [] { target = target?[step] }
            guard let target, !target.isNull else { return nil }
            var note = "\(key)"
            var hit = false
            if let equals = rule.equals, equals.contains(target) {
                hit = true
                note += " = \(target.compactDescription)"
            }
            if rule.anyInteger == true, case .int = target {
                hit = true
                note += " = \(target.compactDescription)"
            }
            if rule.present == true, target != .string(""), target != .array([]), target != .object([:]) {
                hit = true
                note += " = \(target.compactDescription)"
            }
            if rule.filteredTrue == true {
                let categories = Self.filteredCategories(in: target, under: key)
                if !categories.isEmpty {
                    hit = true
                    note += " filtered: " + categories.joined(separator: ", ")
                }
            }
            guard hit else { return nil }
            return ProviderSignal(name: rule.name, rule: rule.id, kind: rule.kind, event: event, note: note)
        }
    }

    /// Names of the categories marked `filtered: true` anywhere inside an Azure filter result.
    static func filteredCategories(in value: JSONValue, under name: String) -> [String] {
        switch value {
        case .object(let object):
            var found: [String] = []
            if object["filtered"] == .bool(true) { found.append(name) }
            for (key, child) in object.sorted(by: { $0.key < $1.key }) where key != "filtered" {
                found += filteredCategories(in: child, under: key)
            }
            return found
        case .array(let array):
            return array.flatMap { filteredCategories(in: $0, under: name) }
        default:
            return []
        }
    }
}
