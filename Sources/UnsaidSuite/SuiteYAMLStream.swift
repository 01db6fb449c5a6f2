#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import UnsaidSupport
import Yams

// libyaml's event API, which Yams is built on but does not export: Yams' own parser composes a
// whole document before returning any of it. SwiftPM makes the C module of a dependency visible
// to the targets above it, so it can be imported here; should that ever stop, `canImport` fails,
// `open` returns nil and every file is read by the tree reader, exactly as before.
#if canImport(CYaml)
import CYaml
#endif

/// Reads a suite file's YAML as libyaml's stream of events, so that the entries of its `probes:`
/// list are built and checked one at a time instead of all at once: Yams' document tree for a
/// 100,000-probe file is about 84 MB, held until every entry is checked.
///
/// Two passes over the text: `open` composes everything but the probes (which it composes one by
/// one to check them, then drops), and `forEachProbe` reads the file again, handing each entry over
/// as it is built. Nodes are composed as Yams composes them (marks, styles, tag resolution,
/// anchors and aliases), so the checks see the same `SuiteNode`s either way; the tests compare
/// the two readers over the bundled suites, the samples and generated files.
///
/// A file opened with `open(file:)` is read from the disk as libyaml asks for bytes, on both
/// passes, so its text is never held whole (10 MB for 100,000 one-line prompts, held beside the
/// probes being packed). Each pass digests the bytes it reads; the second must read the bytes the
/// first did, or the probes would not be those of the digest the run records in `sources`.
///
/// `open` returns nil, and the file is read by the tree reader, for anything this reader does not
/// reproduce exactly or that must be seen whole first: a YAML error of any kind (Yams words
/// them), more than one document, a root that is not a mapping, a mapping key that is not a
/// scalar or that occurs twice in one mapping (Yams reports duplicates), an alias to an anchor not
/// yet defined, and `defaults:` or `include:` written after `probes:` (each probe is built with
/// them as it is read). A `probes:` that is not a plain list (an anchored one, an alias, a
/// scalar) is composed whole, as the tree reader would. `open(file:)` also returns nil for a file
/// it cannot read or whose bytes are not UTF-8: the text reader reports those.
struct SuiteYAMLStream: Sendable {
    /// Where each pass reads the YAML from.
    private enum Source: Sendable {
        case text(String)
        /// The file, read again by the second pass, which must digest to `sha256` as the first did.
        case file(path: String, sha256: String)
    }

    private let source: Source

    /// A file read by `open(file:)`: its document and stream as `open` gives them, and the
    /// SHA-256 of every byte of the file (lower-case hex), which the first pass read.
    struct OpenedFile {
        var root: SuiteNode
        var probes: SuiteYAMLStream?
        var sha256: String
    }

    /// The document with its `probes:` list read as empty (the list's position kept), and the
    /// stream to read the list's entries from when there is one; nil when the file is one for the
    /// tree reader.
    static func open(_ text: String) -> (root: SuiteNode, probes: SuiteYAMLStream?)? {
        #if canImport(CYaml)
        let opened = text.utf8.withContiguousStorageIfAvailable { bytes in readRoot(EventComposer(bytes)) }
        guard let (root, hasProbes) = opened ?? nil else { return nil }
        return (root, hasProbes ? SuiteYAMLStream(source: .text(text)) : nil)
        #else
        return nil
        #endif
    }

    /// As `open(_:)`, reading the file at `path` as the parser asks for it instead of from its
    /// whole text; nil also when the file cannot be read or is not UTF-8.
    static func open(file path: String) -> OpenedFile? {
        #if canImport(CYaml)
        guard let input = FileInput(path: path) else { return nil }
        guard let (root, hasProbes) = readRoot(EventComposer(input)), let sha256 = input.digestOfWholeFile()
        else { return nil }
        let probes = hasProbes ? SuiteYAMLStream(source: .file(path: path, sha256: sha256)) : nil
        return OpenedFile(root: root, probes: probes, sha256: sha256)
        #else
        return nil
        #endif
    }

    /// Reads the file again and hands over each entry of `probes:` with its index, in order.
    /// False if the file no longer reads as `open` read it: a held text cannot change, but a file
    /// can between the passes, and then its digest differs (known only once it is read to its end,
    /// so some entries may have been handed over; the caller refuses the suite).
    func forEachProbe(_ body: (SuiteNode, Int) -> Void) -> Bool {
        #if canImport(CYaml)
        switch source {
        case .text(let text):
            let done = text.utf8.withContiguousStorageIfAvailable { bytes in
                Self.readProbes(EventComposer(bytes), body)
            }
            return done ?? false
        case .file(let path, let sha256):
            guard let input = FileInput(path: path) else { return false }
            let read = Self.readProbes(EventComposer(input), body)
            return read && input.digestOfWholeFile() == sha256
        }
        #else
        return false
        #endif
    }

    #if canImport(CYaml)
    /// The first pass: the root with `probes:` left empty, and whether there was a list to stream.
    private static func readRoot(_ events: EventComposer) -> (SuiteNode, Bool)? {
        let root = events.root { key, streamed in
            // Each probe is built with the defaults and includes, so they must come first.
            if streamed && (key == "defaults" || key == "include") { return .refuse }
            return key == "probes" ? .stream { _, _ in } : .compose
        }
        guard let root, events.endsTheStream() else { return nil }
        return (root.node, root.streamed)
    }

    /// The second pass: every entry of `probes:` to `body`; false if the list is not read whole.
    private static func readProbes(_ events: EventComposer, _ body: (SuiteNode, Int) -> Void) -> Bool {
        withoutActuallyEscaping(body) { body in
            var stopped = false
            let whole = events.root { key, streamed in
                if streamed {
                    stopped = true
                    return .stop
                }
                return key == "probes" ? .stream(body) : .compose
            }
            return stopped || whole?.streamed == true
        }
    }
    #endif
}

/// Checks that bytes arriving in pieces are UTF-8 exactly as the whole would be checked at once
/// (`String(validating:as:)`, what `String(data:encoding: .utf8)` accepts): each piece is checked
/// up to its last whole character, together with the bytes carried over from the piece before,
/// and the rest is carried to the next. An incomplete character at the end is not UTF-8.
struct UTF8PieceCheck {
    private var carried: [UInt8] = []
    private(set) var isValid = true

    /// False once any byte so far is known not to be UTF-8.
    mutating func accept(_ piece: UnsafeRawBufferPointer) -> Bool {
        guard isValid, !piece.isEmpty else { return isValid }
        var bytes = carried
        bytes.append(contentsOf: piece)
        let cut = Self.endOfLastWholeCharacter(bytes)
        isValid = bytes[..<cut].withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
        carried = Array(bytes[cut...])
        return isValid
    }

    /// Whether all the bytes were UTF-8, with none left over.
    func finish() -> Bool { isValid && carried.isEmpty }

    /// Where to cut `bytes` so that no character that could still be completed by later bytes is
    /// checked now: before the last character's first byte when fewer bytes follow it than that
    /// byte announces, else at the end (bytes that cannot start or continue a character are
    /// refused whatever follows them, so they are checked at once).
    static func endOfLastWholeCharacter(_ bytes: [UInt8]) -> Int {
        var first = bytes.count
        var continuations = 0
        while continuations < 3, first > 0, bytes[first - 1] & 0xC0 == 0x80 {
            first -= 1
            continuations += 1
        }
        guard first > 0 else { return bytes.count }
        let lead = bytes[first - 1]
        let announced: Int =
            switch lead {
            case 0xF0...: 4
            case 0xE0...: 3
            case 0xC0...: 2
            default: 1
            }
        return continuations + 1 < announced ? first - 1 : bytes.count
    }
}

#if canImport(CYaml)
/// A suite file as libyaml reads it, through `yaml_parser_set_input`: each read is digested and
/// checked as UTF-8 on its way to the parser, so both passes see and vouch for the same bytes.
private final class FileInput {
    private let descriptor: Int32
    private var hasher = SHA256()
    private var utf8 = UTF8PieceCheck()
    private var failed = false

    /// Nil unless `path` is a regular file: a pipe or a device would not give the second pass
    /// the first pass's bytes (or would block it), so those are read whole, as they always were.
    init?(path: String) {
        let descriptor = openForReading(path)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Up to `buffer.count` bytes of the file into `buffer`, and how many (0 at its end); nil on
    /// a read error or bytes that are not UTF-8, for which the file is left to the text reader.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard !failed, let start = buffer.baseAddress else { return nil }
        var count: Int
        repeat {
            count = readBytes(descriptor, start, buffer.count)
        } while count < 0 && errno == EINTR
        guard count >= 0 else {
            failed = true
            return nil
        }
        let bytes = UnsafeRawBufferPointer(start: start, count: count)
        guard count > 0 ? utf8.accept(bytes) : utf8.finish() else {
            failed = true
            return nil
        }
        hasher.update(bufferPointer: bytes)
        return count
    }

    /// The digest of every byte of the file, reading what the parser left unread (nothing, after
    /// the stream's end; the rest of the file, after a pass that stopped early); nil when a read
    /// failed or the bytes are not UTF-8.
    func digestOfWholeFile() -> String? {
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            guard let count = scratch.withUnsafeMutableBytes({ read(into: $0) }) else { return nil }
            if count == 0 { return SHA256Hex.hex(hasher.finalize()) }
        }
    }
}

// The C library's calls, named apart from `FileInput`'s own `read(into:)`.
private func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
private func readBytes(_ descriptor: Int32, _ start: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, start, count)
}

/// libyaml's read handler over a `FileInput` (passed unretained: the composer holds it).
private func readFileInput(
    _ data: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int,
    _ sizeRead: UnsafeMutablePointer<Int>?
) -> Int32 {
    guard let data, let buffer, let sizeRead else { return 0 }
    let input = Unmanaged<FileInput>.fromOpaque(data).takeUnretainedValue()
    guard let count = input.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size)) else { return 0 }
    sizeRead.pointee = count
    return 1
}
#endif

#if canImport(CYaml)
/// What to do with the value of one key of the root mapping.
private enum RootValue {
    /// Compose it as a node of the root.
    case compose
    /// A `probes:` list: compose its entries one at a time, hand each to the closure, and keep
    /// an empty list in the root. Anything but a plain list (a scalar, an alias, an anchored list
    /// that could be aliased later) is composed whole instead, for the checks to read as ever.
    case stream((SuiteNode, Int) -> Void)
    /// The file is not one this reader reads.
    case refuse
    /// Everything wanted has been read; stop here.
    case stop
}

/// libyaml's parser over one buffer, composing nodes from its events as Yams' `Parser` does.
private final class EventComposer {
    private var parser = yaml_parser_t()
    private var event = yaml_event_t()
    private var holdsEvent = false
    /// Anchored nodes by name; a later anchor of the same name shadows an earlier one, as in Yams.
    private var anchors: [String: SuiteNode] = [:]
    /// The file libyaml reads through `readFileInput`, kept alive while the parser may call it.
    private let input: FileInput?

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        input = nil
        yaml_parser_initialize(&parser)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
    }

    init(_ input: FileInput) {
        self.input = input
        yaml_parser_initialize(&parser)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input(&parser, readFileInput, Unmanaged.passUnretained(input).toOpaque())
    }

    deinit {
        if holdsEvent { yaml_event_delete(&event) }
        yaml_parser_delete(&parser)
    }

    /// The next event; false on a YAML error.
    private func advance() -> Bool {
        if holdsEvent { yaml_event_delete(&event) }
        holdsEvent = yaml_parser_parse(&parser, &event) == 1
        return holdsEvent
    }

    private func advance(to type: yaml_event_type_t) -> Bool {
        advance() && event.type == type
    }

    /// Where the current event starts, 1-based as Yams' `Mark`.
    private var position: SourcePosition {
        SourcePosition(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
    }

    /// The root mapping, each key's value handled as `handle` says (told the key and whether a
    /// list was streamed before it), and whether a list was streamed; nil when the file is not one
    /// this reader reads (or `handle` stopped it).
    func root(_ handle: (String, Bool) -> RootValue) -> (node: SuiteNode, streamed: Bool)? {
        guard advance(to: YAML_STREAM_START_EVENT), advance(to: YAML_DOCUMENT_START_EVENT),
            advance(to: YAML_MAPPING_START_EVENT)
        else { return nil }
        let start = position
        var pairs: [SuiteNode.Pair] = []
        var keys = Set<String>()
        var streamed = false
        while advance() {
            if event.type == YAML_MAPPING_END_EVENT { return (.mapping(pairs, start), streamed) }
            guard let key = node(), case .scalar(let scalar) = key, keys.insert(scalar.string).inserted,
                advance()
            else { return nil }
            var action = handle(scalar.string, streamed)
            if case .stream = action,
                event.type != YAML_SEQUENCE_START_EVENT || event.data.sequence_start.anchor != nil
            {
                action = .compose
            }
            switch action {
            case .compose:
                guard let value = node() else { return nil }
                pairs.append(SuiteNode.Pair(key: key, value: value))
            case .stream(let body):
                streamed = true
                let listStart = position
                var index = 0
                while advance() {
                    if event.type == YAML_SEQUENCE_END_EVENT { break }
                    guard let item = node() else { return nil }
                    body(item, index)
                    index += 1
                }
                guard holdsEvent else { return nil }
                pairs.append(SuiteNode.Pair(key: key, value: .sequence([], listStart)))
            case .refuse, .stop:
                return nil
            }
        }
        return nil
    }

    /// After the root mapping: the document and the stream end (one document, as `Yams.compose`
    /// requires).
    func endsTheStream() -> Bool {
        advance(to: YAML_DOCUMENT_END_EVENT) && advance(to: YAML_STREAM_END_EVENT)
    }

    /// The node that starts with the current event, its events consumed; nil for anything left
    /// to the tree reader.
    private func node() -> SuiteNode? {
        let start = position
        switch event.type {
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let style = Node.Scalar.Style(rawValue: numericCast(data.style.rawValue)) ?? .any
            // As Yams' parser: a quoted scalar without a tag is a string; otherwise its tag, or
            // none for the resolver to decide.
            let tag: Tag.Name =
                data.quoted_implicit == 1 ? .str : text(data.tag).map { Tag.Name(rawValue: $0) } ?? .implicit
            let node = SuiteNode.scalar(SuiteNode.Scalar(string: value, tag: tag, style: style, position: start))
            register(node, as: text(data.anchor))
            return node
        case YAML_ALIAS_EVENT:
            return text(event.data.alias.anchor).flatMap { anchors[$0] }
        case YAML_SEQUENCE_START_EVENT:
            let anchor = text(event.data.sequence_start.anchor)
            var items: [SuiteNode] = []
            while advance() {
                if event.type == YAML_SEQUENCE_END_EVENT {
                    let node = SuiteNode.sequence(items, start)
                    register(node, as: anchor)
                    return node
                }
                guard let item = node() else { return nil }
                items.append(item)
            }
            return nil
        case YAML_MAPPING_START_EVENT:
            let anchor = text(event.data.mapping_start.anchor)
            var pairs: [SuiteNode.Pair] = []
            var keys = Set<String>()
            while advance() {
                if event.type == YAML_MAPPING_END_EVENT {
                    let node = SuiteNode.mapping(pairs, start)
                    register(node, as: anchor)
                    return node
                }
                // Yams refuses duplicate keys with an error of its own; a key that is not a
                // scalar could only be compared the way Yams compares nodes.
                guard let key = node(), case .scalar(let scalar) = key, keys.insert(scalar.string).inserted,
                    advance(), let value = node()
                else { return nil }
                pairs.append(SuiteNode.Pair(key: key, value: value))
            }
            return nil
        default:
            return nil
        }
    }

    private func register(_ node: SuiteNode, as anchor: String?) {
        if let anchor { anchors[anchor] = node }
    }

    private func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
#endif
