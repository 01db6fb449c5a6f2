import Foundation

/// `labels.head`: the hash of the last line of `labels.jsonl` and how many lines it has, one
/// line of text (`<sha256> <count>`). It is the labels chain's counterpart of the manifest's
/// `chainHead`: without it, cutting records off the end of the file would leave a valid chain.
/// Like `manifest.sha256` it proves integrity, not authorship: whoever can rewrite both files
/// can rewrite history, which is what `unsaid sign` (over the manifest) does not cover.
package struct LabelsHead: Sendable, Equatable {
    package var hash: String
    package var count: Int

    package var line: String { "\(hash) \(count)\n" }

    package static func parse(_ data: Data) -> LabelsHead? {
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasSuffix("\n") else { return nil }
        let parts = text.dropLast().split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy(\.isHexDigit),
            let count = Int(parts[1]), count >= 0, String(count) == parts[1]
        else { return nil }
        return LabelsHead(hash: String(parts[0]), count: count)
    }
}
