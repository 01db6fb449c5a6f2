/// A necessary condition for a phrase pattern to match anywhere in a text: which literal strings
/// (UTF-16, as NSRegularExpression sees the text) any match must contain. Checking it against the
/// literals present in a text lets the classifier skip most of the ~100 expressions on most
/// answers without running them, and since the condition only ever says "cannot match", a rule
/// that does run finds exactly what it found before.
///
/// The analysis understands the subset of ICU syntax the phrase files use (literals, escapes,
/// simple classes, groups, lookarounds, alternation, quantifiers). Anything else — flags,
/// `\Q…\E`, code-point escapes, nested classes — makes the whole pattern `.always`, which just
/// means the expression always runs.
package indirect enum LiteralCondition: Equatable {
    /// No constraint: the expression must run.
    case always
    /// The text must contain the literal with this index (see `LiteralCondition.Analysis`).
    case literal(Int)
    case all([LiteralCondition])
    case any([LiteralCondition])

    /// Whether the condition holds given which literals are present.
    func holds(_ present: [Bool]) -> Bool {
        switch self {
        case .always: return true
        case .literal(let index): return present[index]
        case .all(let parts): return parts.allSatisfy { $0.holds(present) }
        case .any(let parts): return parts.contains { $0.holds(present) }
        }
    }

    /// The condition laid out flat, in prefix order, for judging many texts: the tree form costs
    /// a reference count on every node it visits, and conditions are checked for every phrase
    /// rule on every answer. Answers exactly as `holds` does (a test checks it on every bundled rule).
    struct Program: Sendable, Equatable {
        private enum Kind: UInt8 { case always, literal, all, any }
        private var kinds: [Kind] = []
        /// A literal's index, or for `all`/`any` the position just past the node's last descendant.
        private var arguments: [Int32] = []

        init(_ condition: LiteralCondition) {
            append(condition)
        }

        private mutating func append(_ condition: LiteralCondition) {
            switch condition {
            case .always:
                kinds.append(.always)
                arguments.append(0)
            case .literal(let index):
                kinds.append(.literal)
                arguments.append(Int32(truncatingIfNeeded: index))
            case .all(let parts), .any(let parts):
                let position = kinds.count
                if case .all = condition { kinds.append(.all) } else { kinds.append(.any) }
                arguments.append(0)
                for part in parts { append(part) }
                arguments[position] = Int32(truncatingIfNeeded: kinds.count)
            }
        }

        /// Whether the condition holds given which literals are present.
        func holds(_ present: [Bool]) -> Bool {
            kinds.withUnsafeBufferPointer { kinds in
                arguments.withUnsafeBufferPointer { arguments in
                    present.withUnsafeBufferPointer { present in
                        Self.holds(at: 0, kinds, arguments, present)
                    }
                }
            }
        }

        private static func holds(
            at node: Int, _ kinds: UnsafeBufferPointer<Kind>, _ arguments: UnsafeBufferPointer<Int32>,
            _ present: UnsafeBufferPointer<Bool>
        ) -> Bool {
            guard node < kinds.count else { return true }
            switch kinds[node] {
            case .always: return true
            case .literal: return present[Int(arguments[node])]
            case .all, .any:
                // `all` stops at the first part that fails, `any` at the first that holds.
                let wanted = kinds[node] == .any
                let end = Int(arguments[node])
                var child = node + 1
                while child < end {
                    // Literal and `always` children, most of a long alternation, are read here
                    // rather than through a call each.
                    switch kinds[child] {
                    case .literal:
                        if present[Int(arguments[child])] == wanted { return wanted }
                        child += 1
                    case .always:
                        if wanted { return wanted }
                        child += 1
                    case .all, .any:
                        if holds(at: child, kinds, arguments, present) == wanted { return wanted }
                        child = Int(arguments[child])
                    }
                }
                return !wanted
            }
        }
    }

    /// Builds conditions for many patterns over one shared table of literals.
    struct Analysis {
        private(set) var literals: [[UInt16]] = []
        private var indices: [[UInt16]: Int] = [:]

        mutating func condition(for pattern: String) -> LiteralCondition {
            condition(for: pattern, joiningLiteralRuns: true)
        }

        /// `joiningLiteralRuns: false` reads every literal character as an atom of its own: the
        /// reference the joined reading is tested against.
        mutating func condition(for pattern: String, joiningLiteralRuns: Bool) -> LiteralCondition {
            condition(of: Parsed(pattern, joiningLiteralRuns: joiningLiteralRuns))
        }

        /// A parsed pattern's condition, its literals numbered in this table: the numbering is
        /// the only part of the analysis that depends on the patterns before it, so patterns can
        /// be parsed on any thread and numbered here in order, as `condition(for:)` numbers them.
        mutating func condition(of parsed: Parsed) -> LiteralCondition {
            parsed.condition.map { intern($0) } ?? .always
        }

        /// What a pattern requires, its literals not yet numbered.
        struct Parsed: Sendable {
            fileprivate let condition: Condition?

            init(_ pattern: String, joiningLiteralRuns: Bool = true) {
                var parser = PatternParser(pattern, joiningLiteralRuns: joiningLiteralRuns)
                condition = (try? parser.parse())?.condition
            }
        }

        private mutating func intern(_ condition: Condition) -> LiteralCondition {
            switch condition {
            case .always: return .always
            case .literal(let units):
                if let index = indices[units] { return .literal(index) }
                indices[units] = literals.count
                literals.append(units)
                return .literal(literals.count - 1)
            case .all(let parts): return .all(parts.map { intern($0) })
            case .any(let parts): return .any(parts.map { intern($0) })
            }
        }
    }
}

/// A condition over literal strings, before the literals are numbered.
private indirect enum Condition: Sendable {
    case always
    case literal([UInt16])
    case all([Condition])
    case any([Condition])

    static func and(_ parts: [Condition]) -> Condition {
        let kept = parts.flatMap { part -> [Condition] in
            switch part {
            case .always: return []
            case .all(let inner): return inner
            default: return [part]
            }
        }
        if kept.isEmpty { return .always }
        return kept.count == 1 ? kept[0] : .all(kept)
    }

    static func or(_ parts: [Condition]) -> Condition {
        var kept: [Condition] = []
        for part in parts {
            switch part {
            case .always: return .always
            case .any(let inner): kept += inner
            default: kept.append(part)
            }
        }
        if kept.isEmpty { return .always }
        return kept.count == 1 ? kept[0] : .any(kept)
    }
}

/// What is known about the strings a sub-pattern matches: either exactly which strings (a small
/// set), or only a condition every matched string satisfies.
private enum MatchInfo {
    case exact(Set<[UInt16]>)
    case constrained(Condition)

    /// The largest exact set kept before falling back to a condition.
    static let maximumExact = 64

    static let empty = MatchInfo.exact([[]])
    static let anything = MatchInfo.constrained(.always)

    var condition: Condition {
        switch self {
        case .constrained(let condition): return condition
        case .exact(let strings):
            if strings.contains([]) { return .always }
            return .or(strings.sorted { $0.lexicographicallyPrecedes($1) }.map { .literal($0) })
        }
    }

    /// A sequence of sub-patterns: exact runs are multiplied out while small, and every part's
    /// condition must hold (a match contains each part's match).
    static func sequence(_ items: [MatchInfo]) -> MatchInfo {
        var conditions: [Condition] = []
        // The run's distinct strings. While one side of a product holds a single string, the
        // products are distinct without a set: a pattern's literal characters, one item each,
        // are joined without hashing every prefix of the literal again (which was most of what
        // compiling the ruleset cost).
        var run: [[UInt16]] = [[]]
        for item in items {
            switch item {
            case .exact(let strings):
                if run.count * strings.count <= maximumExact {
                    if strings.count == 1, let right = strings.first {
                        for index in run.indices { run[index] += right }
                    } else if run.count == 1, let left = run.first {
                        run = strings.map { left + $0 }
                    } else {
                        var product: Set<[UInt16]> = []
                        for left in run { for right in strings { product.insert(left + right) } }
                        run = Array(product)
                    }
                } else {
                    conditions.append(MatchInfo.exact(Set(run)).condition)
                    run = Array(strings)
                }
            case .constrained(let condition):
                conditions.append(MatchInfo.exact(Set(run)).condition)
                conditions.append(condition)
                run = [[]]
            }
        }
        if conditions.isEmpty { return .exact(Set(run)) }
        conditions.append(MatchInfo.exact(Set(run)).condition)
        return .constrained(.and(conditions))
    }

    static func alternation(_ branches: [MatchInfo]) -> MatchInfo {
        var union: Set<[UInt16]> = []
        var allExact = true
        for branch in branches {
            guard case .exact(let strings) = branch else { allExact = false; break }
            union.formUnion(strings)
        }
        if allExact, union.count <= maximumExact { return .exact(union) }
        return .constrained(.or(branches.map(\.condition)))
    }

    func repeated(minimum: Int, maximum: Int?) -> MatchInfo {
        if minimum == 0 {
            // Optional once: the empty string or one match; more repetitions say nothing useful.
            if maximum == 1, case .exact(var strings) = self, strings.count < MatchInfo.maximumExact {
                strings.insert([])
                return .exact(strings)
            }
            return .anything
        }
        if minimum == 1, maximum == 1 { return self }
        return .constrained(condition)
    }
}

/// The pattern the analysis does not understand; the caller treats it as unconstrained.
private struct UnsupportedPattern: Error {}

/// A recursive-descent reader for the ICU pattern subset described on `LiteralCondition`.
private struct PatternParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private let joinsLiteralRuns: Bool

    init(_ pattern: String, joiningLiteralRuns: Bool = true) {
        scalars = Array(pattern.unicodeScalars)
        joinsLiteralRuns = joiningLiteralRuns
    }

    mutating func parse() throws -> MatchInfo {
        let info = try alternation()
        guard position == scalars.count else { throw UnsupportedPattern() }
        return info
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func alternation() throws -> MatchInfo {
        var branches = [try sequence()]
        while current == "|" {
            position += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : MatchInfo.alternation(branches)
    }

    private mutating func sequence() throws -> MatchInfo {
        var items: [MatchInfo] = []
        // Plain characters that no quantifier follows, joined into one string: `MatchInfo.sequence`
        // appends a single-string item to every string of its run, so one item of "abc" gives what
        // "a", "b" and "c" one by one gave, without a set made and hashed for each character (most
        // of a pattern's atoms; this was a third of reading a pattern).
        var literalRun: [UInt16] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            if joinsLiteralRuns, !Self.special.contains(scalar),
                position + 1 == scalars.count || !Self.quantifiers.contains(scalars[position + 1])
            {
                literalRun.append(contentsOf: scalar.utf16)
                position += 1
                continue
            }
            if !literalRun.isEmpty {
                items.append(.exact([literalRun]))
                literalRun = []
            }
            let atom = try self.atom()
            items.append(try quantified(atom))
        }
        if !literalRun.isEmpty { items.append(.exact([literalRun])) }
        return MatchInfo.sequence(items)
    }

    /// The characters `atom` does not read as a plain literal (the others it reads as one).
    private static let special: Set<Unicode.Scalar> = [
        "(", "[", "\\", ".", "^", "$", "?", "*", "+", "{", "}", "]", ")", "|",
    ]
    /// The characters `quantified` reads as applying to the atom before them.
    private static let quantifiers: Set<Unicode.Scalar> = ["?", "*", "+", "{"]

    private mutating func atom() throws -> MatchInfo {
        guard let scalar = current else { throw UnsupportedPattern() }
        position += 1
        switch scalar {
        case "(": return try group()
        case "[": return try characterClass()
        case "\\": return try escape()
        case ".": return .anything
        case "^", "$": return .empty
        case "?", "*", "+", "{", "}", "]", ")", "|": throw UnsupportedPattern()
        default: return .exact([Array(String(scalar).utf16)])
        }
    }

    private mutating func group() throws -> MatchInfo {
        var lookaround = false
        if current == "?" {
            position += 1
            guard let kind = current else { throw UnsupportedPattern() }
            position += 1
            switch kind {
            case ":", ">": break
            case "=", "!": lookaround = true
            case "<":
                if current == "=" || current == "!" {
                    position += 1
                    lookaround = true
                } else {
                    // A named group: (?<name>…)
                    while let scalar = current, scalar != ">" {
                        guard scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) else {
                            throw UnsupportedPattern()
                        }
                        position += 1
                    }
                    guard current == ">" else { throw UnsupportedPattern() }
                    position += 1
                }
            default: throw UnsupportedPattern()  // flags, comments, conditionals
            }
        }
        let inner = try alternation()
        guard current == ")" else { throw UnsupportedPattern() }
        position += 1
        // A lookaround consumes nothing: the matched text does not include what it looks at.
        return lookaround ? .empty : inner
    }

    private mutating func quantified(_ atom: MatchInfo) throws -> MatchInfo {
        guard let scalar = current else { return atom }
        let minimum: Int
        let maximum: Int?
        switch scalar {
        case "?": minimum = 0; maximum = 1; position += 1
        case "*": minimum = 0; maximum = nil; position += 1
        case "+": minimum = 1; maximum = nil; position += 1
        case "{":
            position += 1
            guard let low = number() else { throw UnsupportedPattern() }
            minimum = low
            if current == "," {
                position += 1
                maximum = number()
            } else {
                maximum = low
            }
            guard current == "}" else { throw UnsupportedPattern() }
            position += 1
        default: return atom
        }
        if current == "?" || current == "+" { position += 1 }  // lazy or possessive
        if let next = current, ["?", "*", "+", "{"].contains(next) { throw UnsupportedPattern() }
        return atom.repeated(minimum: minimum, maximum: maximum)
    }

    private mutating func number() -> Int? {
        var value: Int?
        while let scalar = current, ("0"..."9").contains(scalar), (value ?? 0) < 100_000 {
            value = (value ?? 0) * 10 + Int(scalar.value - 0x30)
            position += 1
        }
        return value
    }

    private static let zeroWidthEscapes: Set<Unicode.Scalar> = ["b", "B", "A", "z", "Z", "G"]
    private static let classEscapes: Set<Unicode.Scalar> = ["d", "D", "s", "S", "w", "W", "h", "H", "v", "V", "R", "X"]
    private static let controlEscapes: [Unicode.Scalar: UInt16] = [
        "n": 0x0A, "t": 0x09, "r": 0x0D, "f": 0x0C, "a": 0x07, "e": 0x1B,
    ]

    private mutating func escape() throws -> MatchInfo {
        guard let scalar = current else { throw UnsupportedPattern() }
        position += 1
        if Self.zeroWidthEscapes.contains(scalar) { return .empty }
        if Self.classEscapes.contains(scalar) { return .anything }
        if let unit = Self.controlEscapes[scalar] { return .exact([[unit]]) }
        if ("1"..."9").contains(scalar) {
            // A back reference matches some earlier text; nothing is known about it.
            while let digit = current, ("0"..."9").contains(digit) { position += 1 }
            return .anything
        }
        if scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) {
            return .exact([[UInt16(scalar.value)]])
        }
        throw UnsupportedPattern()  // \Q, \u, \x, \p, \N, \c, \0, …
    }

    /// A bracket expression. Simple positive ones become the set of their characters; negated
    /// ones match anything; set operations and nested sets are not handled.
    private mutating func characterClass() throws -> MatchInfo {
        var negated = false
        if current == "^" {
            negated = true
            position += 1
        }
        var members: [Unicode.Scalar] = []
        var unknown = false
        var first = true
        // Whether the last member was a plain character, which a following "-" makes a range start.
        var rangeable = false
        while true {
            guard let scalar = current else { throw UnsupportedPattern() }
            position += 1
            switch scalar {
            case "]":
                if first { throw UnsupportedPattern() }
                if negated || unknown { return .anything }
                return .exact(Set(members.map { Array(String($0).utf16) }))
            case "[", "^", "&", "$", "{", "}", ":":
                // Nested sets, set operations, POSIX classes, string literals: not handled.
                throw UnsupportedPattern()
            case "-":
                // A range: the previous member up to the next plain character.
                guard rangeable, let low = members.popLast(), let high = current,
                    !["]", "\\", "[", "-", "^", "&", "$", "{", "}", ":"].contains(high),
                    low.value <= high.value
                else { throw UnsupportedPattern() }
                position += 1
                rangeable = false
                if high.value - low.value > 32 {
                    unknown = true
                } else {
                    for value in low.value...high.value {
                        guard let member = Unicode.Scalar(value) else { throw UnsupportedPattern() }
                        members.append(member)
                    }
                }
            case "\\":
                guard let escaped = current else { throw UnsupportedPattern() }
                position += 1
                rangeable = false
                if Self.classEscapes.contains(escaped) {
                    unknown = true
                } else if let unit = Self.controlEscapes[escaped], let member = Unicode.Scalar(unit) {
                    members.append(member)
                } else if escaped.isASCII, !escaped.properties.isAlphabetic, !("0"..."9").contains(escaped) {
                    members.append(escaped)
                } else {
                    throw UnsupportedPattern()
                }
            default:
                members.append(scalar)
                rangeable = true
            }
            first = false
        }
    }
}
