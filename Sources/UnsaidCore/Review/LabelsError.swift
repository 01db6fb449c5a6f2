import Foundation

/// Something wrong with a labels file or a review request, phrased for the person at the terminal.
public struct LabelsError: Error, CustomStringConvertible, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    static func at(_ path: String, line: Int, _ reason: String) -> LabelsError {
        LabelsError("\(path):\(line): \(reason)")
    }

    public var description: String { message }
}
