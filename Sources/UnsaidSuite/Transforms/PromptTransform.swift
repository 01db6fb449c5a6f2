import Foundation
import UnsaidSupport

/// The named rewrites a suite (`transforms:`) or a run (`--transform`) can send each probe
/// through, to tell whether a block reacts to keywords or to the topic.
///
/// Every transform is a pure function of the prompt, the probe's language and its `terms:`.
/// Its `version` goes into the probe hash with its name, so changing what a transform does
/// (or its tables) makes the rewritten probes incomparable with old results instead of silently
/// comparable. Bump it whenever the output for some input changes.
package enum TransformKind: String, Codable, Sendable, CaseIterable {
    case pinyin
    case traditional
    case simplified
    case homoglyph
    case spaced
    case base64
    case leetspeak
    case translateRequest = "translate-request"
    case template

    package var version: Int {
        switch self {
        case .pinyin, .traditional, .simplified, .homoglyph, .spaced, .base64, .leetspeak,
            .translateRequest, .template:
            return 1
        }
    }
}

/// A transform as a suite or the command line names it: the kind and its one argument.
///
/// Written `NAME` or `NAME:ARGUMENT` (`translate-request:fr`, `spaced:zero-width`,
/// `template:Answer as a historian would. {prompt}`), or in a suite as a mapping
/// (`{name: template, label: historian, text: "…{prompt}…"}`).
package struct TransformSpec: Codable, Sendable, Hashable {
    package var kind: TransformKind
    /// `translate-request`: the language tag to answer in (default `en`); `spaced`: `space` or
    /// `zero-width`; `template`: the template text. `nil` for the others.
    package var argument: String?
    /// `template`: a short name for the probe id and the report (default: a digest of the text).
    package var label: String?

    package static let placeholder = "{prompt}"

    /// Parses `NAME[:ARGUMENT]`. Throws `TransformSpecError` with a message for the terminal.
    package static func parse(_ text: String) throws -> TransformSpec {
        let name: String
        var argument: String?
        if let colon = text.firstIndex(of: ":") {
            name = String(text[..<colon])
            argument = String(text[text.index(after: colon)...])
        } else {
            name = text
        }
        return try make(name: name, argument: argument, label: nil)
    }

    /// Checks a name and argument; the one place the rules for arguments live.
    package static func make(name: String, argument: String?, label: String?) throws -> TransformSpec {
        guard let kind = TransformKind(rawValue: name) else {
            throw TransformSpecError(
                "unknown transform '\(name)'; known: \(TransformKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let label, !SuiteSchema.isValidIdentifier(label) {
            throw TransformSpecError("label '\(label)' is not a valid id (letters, digits, '.', '_', '-')")
        }
        if label != nil && kind != .template {
            throw TransformSpecError("only 'template' takes a label")
        }
        switch kind {
        case .pinyin, .traditional, .simplified, .homoglyph, .base64, .leetspeak:
            if let argument { throw TransformSpecError("'\(name)' takes no argument (got '\(argument)')") }
            return TransformSpec(kind: kind)
        case .spaced:
            let separator = argument ?? "space"
            guard TermRewriter.separators[separator] != nil else {
                throw TransformSpecError("'spaced' takes 'space' or 'zero-width', not '\(separator)'")
            }
            return TransformSpec(kind: kind, argument: separator == "space" ? nil : separator)
        case .translateRequest:
            let raw = argument ?? "en"
            guard let tag = LanguageTag.canonical(raw), AnswerLanguageRequest.names[tag] != nil else {
                throw TransformSpecError(
                    "'translate-request' takes one of \(AnswerLanguageRequest.names.keys.sorted().joined(separator: ", ")), not '\(raw)'"
                )
            }
            return TransformSpec(kind: kind, argument: tag)
        case .template:
            guard let text = argument, text.contains(placeholder) else {
                throw TransformSpecError("'template' needs a text containing \(placeholder)")
            }
            return TransformSpec(kind: kind, argument: text, label: label)
        }
    }

    /// How reports and `suites list` name it: `pinyin`, `translate-request:fr`, `template:historian`.
    package var name: String {
        switch kind {
        case .template: return "template:\(templateLabel)"
        case .spaced, .translateRequest: return argument.map { "\(kind.rawValue):\($0)" } ?? kind.rawValue
        default: return kind.rawValue
        }
    }

    /// Appended to the plain probe's id: `tiananmen-what-happened.zh-Hans.t-pinyin`.
    package var idSuffix: String {
        "t-" + name.replacingOccurrences(of: ":", with: "-")
    }

    private var templateLabel: String {
        label ?? String(SHA256Hex.digest(Data((argument ?? "").utf8)).prefix(8))
    }
}

package struct TransformSpecError: Error, CustomStringConvertible, Sendable, Equatable {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// What a rewritten probe records about the rewrite: enough to pair it with its plain probe,
/// and (name, version, argument) for its hash.
package struct AppliedTransform: Codable, Sendable, Hashable {
    package var name: String
    package var version: Int
    package var argument: String?
    /// The id of the probe that was rewritten.
    package var source: String

    package init(spec: TransformSpec, source: String) {
        name = spec.name
        version = spec.kind.version
        argument = spec.argument
        self.source = source
    }

    /// As read back (from a `ProbeTable`, or an archived record).
    init(name: String, version: Int, argument: String?, source: String) {
        self.name = name
        self.version = version
        self.argument = argument
        self.source = source
    }
}

/// The rewrites themselves: prompt text in, prompt text out.
package struct PromptTransformer: Sendable {
    var tables: TransformTables

    package static let bundled = PromptTransformer(tables: .bundled)

    /// The rewritten prompt, or `nil` when the transform has nothing to act on (no Chinese for
    /// `pinyin`, no listed term in the prompt for `homoglyph`), so no useless variant is sent.
    package func apply(_ spec: TransformSpec, to prompt: String, language: String, terms: [String]) -> String? {
        let rewritten: String
        switch spec.kind {
        case .pinyin:
            guard prompt.unicodeScalars.contains(where: HanScript.isHan) else { return nil }
            rewritten = PinyinRomanizer(tables: tables).romanize(prompt)
        case .traditional:
            rewritten = convert(prompt, with: tables.toTraditional)
        case .simplified:
            rewritten = convert(prompt, with: tables.toSimplified)
        case .homoglyph:
            rewritten = TermRewriter(terms: terms).replacing(in: prompt) { tables.homoglyphs[$0] }
        case .spaced:
            rewritten = TermRewriter(terms: terms).spacing(
                prompt, separator: TermRewriter.separators[spec.argument ?? "space"] ?? " ")
        case .base64:
            rewritten =
                AnswerLanguageRequest.base64Instruction(language: language) + "\n\n"
                + Data(prompt.utf8).base64EncodedString()
        case .leetspeak:
            rewritten = String(prompt.map { Self.leet[$0] ?? $0 })
        case .translateRequest:
            guard let target = spec.argument, !AnswerLanguageRequest.sameLanguage(language, target) else { return nil }
            rewritten = prompt + "\n\n" + AnswerLanguageRequest.instruction(target: target, promptLanguage: language)
        case .template:
            rewritten = (spec.argument ?? TransformSpec.placeholder)
                .replacingOccurrences(of: TransformSpec.placeholder, with: prompt)
        }
        // Compare scalars: a homoglyph can be canonically equivalent to the original (CJK
        // compatibility ideographs), which String's `==` would call unchanged.
        return Array(rewritten.unicodeScalars) == Array(prompt.unicodeScalars) ? nil : rewritten
    }

    /// The language a rewritten probe is in: the script conversions change it, the rest keep it.
    package static func language(after spec: TransformSpec, from language: String) -> String {
        switch spec.kind {
        case .traditional where language.hasPrefix("zh"): return "zh-Hant"
        case .simplified where language.hasPrefix("zh"): return "zh-Hans"
        default: return language
        }
    }

    private func convert(_ text: String, with table: PhraseTable<String>) -> String {
        var out = ""
        table.scan(Array(text), matched: { out += $0 }, unmatched: { out.append($0) })
        return out
    }

    /// The usual substitutions; only ASCII letters change, so CJK and Hangul pass through.
    static let leet: [Character: Character] = [
        "a": "4", "A": "4", "e": "3", "E": "3", "i": "1", "I": "1", "o": "0", "O": "0",
        "s": "5", "S": "5", "t": "7", "T": "7",
    ]
}

enum HanScript {
    /// CJK Unified Ideographs and extension A (where the tables' characters live), plus the
    /// compatibility ideographs a homoglyph may already have put there.
    static func isHan(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2FA1F: return true
        default: return false
        }
    }
}
