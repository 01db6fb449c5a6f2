import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidTranscript
import UnsaidArchive
import UnsaidFixture

/// Writing fixtures (what `unsaid run --record DIR` produces) and reading fixture and run
/// directories back.
@Suite struct FixtureWriterTests {
    static let apiKey = "sk-live-0123456789abcdef"

    static func transcript() -> Transcript {
        let body =
            #"{"api_key":"sk-live-0123456789abcdef","max_tokens":64,"messages":[{"content":"hi","role":"user"}],"model":"m","stream":true}"#
        let request = RecordedRequest(
            url: "https://user:pw@gw.example/v1/chat/completions?key=abc&api-version=2024-10-21",
            headers: [
                HTTPHeader(name: "Authorization", value: "Bearer " + apiKey),
                HTTPHeader(name: "X-Auth-Token", value: "t0k"),
                HTTPHeader(name: "Content-Type", value: "application/json"),
            ],
            body: body, streamed: true)
        let chunks = [
            WireChunk(
                t: 5,
                bytes: Array(
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"your key is \(apiKey)\"}}]}\n\n".utf8)),
            WireChunk(t: 9, bytes: Array("data: [DONE]\n\n".utf8)),
        ]
        let attempt = Attempt(
            index: 0, startedAt: "x", elapsed: 10, status: 200,
            headers: [
                HTTPHeader(name: "Content-Type", value: "text/event-stream"),
                HTTPHeader(name: "Set-Cookie", value: "session=1"),
                HTTPHeader(name: "openai-organization", value: "org-123"),
                HTTPHeader(name: "x-request-id", value: "req-1"),
            ],
            chunks: chunks, failure: nil, response: ChatResponseDecoder.decode(chunks: chunks, streamed: true))
        return Transcript(
            key: WorkKey(suite: "s", probe: "p/1", probeHash: "h", sample: 2, streamed: true),
            request: request, attempts: [attempt])
    }

    static let probe = Probe(id: "p/1", messages: [ChatMessage(role: "user", content: "hi")])

    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("unsaid-fixtures-\(UUID().uuidString)")
    }

    @Test func redactsCredentialsButKeepsWhatTheRequestKeyHashes() throws {
        let original = Self.transcript()
        let redacted = FixtureWriter.redact(original, secrets: [Self.apiKey])
        // The whole userinfo goes (a user name can name the account), and query values are
        // replaced in place, unencoded, exactly as the archive does it.
        #expect(
            redacted.request.url
                == "https://[REDACTED]@gw.example/v1/chat/completions?key=[REDACTED]&api-version=2024-10-21")
        #expect(
            redacted.request.headers == [
                HTTPHeader(name: "Authorization", value: "[REDACTED]"),
                HTTPHeader(name: "X-Auth-Token", value: "[REDACTED]"),
                HTTPHeader(name: "Content-Type", value: "application/json"),
            ])
        #expect(
            redacted.request.body
                == #"{"api_key":"[REDACTED]","max_tokens":64,"messages":[{"content":"hi","role":"user"}],"model":"m","stream":true}"#
        )
        #expect(try FixtureRequestKey(body: redacted.request.body) == FixtureRequestKey(body: original.request.body))
        let attempt = redacted.attempts[0]
        #expect(attempt.headers.map(\.value) == ["text/event-stream", "[REDACTED]", "[REDACTED]", "req-1"])
        #expect(
            attempt.chunks[0].text
                == "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"your key is [REDACTED]\"}}]}\n\n")
        #expect(attempt.response.content == "your key is [REDACTED]")
        #expect(attempt.chunks[1] == original.attempts[0].chunks[1])
    }

    @Test func writesAFixtureThatReadsBackAndServes() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transcript = Self.transcript()
        let name = FixtureWriter.name(for: transcript.key)
        #expect(name == "p-1-2-stream")
        let meta = FixtureMeta(
            name: name, description: "recorded", provider: "gw", source: "recorded",
            expectedVerdict: .answered, expectedFlags: [])
        let url = try FixtureWriter.write(
            probe: Self.probe, transcript: transcript, meta: meta, to: directory,
            secrets: [Self.apiKey])
        #expect(url.lastPathComponent == "p-1-2-stream.json")
        let read = try Fixture.load(from: url)
        #expect(read.meta == meta)
        #expect(read.probe == Self.probe)
        #expect(read.transcript == FixtureWriter.redact(transcript, secrets: [Self.apiKey]))
        #expect(try FixtureCollection.load(from: directory).map(\.meta.name) == ["p-1-2-stream"])
    }

    @Test func refusesNamesThatAreNotPlainFileNames() throws {
        let meta = FixtureMeta(name: "../escape", description: "", provider: "", source: "")
        #expect(throws: FixtureError.invalidName("../escape")) {
            try FixtureWriter.write(
                probe: Self.probe, transcript: Self.transcript(), meta: meta, to: temporaryDirectory())
        }
        #expect(!FixtureWriter.isValidName("a.verdict"))
        #expect(!FixtureWriter.isValidName(".hidden"))
        #expect(FixtureWriter.isValidName("seed-case_2.v1"))
    }

    @Test func runDirectoryIsServedFromItsTranscripts() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let record = TranscriptRecord(
            seq: 1, prev: ArchiveChain.genesis, probe: Self.probe, transcript: Self.transcript())
        var lines = try CanonicalJSON.encode(record)
        lines.append(0x0A)
        lines.append(contentsOf: Array(#"{"seq":2,"prev":"torn"#.utf8))  // a torn last line, as a crash leaves
        try lines.write(to: ArchiveLayout(directory: directory).transcripts)
        let fixtures = try FixtureCollection.load(from: directory)
        #expect(fixtures.count == 1)
        #expect(fixtures[0].meta.name == "s/p/1#2@stream")
        #expect(fixtures[0].transcript == Self.transcript())
        #expect(fixtures[0].meta.expectedVerdict == nil)
    }

    @Test func goldenFilesAreNotFixturesAndEmptyDirectoriesAreAnError() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: directory.appendingPathComponent("x.verdict.json"))
        #expect(throws: FixtureError.nothingToServe(path: directory.path)) {
            try FixtureCollection.load(from: directory)
        }
        try Data("{\"meta\":{}}".utf8).write(to: directory.appendingPathComponent("broken.json"))
        #expect {
            try FixtureCollection.load(from: directory)
        } throws: { error in
            (error as? FixtureError)?.description
                == "\(directory.path)/broken.json is not a fixture: missing field 'name' at meta"
        }
    }
}
