import Foundation

/// ANSI colour for terminal output, or none. Whether to colour is decided once per stream by
/// `TerminalCapabilities`; code that prints only asks the style to paint.
public struct TextStyle: Sendable, Equatable {
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

    public static let plain = TextStyle(colour: false)

    public func red(_ text: String) -> String { paint(text, "31") }
    public func green(_ text: String) -> String { paint(text, "32") }
    public func yellow(_ text: String) -> String { paint(text, "33") }
    public func bold(_ text: String) -> String { paint(text, "1") }
    public func dim(_ text: String) -> String { paint(text, "2") }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// What a terminal may be sent. Colour needs a TTY and no `NO_COLOR` (https://no-color.org: any
/// non-empty value) and a `TERM` other than `dumb`; redrawing a line in place (`\r`, `ESC[K`)
/// needs a TTY and a `TERM` other than `dumb`. A pipe or a file gets neither.
public struct TerminalCapabilities: Sendable, Equatable {
    public var colour: Bool
    public var redraw: Bool

    public init(isTerminal: Bool, environment: [String: String]) {
        let term = environment["TERM"] ?? ""
        let dumb = term == "dumb"
        redraw = isTerminal && !dumb
        let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
        colour = isTerminal && !dumb && !noColour
    }

    public var style: TextStyle { TextStyle(colour: colour) }
}
