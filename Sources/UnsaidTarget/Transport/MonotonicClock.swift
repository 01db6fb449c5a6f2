import Dispatch

/// Microsecond timestamps for chunk arrival times. Monotonic, because wall-clock jumps (NTP,
/// DST) must never reorder or stretch the evidence.
enum MonotonicClock {
    static func nowMicros() -> Int64 {
        Int64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds / 1000)
    }
}
