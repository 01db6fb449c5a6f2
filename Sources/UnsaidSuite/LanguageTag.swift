import Foundation

/// The subset of BCP-47 that probe suites need: `language[-Script][-REGION]`, e.g. `en`, `ko`,
/// `zh-Hans`, `zh-Hant`, `pt-BR`, `es-419`.
///
/// Tags are case-insensitive in BCP-47, but results are grouped and compared by tag, so every
/// accepted tag is rewritten in its canonical case (`ZH-hans` → `zh-Hans`) before it is stored.
package enum LanguageTag {
    /// The canonical form of `tag`, or `nil` when it is not a well-formed tag of that shape.
    package static func canonical(_ tag: String) -> String? {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy(isASCIILetter) else {
            return nil
        }
        var result = [first.lowercased()]
        var rest = parts.dropFirst()
        if let script = rest.first, script.count == 4, script.allSatisfy(isASCIILetter) {
            result.append(script.prefix(1).uppercased() + script.dropFirst().lowercased())
            rest = rest.dropFirst()
        }
        if let region = rest.first {
            if region.count == 2, region.allSatisfy(isASCIILetter) {
                result.append(region.uppercased())
            } else if region.count == 3, region.allSatisfy(isASCIIDigit) {
                result.append(region)
            } else {
                return nil
            }
            rest = rest.dropFirst()
        }
        return rest.isEmpty ? result.joined(separator: "-") : nil
    }

    /// A likely intended tag for a near miss such as `zh_Hans` (POSIX locale spelling), if any.
    package static func suggestion(for tag: String) -> String? {
        guard tag.contains("_") else { return nil }
        return canonical(tag.replacingOccurrences(of: "_", with: "-"))
    }

    private static func isASCIILetter(_ character: Character) -> Bool {
        character.isASCII && character.isLetter
    }

    private static func isASCIIDigit(_ character: Character) -> Bool {
        character.isASCII && character.isNumber
    }
}
