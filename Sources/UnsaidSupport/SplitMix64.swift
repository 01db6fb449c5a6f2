/// A small, seedable generator (Steele, Lea and Flood's SplitMix64): the same seed gives the same
/// sequence on every platform, which `SystemRandomNumberGenerator` does not promise. The trainer
/// shuffles with it; tests use it for reproducible random inputs.
package struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fisher–Yates with this generator; written out because the standard library's `shuffle(using:)`
    /// does not promise the same algorithm across versions.
    package mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            let other = Int(next() % UInt64(index + 1))
            array.swapAt(index, other)
        }
    }
}
