import Testing
@testable import UnsaidCore
@Test func placeholder() { #expect(Bool(true)) }
