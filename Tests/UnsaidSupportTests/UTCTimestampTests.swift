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

    /// Run ids took their time from a `DateFormatter` (`yyyyMMdd-HHmmss`, UTC, en_US_POSIX): the
    /// compact form must read the same for every date from 1970 to 2400, fractions of a second
    /// (to the millisecond, then floored: 59.9999 s reads as a minute) and dates before 1970 included.
    @Test func compactFormAgreesWithTheRunIDFormatter() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        var random = SplitMix64(seed: 11)
        var dates = [
            0.0, -0.5, -1.0, -0.0005, -0.0004, 0.999, 0.9995, 59.9999, 59.9994, 1_709_251_199.999, 951_782_400.25,
            13_569_465_599.75,
        ]
        for _ in 0..<2_000 {
            // Seconds since 1970 up to 2400, with a random fraction.
            dates.append(Double(random.next() % 13_569_465_600) + Double(random.next() % 1000) / 1000)
        }
        for seconds in dates {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.compact(from: date) == formatter.string(from: date), "\(seconds)")
        }
        #expect(UTCTimestamp.compact(from: Date(timeIntervalSince1970: 1_764_643_331.9)) == "20251202-024211")
    }
}
