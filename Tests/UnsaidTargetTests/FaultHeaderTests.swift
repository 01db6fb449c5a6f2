import Testing
@testable import UnsaidReplay

/// The `X-Unsaid-Fault` grammar: what parses to which fault, and what is refused with which message.
@Suite struct FaultHeaderTests {
    @Test(arguments: [
        ("close-after=100", [ReplayFault(.closeAfter(bytes: 100))]),
        ("cut", [ReplayFault(.cut)]),
        ("reset", [ReplayFault(.reset(afterBytes: nil))]),
        ("reset=300", [ReplayFault(.reset(afterBytes: 300))]),
        ("stall=2", [ReplayFault(.stall(seconds: 2, afterBytes: nil))]),
        ("stall=0.5;after=10", [ReplayFault(.stall(seconds: 0.5, afterBytes: 10))]),
        ("drip=5", [ReplayFault(.drip(intervalMs: 5))]),
        ("status=429;retry-after=1", [ReplayFault(.status(429, retryAfter: "1"))]),
        ("status=503", [ReplayFault(.status(503, retryAfter: nil))]),
        ("status=503;times=2", [ReplayFault(.status(503, retryAfter: nil), times: 2)]),
        ("malformed-chunk", [ReplayFault(.malformedChunk)]),
        ("invalid-utf8", [ReplayFault(.invalidUTF8)]),
        ("huge-body=100MB", [ReplayFault(.hugeBody(bytes: 100_000_000))]),
        ("huge-body=64KiB", [ReplayFault(.hugeBody(bytes: 65_536))]),
        ("huge-body=5000", [ReplayFault(.hugeBody(bytes: 5_000))]),
        ("no-done", [ReplayFault(.noDone)]),
        ("no-final-newline", [ReplayFault(.noFinalNewline)]),
        (" No-Done , DRIP = 3 ", [ReplayFault(.noDone), ReplayFault(.drip(intervalMs: 3))]),
        ("none", []),
        ("", []),
    ])
    func parses(_ header: String, _ expected: [ReplayFault]) throws {
        #expect(try ReplayFault.parseList(header) == expected)
    }

    @Test(arguments: [
        ("teleport", "unknown fault 'teleport'"),
        ("close-after", "'close-after' needs a value, as in close-after=…"),
        ("close-after=-1", "'close-after' needs a whole number ≥ 0, got '-1'"),
        ("cut=3", "'cut' takes no value"),
        ("stall=soon", "'stall' needs seconds between 0 and 604800, got 'soon'"),
        ("stall=1e300", "'stall' needs seconds between 0 and 604800, got '1e300'"),
        ("status=700", "status 700 is not an HTTP status (100-599)"),
        ("status=429;retry", "parameter 'retry' of 'status' needs the form name=value"),
        ("drip=5;after=3", "'drip' does not take the parameter 'after'"),
        ("reset;times=0", "'times' needs a whole number ≥ 1, got '0'"),
        ("huge-body=lots", "'huge-body' needs a size such as 100MB, 64KiB or 5000, got 'lots'"),
        ("cut,reset", "only one of close-after, cut, reset, stall, drip and no-final-newline can apply to a request"),
        ("status=500,status=502", "only one status can apply to a request"),
        ("no-done,,cut", "empty fault directive in ''"),
    ])
    func refuses(_ header: String, _ message: String) {
        #expect {
            try ReplayFault.parseList(header)
        } throws: { error in
            let description = (error as? ReplayFaultSyntaxError)?.description ?? ""
            return description == message || (message.hasPrefix("unknown fault") && description.hasPrefix(message))
        }
    }
}
