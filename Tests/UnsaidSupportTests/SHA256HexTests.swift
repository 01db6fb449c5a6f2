import Crypto
import Foundation
import Testing
@testable import UnsaidSupport

/// The digest's spelling: FIPS 180-2's test vectors, and every entry point against two lower-case
/// hex digits per byte written out one byte at a time (the reference) on generated inputs.
@Suite struct SHA256HexTests {
    static func reference(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    @Test func knownVectors() {
        #expect(SHA256Hex.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hex.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func everyEntryPointSpellsTheDigestAsTheReference() {
        var random = SplitMix64(seed: 0x5_4A)
        for length in [0, 1, 2, 31, 32, 33, 55, 56, 63, 64, 65, 200, 1000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let expected = Self.reference(bytes)
            #expect(expected.utf8.count == 64)
            #expect(SHA256Hex.digest(bytes) == expected, "\(length)")
            #expect(SHA256Hex.digest(Data(bytes)) == expected, "\(length)")
            #expect(bytes.withUnsafeBytes { SHA256Hex.digest(bytes: $0) } == expected, "\(length)")
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(SHA256Hex.digest(text) == Self.reference(Array(text.utf8)), "\(length)")
        }
    }
}
