import Foundation
import UnsaidArchive
import UnsaidSuite
import UnsaidSupport
import UnsaidTarget
import UnsaidTranscript

// libFuzzer entry point for Unsaid's parsers. One binary, five targets, chosen by the
// UNSAID_FUZZ_TARGET environment variable (sse, chunks, suite, targets, archive), because
// libFuzzer allows one LLVMFuzzerTestOneInput per binary. Built only by `make fuzz`
// (scripts/fuzz.sh), with -sanitize=fuzzer,address, on its own scratch path.
//
// A crash, a trap (force-unwrap, overflow, Double→Int) or an address-sanitizer report is a
// finding; thrown errors are the parsers doing their job.

private enum Target: String {
    case sse, chunks, suite, targets, archive
}

private let target: Target = {
    let name = ProcessInfo.processInfo.environment["UNSAID_FUZZ_TARGET"] ?? ""
    guard let target = Target(rawValue: name) else {
        FileHandle.standardError.write(Data("set UNSAID_FUZZ_TARGET to sse, chunks, suite, targets or archive\n".utf8))
        exit(2)
    }
    return target
}()

/// A private scratch directory for the targets whose parsers read files.
private let scratch: URL = {
    let base =
        ProcessInfo.processInfo.environment["UNSAID_FUZZ_SCRATCH"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory
    let url = base.appendingPathComponent("unsaid-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    switch target {
    case .sse: fuzzSSE(bytes)
    case .chunks: fuzzChunks(bytes)
    case .suite: fuzzFile(bytes, name: "suite.yaml") { _ = try? SuiteLoader.load(path: $0) }
    case .targets: fuzzFile(bytes, name: "unsaid.yaml") { _ = try? TargetsFile.load(path: $0) }
    case .archive: fuzzArchive(bytes)
    }
    return 0
}

/// The first byte picks where the stream is cut into network reads, so split CR/LF pairs,
/// UTF-8 sequences and BOMs are explored too.
private func pieces(_ bytes: [UInt8]) -> [[UInt8]] {
    guard let first = bytes.first else { return [] }
    let body = Array(bytes.dropFirst())
    let step = Int(first % 17) + 1
    return stride(from: 0, to: body.count, by: step).map { Array(body[$0..<min($0 + step, body.count)]) }
}

private func fuzzSSE(_ bytes: [UInt8]) {
    var parser = SSEParser()
    for (index, piece) in pieces(bytes).enumerated() { _ = parser.feed(piece, chunkIndex: index) }
    _ = parser.finish()
}

/// The chunk decoder for both modes, and the secret scrubber over the same pieces (it rewrites
/// chunk boundaries, so its index arithmetic is worth a fuzzer's attention).
private func fuzzChunks(_ bytes: [UInt8]) {
    let split = pieces(bytes)
    let chunks = split.enumerated().map { WireChunk(t: Int64($0.offset), bytes: $0.element) }
    _ = ChatResponseDecoder.decode(chunks: chunks, streamed: true)
    _ = ChatResponseDecoder.decode(chunks: chunks, streamed: false)
    let policy = RedactionPolicy(secrets: ["sk-fuzz-\u{00E9}/+key", "ab%cd\\ef"])
    let redacted = policy.redact(chunks: chunks)
    if redacted.count != chunks.count {
        FileHandle.standardError.write(Data("redaction changed the number of chunks\n".utf8))
        abort()
    }
    _ = policy.redact(response: ChatResponseDecoder.decode(chunks: redacted, streamed: true))

    // The whole input as one event's data: the common-shape reader must read it as JSONParser
    // and the general reader do, or decline.
    let text = String(decoding: bytes, as: UTF8.self)
    if let common = ChatChunkReader.readCommonChunk(text, index: 1, t: 2) {
        let general = JSONParser.parse(text)?.objectValue.map {
            ChatChunkReader.read($0, index: 1, t: 2, streamed: true, errorEventIndex: 1)
        }
        if common != general {
            FileHandle.standardError.write(Data("the common chunk reader read differently\n".utf8))
            abort()
        }
    }
}

private func fuzzFile(_ bytes: [UInt8], name: String, _ body: (String) -> Void) {
    let url = scratch.appendingPathComponent(name)
    guard (try? Data(bytes).write(to: url)) != nil else { return }
    body(url.path)
}

/// Input is manifest.json, transcripts.jsonl and verdicts.jsonl separated by NUL bytes.
private func fuzzArchive(_ bytes: [UInt8]) {
    let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    let names = [ArchiveLayout.manifestName, ArchiveLayout.transcriptsName, ArchiveLayout.verdictsName]
    for (index, name) in names.enumerated() {
        let data = index < parts.count ? Data(parts[index]) : Data()
        guard (try? data.write(to: scratch.appendingPathComponent(name))) != nil else { return }
    }
    _ = try? ArchiveReader.read(scratch)
    _ = try? ArchiveReader.read(scratch, tolerateBrokenVerdicts: true)

    // Every record that reads is written back by its own writers exactly as through `Encodable`.
    for line in (parts.count > 1 ? parts[1] : []).split(separator: 0x0A) {
        guard let record = try? CanonicalJSON.decode(TranscriptRecord.self, from: Data(line)) else { continue }
        let written = Result { try CanonicalJSON.encode(record) }
        let reference = Result { try CanonicalJSON.encodeThroughEncodable(record) }
        switch (written, reference) {
        case (.success(let a), .success(let b)) where a == b: continue
        case (.failure, .failure): continue
        default:
            FileHandle.standardError.write(Data("a record's writers disagree with Encodable\n".utf8))
            abort()
        }
    }
}

// SwiftPM links an executable target's entry point as `<Target>_main` (and aliases `main` to
// it), so libFuzzer's own `main` is never pulled in; start its driver from here instead.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("UnsaidFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { start, length in fuzz(start, length) }
}
