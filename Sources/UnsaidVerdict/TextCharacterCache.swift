/// The non-ASCII characters one text has met, normalised, by the key `NormalisationTables` gives
/// them (their UTF-8 bytes and byte count; never 0). An open-addressed table with a multiplicative
/// hash: a Dictionary's seeded hashing, its insertions and the copy of each entry it handed out
/// cost more than the rest of normalising a Chinese or Korean character.
struct TextCharacterCache {
    private var keys: [UInt64]
    /// Where in `entries` the key in the same slot of `keys` has its normalisation.
    private var positions: [Int32]
    private(set) var entries: [CharacterNormalisation] = []
    /// 64 − log₂ of the table's size: the hash's top bits pick the first slot.
    private var shift: UInt64

    init() {
        keys = Array(repeating: 0, count: 64)
        positions = Array(repeating: 0, count: 64)
        shift = 64 - 6
    }

    /// The position in `entries` of the normalisation stored for `key`, if any.
    func position(of key: UInt64) -> Int? {
        let mask = keys.count - 1
        var slot = Self.slot(key, shift: shift)
        while true {
            let stored = keys[slot]
            if stored == key { return Int(positions[slot]) }
            if stored == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// Stores `normalisation` for `key` (not stored yet) and returns its position in `entries`.
    mutating func insert(_ normalisation: CharacterNormalisation, for key: UInt64) -> Int {
        // At most half full, so a probe ends soon at an empty slot.
        if (entries.count + 1) * 2 > keys.count { grow() }
        entries.append(normalisation)
        place(key, at: Int32(entries.count - 1))
        return entries.count - 1
    }

    private static func slot(_ key: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private mutating func place(_ key: UInt64, at position: Int32) {
        let mask = keys.count - 1
        var slot = Self.slot(key, shift: shift)
        while keys[slot] != 0 { slot = (slot + 1) & mask }
        keys[slot] = key
        positions[slot] = position
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldPositions = positions
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        positions = Array(repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        for slot in oldKeys.indices where oldKeys[slot] != 0 { place(oldKeys[slot], at: oldPositions[slot]) }
    }
}
