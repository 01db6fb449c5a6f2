import Foundation
import Testing
@testable import UnsaidTarget

@Suite struct RetryAfterTests {
    /// 1994-11-06 08:49:37 UTC, the example date of RFC 9110.
    let example = Date(timeIntervalSince1970: 784_111_777)

    @Test func delaySecondsAreReadAsIs() {
        #expect(RetryAfter.seconds(from: "120", now: example) == 120)
        #expect(RetryAfter.seconds(from: " 0 ", now: example) == 0)
    }

    @Test func allThreeHTTPDateFormsParse() {
        #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == example)
        #expect(RetryAfter.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == example)
        #expect(RetryAfter.httpDate("Sun Nov  6 08:49:37 1994") == example)
    }

    @Test func dateIsMeasuredFromNow() {
        let now = example.addingTimeInterval(-90)
        #expect(RetryAfter.seconds(from: "Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 90)
    }

    @Test func pastDateMeansNoWait() {
        let now = example.addingTimeInterval(3600)
        #expect(RetryAfter.seconds(from: "Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 0)
    }

    @Test func garbageIsIgnored() {
        #expect(RetryAfter.seconds(from: "soon", now: example) == nil)
        #expect(RetryAfter.seconds(from: "-5", now: example) == nil)
        #expect(RetryAfter.seconds(from: "1.5", now: example) == nil)
        #expect(RetryAfter.seconds(from: "", now: example) == nil)
    }
}
