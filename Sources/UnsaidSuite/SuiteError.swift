import Foundation

/// A suite file that cannot be used, with where and why, written for the person at the terminal:
/// `Probes/x.yaml:12:5: probes[3].expect: 'refuse_it' is not one of answer, refuse, any`.
package struct SuiteError: Error, CustomStringConvertible, Sendable, Equatable {
    package var file: String
    package var line: Int?
    package var column: Int?
    /// Path of the offending value inside the document, e.g. `probes[3].expect` (indices from 0).
    package var field: String?
    package var message: String

    package init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    package var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        if let field { return "\(location): \(field): \(message)" }
        return "\(location): \(message)"
    }
}

/// Everything wrong with a set of suite files at once, so one lint pass shows every problem
/// instead of making the author fix them one run at a time.
package struct SuiteErrors: Error, CustomStringConvertible, Sendable, Equatable {
    package var errors: [SuiteError]

    package init(_ errors: [SuiteError]) {
        self.errors = errors
    }

    /// One error per line, in the order they were found.
    package var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
