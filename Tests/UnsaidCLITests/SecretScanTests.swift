import Foundation
import Testing
import UnsaidSupport
import UnsaidSuite
import UnsaidTranscript
import UnsaidReplay

/// API keys, credential headers, keys in query strings and `--redact` strings must never appear
/// in any byte the run writes or prints — even when the server echoes them back.
@Suite("Secrets never reach the archive")
struct SecretScanTests {
    @Test func fullStreamedRunWithRecognisableSecretsLeavesNoTrace() async throws {
        let apiKey = "sk-unsaid-FAKE-KEY-0123456789abcdef"
        let headerSecret = "hdr-secret-ABCDEF123456"
        let querySecret = "query-secret-998877665544"
        let customSecret = "custom-secret-555444333"
        let secrets = [apiKey, headerSecret, querySecret, customSecret]

        let log = RequestLog()
        let server = try await LoopbackServer.start { request in
            await log.record(request)
            // A hostile or buggy server echoes every secret back, in the body and in a header.
            var response = ScriptedResponse.sse(
                events: CLIHarness.answerEvents("echo \(apiKey) \(headerSecret) \(querySecret) \(customSecret)"),
                interval: .milliseconds(5))
            response.headers.append(HTTPHeader(name: "X-Echo", value: "\(apiKey) \(headerSecret)"))
            return response
        }
        defer { Task { try? await server.shutdown() } }
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: 3)
        let result = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", "\(server.baseURL)?api-key=\(querySecret)", "--model", "m",
                "--api-key-env", "UNSAID_TEST_KEY", "--header", "X-Api-Key: \(headerSecret)", "--redact", customSecret,
                "--stream", "on",
            ],
            environment: ["UNSAID_TEST_KEY": apiKey], directory: work)
        #expect(result.status == 0, "\(result.stderr)")

        // The secrets were really used on the wire …
        let headers = await log.headers
        #expect(headers.first?.first(named: "Authorization") == "Bearer \(apiKey)")
        #expect(headers.first?.first(named: "X-Api-Key") == headerSecret)
        #expect(await log.uris.first?.contains(querySecret) == true)

        // … and appear in no file of the run, nor in what the command printed.
        let run = try CLIHarness.runDirectory(in: work.appendingPathComponent("Results"))
        let files = try FileManager.default.contentsOfDirectory(atPath: run.path)
        #expect(files.contains("transcripts.jsonl"))
        var scanned = [("stdout", Data(result.stdout.utf8)), ("stderr", Data(result.stderr.utf8))]
        for name in files { scanned.append((name, try Data(contentsOf: run.appendingPathComponent(name)))) }
        for (name, data) in scanned {
            for secret in secrets {
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret) leaked into \(name)")
            }
        }
        // The redaction is visible, so an auditor knows something was removed.
        let transcripts = try String(contentsOf: run.appendingPathComponent("transcripts.jsonl"), encoding: .utf8)
        #expect(transcripts.contains("[REDACTED]"))
        let verify = try await CLIHarness.run(["verify", run.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    /// The key as a hostile server might echo it inside a JSON string, in each encoding.
    static func echoForms(of key: String, user: String, password: String) -> [(name: String, text: String)] {
        [
            ("plain", key),
            ("json-dash-escaped", key.replacingOccurrences(of: "-", with: "\\u002d")),
            ("json-all-escaped", key.unicodeScalars.map { String(format: "\\u%04X", $0.value) }.joined()),
            ("percent-encoded", key.utf8.map { String(format: "%%%02X", $0) }.joined()),
            ("base64", Data(key.utf8).base64EncodedString()),
            ("basic-auth", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()),
            ("url-password", password),
        ]
    }

    /// Every encoding of the key, cut at every byte position into two TCP writes (and once
    /// spread over two content deltas), through the real binary: no output file and no
    /// terminal line may hold the key or the URL password in any of those forms, nor any
    /// five-character stretch of the key.
    @Test func echoedKeySplitAtEveryByteInEveryEncodingLeavesNoTrace() async throws {
        let apiKey = "sk-Fk-9x2Qz7-w"
        let user = "probe-user", password = "pw-Secret-42x"
        let forms = Self.echoForms(of: apiKey, user: user, password: password)
        // One request per (form, cut position), plus one per cut for the two-delta split.
        var planned: [(form: Int, cut: Int, deltas: Bool)] = []
        for (index, form) in forms.enumerated() {
            for cut in 0...form.text.utf8.count { planned.append((index, cut, false)) }
        }
        for cut in 1..<apiKey.utf8.count { planned.append((0, cut, true)) }
        let cases = planned

        let server = try await LoopbackServer.start { request in
            let body = JSONValue.parse(Data(request.body))
            let prompt = body?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            let number = Int(prompt.filter(\.isNumber)) ?? 0
            let spec = cases[number % cases.count]
            let text = Array(forms[spec.form].text.utf8)
            let head = Array(#"data: {"choices":[{"index":0,"delta":{"content":"echo "#.utf8)
            let tail = Array(#" done"},"finish_reason":null}]}"#.utf8) + Array("\n\n".utf8)
            var parts: [ScriptedPart]
            if spec.deltas {
                // The key's two halves in two content deltas: only the decoded text holds it whole.
                let close = Array(#""},"finish_reason":null}]}"#.utf8) + Array("\n\n".utf8)
                let open = Array(#"data: {"choices":[{"index":0,"delta":{"content":""#.utf8)
                parts = [.bytes(head + text[..<spec.cut] + close + open + text[spec.cut...] + tail, delay: .zero)]
            } else {
                parts = [
                    .bytes(head + text[..<spec.cut], delay: .zero),
                    .bytes(Array(text[spec.cut...]) + tail, delay: .milliseconds(3)),
                ]
            }
            parts.append(
                .bytes(
                    Array(#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.utf8)
                        + Array("\n\ndata: [DONE]\n\n".utf8), delay: .milliseconds(1)))
            var response = ScriptedResponse.sse(events: [], interval: .zero)
            response.parts = parts
            response.headers.append(HTTPHeader(name: "X-Echo", value: forms[spec.form].text))
            return response
        }
        defer { Task { try? await server.shutdown() } }
        let work = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let suite = try CLIHarness.writeSuite(in: work, count: cases.count)
        let authority = server.baseURL.replacingOccurrences(of: "http://", with: "http://\(user):\(password)@")
        let run = try await CLIHarness.run(
            [
                "run", "--suite", suite, "--base-url", authority + "?apikey=\(apiKey)&code=\(password)", "--model", "m",
                "--api-key-env", "UNSAID_TEST_KEY", "--stream", "on", "--concurrency", "4", "--run-id", "echo",
                "--record", "fixtures",
            ],
            environment: ["UNSAID_TEST_KEY": apiKey], directory: work)
        #expect(run.status == 0, "\(run.stderr)")
        let directory = work.appendingPathComponent("Results/echo")
        var outputs = [("run stdout", run.stdout), ("run stderr", run.stderr)]
        for format in ["md", "html", "csv", "junit", "json"] {
            let report = try await CLIHarness.run(["report", directory.path, "--format", format], directory: work)
            #expect(report.status == 0, "\(format): \(report.stderr)")
            outputs.append(("report \(format)", report.stdout + report.stderr))
        }
        let verify = try await CLIHarness.run(["verify", directory.path], directory: work)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        outputs.append(("verify", verify.stdout + verify.stderr))
        for folder in [directory, work.appendingPathComponent("fixtures")] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                outputs.append((name, String(decoding: data, as: UTF8.self)))
            }
        }
        // What an attacker would grep for: the key and the password in each encoding, and
        // the base64 of the Basic credentials; and the decoded content really was scrubbed.
        var needles = Set(forms.filter { $0.name != "basic-auth" }.map(\.text))
        needles.insert(Data("\(user):\(password)".utf8).base64EncodedString().dropLast(4).description)
        needles.insert(password.replacingOccurrences(of: "-", with: "\\u002d"))
        // The halves of a key spread over two content deltas are in no chunk whole; every
        // stretch of five or more of its characters must be gone too, not just the whole key.
        let keyCharacters = Array(apiKey)
        for start in 0..<(keyCharacters.count - 4) {
            for end in (start + 5)...keyCharacters.count { needles.insert(String(keyCharacters[start..<end])) }
        }
        // Byte searches: String.contains is Unicode-aware and slow on megabytes in a debug build,
        // and this test shares its process with the loopback servers.
        for (name, text) in outputs {
            let data = Data(text.utf8)
            for needle in needles {
                #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) leaked into \(name)")
            }
        }
        let transcripts = try String(contentsOf: directory.appendingPathComponent("transcripts.jsonl"), encoding: .utf8)
        #expect(transcripts.components(separatedBy: "[REDACTED]").count > cases.count)
        // A chunk that is not UTF-8 on its own is stored as base64: decode those too.
        for line in transcripts.split(separator: "\n") {
            guard let record = JSONValue.parse(Data(line.utf8)) else { continue }
            for attempt in record["transcript"]?["attempts"]?.arrayValue ?? [] {
                let bytes = (attempt["chunks"]?.arrayValue ?? []).flatMap { chunk -> [UInt8] in
                    if let text = chunk["text"]?.stringValue { return Array(text.utf8) }
                    return chunk["base64"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
                }
                let body = Data(bytes)
                for needle in needles {
                    #expect(body.range(of: Data(needle.utf8)) == nil, "\(needle) leaked into the joined chunks")
                }
            }
        }
    }
}
