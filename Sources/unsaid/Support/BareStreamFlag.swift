/// `--stream` was a plain flag before it took a mode (`--stream on|off|both`). Scripts written
/// for the flag — the peer benchmark in ../shared/bench among them — pass it bare, and the
/// argument parser would then take the next option as its missing value and stop. A bare
/// `--stream` keeps its old meaning, streamed: it is rewritten to `--stream=on` before parsing.
enum BareStreamFlag {
    static let modes: Set<String> = ["on", "off", "both"]

    /// The arguments (without the program name) with every bare `--stream` of `run` spelled out.
    static func normalized(_ arguments: [String]) -> [String] {
        guard arguments.first == "run" else { return arguments }
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                // Everything after the terminator is a value, never an option.
                result += arguments[index...]
                break
            }
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if argument == "--stream", next.map({ !modes.contains($0) }) ?? true {
                result.append("--stream=on")
            } else {
                result.append(argument)
            }
            index += 1
        }
        return result
    }
}
