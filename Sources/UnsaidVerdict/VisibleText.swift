/// Whether text would show anything to a reader: a scalar that is neither whitespace nor an
/// invisible format character (zero-width space, joiners, byte-order mark, …). A stream of empty
/// deltas or blank lines before a block shows nothing, so nothing was withdrawn.
enum VisibleText {
    static func contains(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { scalar in
            !scalar.properties.isWhitespace && scalar.properties.generalCategory != .format
                && scalar.properties.generalCategory != .control
        }
    }
}
