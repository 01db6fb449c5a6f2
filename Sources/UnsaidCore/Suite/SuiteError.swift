import Foundation

/// A suite file that cannot be used, with where and why, written for the person at the terminal:
/// `Probes/x.yaml:12:5: probes[3].expect: 'refuse_it' is not one of answer, refuse, any`.
public struct SuiteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// Path of the offending value inside the document, e.g. `probes[3].expect` (indices from 0).
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        if let field { return "\(location): \(field): \(message)" }
        return "\(location): \(message)"
    }
}

/// Everything wrong with a set of suite files at once, so one lint pass shows every problem
/// instead of making the author fix them one run at a time.
public struct SuiteErrors: Error, CustomStringConvertible, Sendable, Equatable {
    public var errors: [SuiteError]

    public init(_ errors: [SuiteError]) {
        self.errors = errors
    }

    /// One error per line, in the order they were found.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
