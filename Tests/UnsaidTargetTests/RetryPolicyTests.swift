import Testing
import UnsaidSuite
import UnsaidSupport
import UnsaidTranscript
@testable import UnsaidTarget

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 3)

    @Test func fullJitterStaysWithinTheDoublingCeiling() {
        var generator = SystemRandomNumberGenerator()
        let ceilings: [Int: Double] = [1: 0.5, 2: 1, 3: 2, 4: 3, 10: 3]
        for (retry, ceiling) in ceilings {
            for _ in 0..<200 {
                let delay = policy.delay(beforeRetry: retry, retryAfter: nil, using: &generator)
                #expect(delay >= 0 && delay <= ceiling)
            }
        }
    }

    @Test func jitterSpansTheWholeRange() {
        // Full jitter, not "half" or "equal" jitter: waits near zero and near the ceiling both occur.
        var generator = SplitMix64(seed: 42)
        let delays = (0..<1000).map { _ in policy.delay(beforeRetry: 3, retryAfter: nil, using: &generator) }
        #expect(delays.min().map { $0 < 0.1 } == true)
        #expect(delays.max().map { $0 > 1.9 && $0 <= 2 } == true)
    }

    @Test func retryAfterIsHonouredUpToTheMaximum() {
        var generator = SplitMix64(seed: 1)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 2, using: &generator) == 2)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 3600, using: &generator) == 3)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 0, using: &generator) == 0)
    }

    @Test func onlyConnectionTroubleRateLimitsAndServerErrorsAreRetried() {
        let refused = TransportFailure(kind: .connect, message: "refused", curlCode: 7)
        let reset = TransportFailure(kind: .network, message: "reset", curlCode: 56)
        let stall = TransportFailure(kind: .stall, message: "slow", curlCode: 28)
        let timeout = TransportFailure(kind: .timeout, message: "slow", curlCode: 28)
        let tls = TransportFailure(kind: .tls, message: "bad cert", curlCode: 60)

        #expect(policy.shouldRetry(status: nil, failure: refused, receivedBody: false))
        #expect(policy.shouldRetry(status: nil, failure: reset, receivedBody: false))
        #expect(policy.shouldRetry(status: 429, failure: nil, receivedBody: true))
        #expect(policy.shouldRetry(status: 500, failure: nil, receivedBody: true))
        #expect(policy.shouldRetry(status: 503, failure: nil, receivedBody: false))

        #expect(!policy.shouldRetry(status: nil, failure: stall, receivedBody: false))
        #expect(!policy.shouldRetry(status: nil, failure: timeout, receivedBody: false))
        #expect(!policy.shouldRetry(status: nil, failure: tls, receivedBody: false))
        #expect(!policy.shouldRetry(status: 400, failure: nil, receivedBody: true))
        #expect(!policy.shouldRetry(status: 403, failure: nil, receivedBody: true))
        #expect(!policy.shouldRetry(status: 200, failure: nil, receivedBody: true))
        // A stream cut after content had arrived is evidence, not noise.
        #expect(!policy.shouldRetry(status: 200, failure: reset, receivedBody: true))
        #expect(policy.shouldRetry(status: 200, failure: reset, receivedBody: false))
    }
}
