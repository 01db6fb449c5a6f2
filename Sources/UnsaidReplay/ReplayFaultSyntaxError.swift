/// A fault header or `meta.fault` that does not follow the grammar.
package struct ReplayFaultSyntaxError: Error, Equatable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
