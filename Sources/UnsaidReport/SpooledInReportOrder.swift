#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import UnsaidSuite
import UnsaidSupport

/// Every item added, in report order (suite, probe, sample, mode; equal keys in the order they
/// came), kept in a temporary file rather than in memory: what `--json` and `--verbose` list at
/// the end of a run. A run of 100,000 requests that were all not as expected held 187 MB with the
/// items in memory (about 1.3 KB each with their keys); here each costs its place in the file and
/// its order key, a few dozen bytes.
///
/// Each item is stored as `CanonicalJSON.prettyEncoder()` writes it, which is what the summary
/// object prints; the terminal list decodes it again.
struct SpooledInReportOrder<Item: Codable & Sendable>: Sendable {
    /// An item's order key and the length of its row; rows follow one another in the file in
    /// the order they came, so where a row starts is the sum of the lengths before it. About 48
    /// bytes, and short ids (up to 15 bytes of UTF-8) live inside the strings themselves.
    private struct Place: Sendable, ReportOrdered {
        var suite: String
        var probe: String
        var sampleNumber: Int32
        var length: Int32
        var streamed: Bool

        var sample: Int { Int(sampleNumber) }
    }

    private var places: [Place] = []
    private let file: SpoolFile

    /// Opens the temporary file; nil when none can be made (the caller then keeps items in memory).
    init?() {
        guard let file = SpoolFile() else { return nil }
        self.file = file
    }

    var count: Int { places.count }

    mutating func add(_ key: WorkKey, _ item: Item) throws {
        let row = try CanonicalJSON.prettyEncoder().encode(item)
        // A sample number or row beyond 32 bits is refused rather than stored wrong.
        guard let sample = Int32(exactly: key.sample), let length = Int32(exactly: row.count) else {
            throw SpoolError(reason: "an item of \(row.count) bytes, sample \(key.sample), does not fit")
        }
        try file.append(row)
        places.append(
            Place(suite: key.suite, probe: key.probe, sampleNumber: sample, length: length, streamed: key.streamed))
    }

    /// Each item's stored row, in report order; the first `limit` only, if given.
    func forEachRow(limit: Int?, _ body: (Data) throws -> Void) throws {
        var offsets: [Int] = []
        offsets.reserveCapacity(places.count)
        var offset = 0
        for place in places {
            offsets.append(offset)
            offset += Int(place.length)
        }
        // Positions are sorted, not places, so the strings stay put; equal keys keep the order
        // they came in (their positions).
        let order = places.indices.sorted { left, right in
            let (a, b) = (places[left], places[right])
            return a.precedes(b) || (!b.precedes(a) && left < right)
        }
        for index in order.prefix(limit ?? .max) {
            try body(try file.read(at: offsets[index], count: Int(places[index].length)))
        }
    }

    /// Each item, in report order; the first `limit` only, if given.
    func forEach(limit: Int?, _ body: (Item) throws -> Void) throws {
        let decoder = JSONDecoder()
        try forEachRow(limit: limit) { try body(try decoder.decode(Item.self, from: $0)) }
    }
}

/// A temporary file that is already gone from its folder: removed the moment it is opened, so
/// nothing is left behind however the process ends, and the space is freed when it closes.
private final class SpoolFile: Sendable {
    private let descriptor: Int32
    /// Where the next row goes; only the accumulator that owns the spool appends, one row at a
    /// time (under the run's tally lock), so a plain counter behind a lock is enough.
    private let end = Mutex(0)

    init?() {
        var template = Array((NSTemporaryDirectory() + "/unsaid-problems-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else { return nil }
        template.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
        self.descriptor = descriptor
    }

    deinit { _ = close(descriptor) }

    /// Writes `row` at the end; returns where it starts.
    @discardableResult
    func append(_ row: Data) throws -> Int {
        try end.withLock { end in
            let offset = end
            try row.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var written = 0
                while written < raw.count {
                    let result = pwrite(
                        descriptor, base.advanced(by: written), raw.count - written, off_t(offset + written))
                    if result < 0 {
                        if errno == EINTR { continue }
                        throw SpoolError(reason: String(cString: strerror(errno)))
                    }
                    written += result
                }
            }
            end += row.count
            return offset
        }
    }

    func read(at offset: Int, count: Int) throws -> Data {
        var data = Data(count: count)
        try data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < count {
                let result = pread(descriptor, base.advanced(by: done), count - done, off_t(offset + done))
                if result < 0, errno == EINTR { continue }
                guard result > 0 else {
                    throw SpoolError(reason: result < 0 ? String(cString: strerror(errno)) : "the file ended early")
                }
                done += result
            }
        }
        return data
    }
}

/// The temporary file of a problem list could not be written or read back.
struct SpoolError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the list of problems could not be kept in a temporary file: \(reason)" }
}
