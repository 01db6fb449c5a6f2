import Testing
import UnsaidReplay
import UnsaidTranscript
@testable import UnsaidTarget

/// A run keeps its connections: the requests that follow one another in a slot go out on the
/// connections already open, however few transfers the loop holds in between.
@Suite struct ConnectionReuseTests {
    /// Eight slots, each sending one request after another with a pause between them, as a run's
    /// requests pause to be scored and written. During the pauses the loop often holds only one
    /// or two transfers, and libcurl's default cache (four connections per transfer held) then
    /// closed the others: this test saw 13–18 connections for its 160 requests before the loop
    /// kept them all.
    @Test func requestsInTurnReuseTheConnectionsOpenAlready() async throws {
        let answer = ScriptedResponse.json(200, #"{"choices":[{"message":{"content":"ok"}}]}"#)
        let server = try await LoopbackServer.start { _ in answer }
        let loop = CurlEventLoop(name: "test.reuse")
        defer { loop.shutdown() }
        let request = HTTPRequest(
            url: server.baseURL + "/chat/completions", body: Array("{}".utf8), connectTimeout: .seconds(10),
            totalTimeout: .seconds(60))
        let slots = 8
        let statuses = await withTaskGroup(of: [Int?].self) { group in
            for slot in 0..<slots {
                group.addTask {
                    var statuses: [Int?] = []
                    for turn in 0..<20 {
                        statuses.append(await loop.perform(request).status)
                        // Uneven pauses, so the slots drift apart and the loop is seldom full.
                        try? await Task.sleep(for: .milliseconds((slot * 7 + turn * 3) % 5))
                    }
                    return statuses
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        try await server.shutdown()
        #expect(statuses.count == slots * 20)
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(server.acceptedConnections >= 1)
        #expect(server.acceptedConnections <= slots, "opened \(server.acceptedConnections) connections")
    }
}
