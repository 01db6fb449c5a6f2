import Foundation

/// The keys a suite file may use, per kind of mapping. Anything else is reported as an unknown
/// key, because a misspelt key (`promt:`) silently ignored would send a probe nobody wrote.
package enum SuiteSchema {
    static let suiteKeys = ["id", "name", "description", "version", "defaults", "include", "probes", "transforms"]

    /// Settings a suite's `defaults:` block can give every probe of the file (and of the files it
    /// includes).
    static let defaultsKeys = [
        "system", "language", "topic", "category", "expect", "stream", "repeat", "tags",
        "temperature", "top_p", "max_tokens", "seed", "terms",
    ]

    static let probeKeys = [
        "id", "prompt", "messages", "system", "language", "topic", "tags", "category", "expect",
        "stream", "repeat", "group", "temperature", "top_p", "max_tokens", "seed", "variants", "terms", "follow_up",
    ]

    /// A variant changes only what is said and in which language; everything that decides how a
    /// result is judged or sampled is inherited, so the variants of a group stay comparable.
    static let variantKeys = [
        "id", "suffix", "prompt", "messages", "system", "language", "topic", "tags", "terms", "follow_up",
    ]

    /// One `follow_up:` turn.
    static let followUpKeys = ["text", "on", "answer"]

    /// A `transforms:` entry written as a mapping instead of `NAME[:ARGUMENT]`.
    static let transformKeys = ["name", "text", "label", "language", "separator"]

    static let messageKeys = ["role", "content"]

    static let roles = ["system", "user", "assistant"]

    /// Probe and suite ids end up in work keys (`suite/probe#0@stream`) and file names, so they
    /// are limited to characters that are safe in both.
    static func isValidIdentifier(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, isIdentifierScalar(first), first != ".", first != "-" else {
            return false
        }
        return id.unicodeScalars.allSatisfy(isIdentifierScalar)
    }

    private static func isIdentifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return true
        default: return false
        }
    }

    /// The allowed key closest to an unknown one, if it is a plausible typo: at most two edits
    /// (and fewer than the key's length), the same word in another case, or an abbreviation of
    /// three letters or more such as `lang`.
    package static func suggestion(for key: String, among allowed: [String]) -> String? {
        if key.count >= 3, let expansion = allowed.first(where: { $0.hasPrefix(key.lowercased()) }) {
            return expansion
        }
        var best: (key: String, distance: Int)?
        for candidate in allowed {
            let distance =
                candidate.lowercased() == key.lowercased()
                ? 0 : editDistance(key, candidate)
            // Two edits turn any two-letter word into any other; a suggestion must keep something.
            if distance <= 2, distance < key.count, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.key
    }

    /// Levenshtein distance over Unicode scalars.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars)
        let b = Array(rhs.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
