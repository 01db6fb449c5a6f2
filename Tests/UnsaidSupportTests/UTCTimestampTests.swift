import Foundation
import Testing
import UnsaidSupport

@Suite("UTC timestamps")
struct UTCTimestampTests {
    /// Expected strings computed apart from this code (Python's `datetime`, UTC).
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_767_225_600.5, "2026-01-01T00:00:00.500Z"),
        (1_709_251_199.999, "2024-02-29T23:59:59.999Z"),
        (951_782_400.25, "2000-02-29T00:00:00.250Z"),
        (4_102_444_799.001, "2099-12-31T23:59:59.001Z"),
        (1_764_643_331.0, "2025-12-02T02:42:11.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
    ])
    func formatsWithMilliseconds(seconds: Double, expected: String) {
        #expect(UTCTimestamp.string(from: Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func agreesWithFoundationsFormatterToTheSecond() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for step in 0..<500 {
            let date = Date(timeIntervalSince1970: Double(step) * 7_919_993.0)
            #expect(UTCTimestamp.string(from: date).prefix(19) == formatter.string(from: date).prefix(19))
        }
    }
}
