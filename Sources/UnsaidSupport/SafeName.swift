import Foundation

/// A name that becomes (part of) a file or directory name: a run id, a ruleset version, a rule
/// file. Checked as a *name*, never trusted as a path, so `../../x`, `a/b` or a newline can never
/// put a file outside the directory it belongs in.
package enum SafeName {
    package static let maximumLength = 128

    /// ASCII letters and digits, `.`, `-`, `_`, `+` (semantic-version build metadata, as in a
    /// retrained ruleset's `1.1.0+model.<digest>`); not empty, not starting with a dot (no `..`,
    /// no hidden files), at most `maximumLength` characters.
    package static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumLength && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (CharacterSet.alphanumerics.contains(scalar) || "._-+".unicodeScalars.contains(scalar))
            }
    }

    /// Why `name` is refused, for a message that names the field it came from.
    package static func problem(with name: String) -> String? {
        guard !isValid(name) else { return nil }
        let shown = name.debugDescription
        if name.isEmpty { return "is empty" }
        if name.utf8.count > maximumLength { return "\(shown.prefix(40))… is longer than \(maximumLength) characters" }
        return "\(shown) is not a plain name (letters, digits, '.', '-', '_', '+'; not starting with '.')"
    }
}
