import Foundation
import Synchronization
import UnsaidSupport
import UnsaidFixture

/// Decides what the replay server answers to one request: routes it, finds the recording by the
/// canonical request hash, reads the fault header and builds the scripted response. Holds the
/// only state a replay has — which of several identical recordings comes next, and how often a
/// `times=N` fault has been served — behind a lock, so connections can ask concurrently.
package final class ReplayResponder: Sendable {
    let library: ReplayLibrary
    let speed: ReplaySpeed
    /// Which recording of each request key answers next, and how often each recording has been
    /// served with each fault header, shared by concurrent connections.
    private struct Turns {
        var nextOfKey: [String: Int] = [:]
        var servedWithFault: [String: Int] = [:]
    }
    private let turns = Mutex(Turns())

    init(library: ReplayLibrary, speed: ReplaySpeed) {
        self.library = library
        self.speed = speed
    }

    /// What to do with a request: answer it, or hold the connection silent first (a recording
    /// whose attempt timed out before any response), then reset it.
    enum Answer: Equatable {
        case respond(ScriptedResponse)
        case silence
    }

    func answer(_ request: ReceivedRequest) -> Answer {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        switch (request.method.uppercased(), path) {
        case ("POST", "/v1/chat/completions"), ("POST", "/chat/completions"):
            return chat(request)
        case ("GET", "/v1/models"), ("GET", "/models"):
            return .respond(modelList())
        default:
            return .respond(
                Self.error(
                    404, type: "not_found",
                    "no route for \(request.method) \(path); the replay server answers POST /v1/chat/completions"))
        }
    }

    private func chat(_ request: ReceivedRequest) -> Answer {
        let headerValues = request.headers.filter {
            $0.name.caseInsensitiveCompare(ReplayFault.headerName) == .orderedSame
        }
        .map(\.value)
        let requested: [ReplayFault]?
        do {
            requested = headerValues.isEmpty ? nil : try ReplayFault.parseList(headerValues.joined(separator: ","))
        } catch {
            return .respond(
                Self.error(400, type: "invalid_fault", "invalid \(ReplayFault.headerName) header: \(error)"))
        }

        let key: FixtureRequestKey
        do {
            key = try FixtureRequestKey(body: request.body)
        } catch {
            return .respond(Self.error(400, type: "invalid_request", "\(error)"))
        }
        let matches = library.matches(key)
        guard !matches.isEmpty else {
            return .respond(Self.error(404, type: "not_found", notFoundMessage(for: key)))
        }
        let position = turns.withLock { turns in
            let turn = turns.nextOfKey[key.hash, default: 0]
            turns.nextOfKey[key.hash] = turn + 1
            return matches[turn % matches.count]
        }
        let fixture = library.fixtures[position]
        guard let attempt = fixture.transcript.finalAttempt else {
            return .respond(
                Self.error(500, type: "server_error", "recording '\(fixture.meta.name)' has no attempt to replay"))
        }

        var faults: [ReplayFault]
        if let requested {
            faults = requested
        } else if let metaFault = fixture.meta.fault {
            do {
                faults = try ReplayFault.parseList(metaFault)
            } catch {
                return .respond(
                    Self.error(
                        500, type: "server_error",
                        "recording '\(fixture.meta.name)' has an invalid fault '\(metaFault)': \(error)"))
            }
        } else {
            faults = RecordedResponse.impliedFaults(for: attempt)
        }
        faults = limitedByTimes(faults, recording: fixture.meta.name, header: headerValues.joined(separator: ","))

        guard attempt.status != nil else {
            // Nothing came back when this was recorded: a connection that failed or timed out.
            if attempt.failure?.kind == .stall || attempt.failure?.kind == .timeout {
                return .silence
            }
            return .respond(ScriptedResponse.json(502, "{}").with(fault: .resetImmediately))
        }
        return .respond(
            RecordedResponse.make(
                attempt, streamed: fixture.transcript.request.streamed,
                name: fixture.meta.name, speed: speed, faults: faults))
    }

    /// Drops directives whose `times` budget is used up for this recording and header.
    private func limitedByTimes(_ faults: [ReplayFault], recording: String, header: String) -> [ReplayFault] {
        guard faults.contains(where: { $0.times != nil }) else { return faults }
        let served = turns.withLock { turns in
            let count = turns.servedWithFault[recording + "\u{0}" + header, default: 0] + 1
            turns.servedWithFault[recording + "\u{0}" + header] = count
            return count
        }
        return faults.filter { fault in fault.times.map { served <= $0 } ?? true }
    }

    private func notFoundMessage(for key: FixtureRequestKey) -> String {
        guard let nearest = library.nearest(to: key) else {
            return "no recording matches this request; no recordings are loaded"
        }
        let recorded = library.keys[nearest]
        return "no recording matches this request; nearest recorded request: '\(library.fixtures[nearest].meta.name)' "
            + "(\(recorded.summary)), which differs in \(key.describeDifferences(from: recorded))"
    }

    private func modelList() -> ScriptedResponse {
        let data: [JSONValue] = library.models.map {
            .object(["id": .string($0), "object": .string("model"), "owned_by": .string("unsaid-replay")])
        }
        return .json(200, JSONValue.object(["object": .string("list"), "data": .array(data)]).compactDescription)
    }

    static func error(_ status: Int, type: String, _ message: String) -> ScriptedResponse {
        let body: JSONValue = .object(["error": .object(["message": .string(message), "type": .string(type)])])
        return .json(status, body.compactDescription)
    }
}
