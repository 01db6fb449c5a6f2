#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// ISO 8601 UTC timestamps with milliseconds (`2026-12-02T02:42:11.123Z`), as the archive writes
/// them (attempt starts, manifest times, label records).
///
/// Why not `ISO8601DateFormatter`: making one per timestamp cost about 5% of a streamed run's time
/// (one per attempt), and sharing one across concurrent requests is not documented as safe on
/// Linux. This is plain arithmetic on the calendar (`gmtime_r`), safe from any thread.
package enum UTCTimestamp {
    package static func string(from date: Date) -> String {
        // To the nearest millisecond first (a `Date` is a binary fraction: .999 may be .99899…).
        guard let (parts, milliseconds) = calendar(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
        else { return "1970-01-01T00:00:00.000Z" }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + ".\(pad(milliseconds, 3))Z"
    }

    /// `yyyyMMdd-HHmmss` in UTC (`20261202-024211`), the time in a run id, as `DateFormatter`
    /// gives it: the time taken to the millisecond (half up), then the seconds floored. Not
    /// `DateFormatter`: the first one a process makes loads ICU's calendar, time zone and locale
    /// data, about 3 MB of a run's peak resident memory for a name. Both read the proleptic
    /// Gregorian calendar alike from 1582 on; before it ICU switches to the Julian calendar,
    /// which a run started now never meets.
    package static func compact(from date: Date) -> String {
        guard let (parts, _) = calendar(milliseconds: Int64((date.timeIntervalSince1970 * 1000 + 0.5).rounded(.down)))
        else { return "19700101-000000" }
        return "\(pad(Int(parts.tm_year) + 1900, 4))\(pad(Int(parts.tm_mon) + 1, 2))\(pad(Int(parts.tm_mday), 2))"
            + "-\(pad(Int(parts.tm_hour), 2))\(pad(Int(parts.tm_min), 2))\(pad(Int(parts.tm_sec), 2))"
    }

    /// The calendar fields of a time in whole milliseconds since 1970, split into whole seconds
    /// and the milliseconds left (floored for times before 1970); nil when `gmtime_r` fails.
    private static func calendar(milliseconds total: Int64) -> (tm, milliseconds: Int)? {
        let (quotient, remainder) = total.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return nil }
        return (parts, Int(remainder < 0 ? remainder + 1000 : remainder))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
