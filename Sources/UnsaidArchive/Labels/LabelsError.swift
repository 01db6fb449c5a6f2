import Foundation

/// Something wrong with a labels file or a review request, phrased for the person at the terminal.
package struct LabelsError: Error, CustomStringConvertible, Equatable {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    static func at(_ path: String, line: Int, _ reason: String) -> LabelsError {
        LabelsError("\(path):\(line): \(reason)")
    }

    package var description: String { message }
}
