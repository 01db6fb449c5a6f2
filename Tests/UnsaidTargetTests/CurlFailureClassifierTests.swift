import Testing
import UnsaidSuite
import UnsaidTranscript
@testable import UnsaidTarget

@Suite struct CurlFailureClassifierTests {
    let connected = CurlFailureClassifier.Context(connected: true, idle: 0, stallWindow: 60_000_000)

    @Test func codesMapToKinds() {
        let expected: [Int: FailureKind] = [
            5: .dns, 6: .dns, 7: .connect,
            35: .tls, 51: .tls, 60: .tls, 77: .tls, 91: .tls,
            18: .network, 52: .network, 56: .network, 55: .network, 8: .network, 16: .network,
            3: .protocol, 1: .protocol,
        ]
        for (code, kind) in expected {
            #expect(CurlFailureClassifier.kind(code: code, context: connected) == kind, "CURLcode \(code)")
        }
    }

    @Test func timeoutIsAStallOnlyWhenTheServerWentSilentForTheWindow() {
        let silent = CurlFailureClassifier.Context(connected: true, idle: 60_200_000, stallWindow: 60_000_000)
        let busy = CurlFailureClassifier.Context(
            connected: true, idle: 2_000_000, stallWindow: 60_000_000,
            elapsed: 300_001_000, totalTimeout: 300_000_000)
        let noWindow = CurlFailureClassifier.Context(connected: true, idle: 90_000_000, stallWindow: nil)
        // Bytes kept dribbling in (idle is short) but the total limit is far off: the low-speed
        // check fired on a trickle.
        let trickle = CurlFailureClassifier.Context(
            connected: true, idle: 2_000_000, stallWindow: 60_000_000,
            elapsed: 80_000_000, totalTimeout: 300_000_000)
        #expect(CurlFailureClassifier.kind(code: 28, context: silent) == .stall)
        #expect(CurlFailureClassifier.kind(code: 28, context: busy) == .timeout)
        #expect(CurlFailureClassifier.kind(code: 28, context: noWindow) == .timeout)
        #expect(CurlFailureClassifier.kind(code: 28, context: trickle) == .stall)
    }

    @Test func timeoutBeforeAnyConnectionIsAConnectFailure() {
        let never = CurlFailureClassifier.Context(connected: false, idle: 10_000_000, stallWindow: 60_000_000)
        #expect(CurlFailureClassifier.kind(code: 28, context: never) == .connect)
    }

    @Test func messageJoinsGenericTextAndDetail() {
        #expect(
            CurlFailureClassifier.message(
                strerror: "Couldn't connect to server",
                detail: "Failed to connect to 127.0.0.1 port 9: Connection refused\n")
                == "Couldn't connect to server: Failed to connect to 127.0.0.1 port 9: Connection refused")
        #expect(CurlFailureClassifier.message(strerror: "Timeout was reached", detail: "") == "Timeout was reached")
    }
}
