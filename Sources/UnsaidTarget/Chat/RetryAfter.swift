import Foundation

/// Parses the `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an HTTP-date.
package enum RetryAfter {
    /// Seconds to wait from `now`; 0 for a date already past; `nil` when the value is neither form.
    package static func seconds(from value: String, now: Date) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
            // Digits only; a value too large for Int is still "a very long time".
            return Double(trimmed)
        }
        guard let date = httpDate(trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// An HTTP-date in any of the three forms recipients must accept: IMF-fixdate
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`)
    /// and asctime (`Sun Nov  6 08:49:37 1994`).
    package static func httpDate(_ value: String) -> Date? {
        // asctime pads single-digit days with a space; collapse runs of spaces first.
        let normalized = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let formats = [
            "EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            "EEEE, dd-MMM-yy HH:mm:ss 'GMT'",
            "EEE MMM d HH:mm:ss yyyy",
        ]
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            // RFC 850 two-digit years: RFC 9110 says to read them as within 50 years of now;
            // anchoring the century at 1970 matches that for the dates servers actually send.
            formatter.twoDigitStartDate = Date(timeIntervalSince1970: 0)
            formatter.dateFormat = format
            formatter.isLenient = false
            if let date = formatter.date(from: normalized) { return date }
        }
        return nil
    }
}
