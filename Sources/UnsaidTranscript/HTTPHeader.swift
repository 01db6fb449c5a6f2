import Foundation
import UnsaidSupport

/// One header line; order and repeats are kept as sent or received.
package struct HTTPHeader: Codable, Sendable, Hashable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    package func first(named name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A record holds a dozen headers or more; read in one pass over the fields (see
/// `IndexedFieldDecodable`), exactly as the synthesized `init(from:)` reads them.
extension HTTPHeader: IndexedFieldDecodable {
    package init(fields: inout IndexedFields) throws {
        var name: String?
        var value: String?
        while let field = try fields.next() {
            if field.is("name") {
                name = try field.stringIfNotNull()
            } else if field.is("value") {
                value = try field.stringIfNotNull()
            }
        }
        // A null is as absent as a missing key here: `JSONDecoder` reports either.
        guard let name, let value else { throw fields.missing() }
        self.init(name: name, value: value)
    }
}
