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

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        var index = 0
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            var trailing: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: trailing = 1
            case 0xE0: trailing = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: trailing = 2
            case 0xED: trailing = 2; high = 0x9F
            case 0xF0: trailing = 3; low = 0x90
            case 0xF1...0xF3: trailing = 3
            case 0xF4: trailing = 3; high = 0x8F
            default: return index
            }
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
