/// A fault header or `meta.fault` that does not follow the grammar.
public struct ReplayFaultSyntaxError: Error, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
