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
/// `open` returns nil, and the file is read by the tree reader, for anything this reader does not
/// reproduce exactly or that must be seen whole first: a YAML error of any kind (Yams words
/// them), more than one document, a root that is not a mapping, a mapping key that is not a
/// scalar or that occurs twice in one mapping (Yams reports duplicates), an alias to an anchor not
/// yet defined, and `defaults:` or `include:` written after `probes:` (each probe is built with
/// them as it is read). A `probes:` that is not a plain list (an anchored one, an alias, a
/// scalar) is composed whole, as the tree reader would.
struct SuiteYAMLStream: Sendable {
    private let text: String

    /// The document with its `probes:` list read as empty (the list's position kept), and the
    /// stream to read the list's entries from when there is one; nil when the file is one for the
    /// tree reader.
    static func open(_ text: String) -> (root: SuiteNode, probes: SuiteYAMLStream?)? {
        #if canImport(CYaml)
        let opened = text.utf8.withContiguousStorageIfAvailable { bytes -> (SuiteNode, Bool)? in
            let events = EventComposer(bytes)
            let root = events.root { key, streamed in
                // Each probe is built with the defaults and includes, so they must come first.
                if streamed && (key == "defaults" || key == "include") { return .refuse }
                return key == "probes" ? .stream { _, _ in } : .compose
            }
            guard let root, events.endsTheStream() else { return nil }
            return (root.node, root.streamed)
        }
        guard let (root, hasProbes) = opened ?? nil else { return nil }
        return (root, hasProbes ? SuiteYAMLStream(text: text) : nil)
        #else
        return nil
        #endif
    }

    /// Reads the file again and hands over each entry of `probes:` with its index, in order.
    /// False if the file no longer reads as `open` read it (it cannot: the text is the same).
    func forEachProbe(_ body: (SuiteNode, Int) -> Void) -> Bool {
        #if canImport(CYaml)
        let done = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            withoutActuallyEscaping(body) { body in
                let events = EventComposer(bytes)
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
        return done ?? false
        #else
        return false
        #endif
    }
}

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

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        yaml_parser_initialize(&parser)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
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
