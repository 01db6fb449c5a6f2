import UnsaidSupport
/// How long a target gets, in seconds. A value of zero or less means "no limit".
package struct TargetTimeouts: Sendable, Equatable {
    /// What every command uses where neither a flag nor the targets file sets a timeout (the
    /// defaults of `init`, defined there once).
    package static let standard = TargetTimeouts()

    /// Establishing the connection (TCP and TLS).
    package var connect: Double
    /// The whole request, first byte sent to last byte received.
    package var total: Double
    /// The longest the server may stay silent mid-answer. libcurl counts it in whole seconds and
    /// averages the transfer rate over the last few seconds, so a stall is noticed a few seconds
    /// after the window has passed, not exactly at its end.
    package var stall: Double

    package init(connect: Double = 10, total: Double = 300, stall: Double = 60) {
        self.connect = connect
        self.total = total
        self.stall = stall
    }

    static func duration(_ seconds: Double) -> Duration? {
        // Clamped as a last line of defence: flags and targets files are range-checked when parsed.
        seconds > 0 && seconds.isFinite ? .seconds(min(seconds, NumberLimits.maximumSeconds)) : nil
    }
}
