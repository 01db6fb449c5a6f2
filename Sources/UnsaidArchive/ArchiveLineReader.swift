import Foundation
import UnsaidSupport

/// Reads one line of an archive file again, by where a walk found it (`ArchiveStream.LineSpan`),
/// and decodes it as the walk did.
///
/// Readers that list every request in an order of their own (`unsaid report`) keep only each
/// line's place while they walk the archive, then come back for the record when they write its
/// row: a record is held while it is written, never all of them at once.
package final class ArchiveLineReader {
    private let reader: LineReader
    /// Reused from line to line; grows to the longest line read.
    private var buffer = Data()

    /// `nil` when the file does not exist.
    package init?(_ url: URL) {
        guard let reader = LineReader(path: url.path, blockSize: 1) else { return nil }
        self.reader = reader
    }

    /// The line at `span`, decoded; `userInfo` as `CanonicalJSON.decode` takes it. A line that
    /// can no longer be read or decoded is a file that changed after it was walked.
    package func decode<T: Decodable>(
        _ type: T.Type, at span: ArchiveStream.LineSpan, userInfo: [CodingUserInfoKey: Bool] = [:]
    ) throws -> T {
        if buffer.count < span.length { buffer.count = span.length }
        let read = buffer.withUnsafeMutableBytes { bytes in
            reader.read(at: span.offset, into: UnsafeMutableRawBufferPointer(rebasing: bytes[..<span.length]))
        }
        guard read, let value = try? CanonicalJSON.decode(type, from: buffer.prefix(span.length), userInfo: userInfo)
        else { throw ArchiveError.mismatch(changed(span)) }
        return value
    }

    /// What to say when the line at `span` is not what the walk read there.
    package func changed(_ span: ArchiveStream.LineSpan) -> String {
        "\(reader.path): the line at byte \(span.offset) changed while the report was being written; run it again"
    }
}
