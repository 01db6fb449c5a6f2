import Foundation

/// ANSI colour for terminal output, or none. Whether to colour is decided once per stream by
/// `TerminalCapabilities`; code that prints only asks the style to paint.
package struct TextStyle: Sendable, Equatable {
    package var colour: Bool

    package init(colour: Bool) { self.colour = colour }

    package static let plain = TextStyle(colour: false)

    package func red(_ text: String) -> String { paint(text, "31") }
    package func green(_ text: String) -> String { paint(text, "32") }
    package func yellow(_ text: String) -> String { paint(text, "33") }
    package func bold(_ text: String) -> String { paint(text, "1") }
    package func dim(_ text: String) -> String { paint(text, "2") }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// What a terminal may be sent. Colour needs a TTY and no `NO_COLOR` (https://no-color.org: any
/// non-empty value) and a `TERM` other than `dumb`; redrawing a line in place (`\r`, `ESC[K`)
/// needs a TTY and a `TERM` other than `dumb`. A pipe or a file gets neither.
package struct TerminalCapabilities: Sendable, Equatable {
    package var colour: Bool
    package var redraw: Bool

    package init(isTerminal: Bool, environment: [String: String]) {
        let term = environment["TERM"] ?? ""
        let dumb = term == "dumb"
        redraw = isTerminal && !dumb
        let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
        colour = isTerminal && !dumb && !noColour
    }

    package var style: TextStyle { TextStyle(colour: colour) }
}
