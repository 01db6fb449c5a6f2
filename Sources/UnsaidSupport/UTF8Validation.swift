import Foundation

/// Finds where bytes stop being well-formed UTF-8. Decoding elsewhere is lossy (U+FFFD), so this
/// is how a garbled body still gets reported instead of silently repaired.
package enum UTF8Validation {
    /// Offset of the first byte of the first ill-formed sequence (Unicode Table 3-7: no overlongs,
    /// no surrogates, nothing above U+10FFFF, no truncated sequence at the end); nil when well-formed.
    package static func firstInvalidOffset(in bytes: some Collection<UInt8>) -> Int? {
        if let result = bytes.withContiguousStorageIfAvailable({ scan($0) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { scan($0) }
    }

    /// What a sequence that starts with `lead` must continue with (Unicode Table 3-7): how many
    /// continuation bytes, and the range its second byte must lie in (the others lie in
    /// 0x80...0xBF); nil for a byte no sequence starts with (ASCII included).
    @inline(__always)
    package static func sequence(startingWith lead: UInt8) -> (continuations: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: (1, 0x80, 0xBF)
        case 0xE0: (2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (2, 0x80, 0xBF)
        case 0xED: (2, 0x80, 0x9F)
        case 0xF0: (3, 0x90, 0xBF)
        case 0xF1...0xF3: (3, 0x80, 0xBF)
        case 0xF4: (3, 0x80, 0x8F)
        default: nil
        }
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var index = 0
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            guard let (trailing, low, high) = sequence(startingWith: lead) else { return index }
            guard index + trailing < count else { return index }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return index }
            var offset = 2
            while offset <= trailing {
                guard bytes[index + offset] & 0xC0 == 0x80 else { return index }
                offset += 1
            }
            index += trailing + 1
        }
        return nil
    }
}
