import Foundation
import Yams

/// Writes a `SuiteDraft` as a YAML suite file that `SuiteLoader` reads back to the same probes.
///
/// The YAML is emitted by Yams from a node tree rather than by string templating, so prompts
/// holding quotes, colons, `#`, leading spaces, line breaks or words YAML would read as another
/// type (`yes`, `null`, `123`) are quoted or block-scalared correctly by the emitter.
package enum SuiteWriter {
    package static func yaml(_ draft: SuiteDraft) throws -> String {
        var text = ""
        try write(draft) { text += $0 }
        return text
    }

    /// The same text a piece at a time: the suite's own keys, then `probes:` and each probe as a
    /// one-item sequence of its own. libyaml writes a mapping's sequence without indenting it, so
    /// the pieces are the bytes of the whole tree serialised at once; built whole, that tree (a
    /// node, tag and style for every scalar) and its text took 665 MB to import 100,000 prompts.
    package static func write(_ draft: SuiteDraft, _ emit: (String) throws -> Void) throws {
        try emit(try serialize(Node(header(draft))))
        try emit("probes:\n")
        for probe in draft.probes {
            try emit(try serialize(Node([self.probe(probe)])))
        }
    }

    /// The suite's keys before `probes`, in the order the loader documents them.
    static func header(_ draft: SuiteDraft) -> [(Node, Node)] {
        var root: [(Node, Node)] = [(key("id"), text(draft.id))]
        if let name = draft.name { root.append((key("name"), text(name))) }
        if let description = draft.description { root.append((key("description"), text(description))) }
        if let version = draft.version { root.append((key("version"), text(version))) }
        var defaults: [(Node, Node)] = []
        if let language = draft.language { defaults.append((key("language"), text(language))) }
        if let category = draft.category { defaults.append((key("category"), text(category.rawValue))) }
        if let expect = draft.expect { defaults.append((key("expect"), text(expect.rawValue))) }
        if !defaults.isEmpty { root.append((key("defaults"), Node(defaults))) }
        return root
    }

    /// The whole suite as one tree, as `write` used to serialise it (kept for the test that holds
    /// the pieces to it).
    static func tree(_ draft: SuiteDraft) -> Node {
        Node(header(draft) + [(key("probes"), Node(draft.probes.map(probe)))])
    }

    static func serialize(_ node: Node) throws -> String {
        try Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true)
    }

    static func probe(_ probe: SuiteDraft.Probe) -> Node {
        var pairs: [(Node, Node)] = [(key("id"), text(probe.id)), (key("prompt"), text(probe.prompt))]
        if let language = probe.language { pairs.append((key("language"), text(language))) }
        if let category = probe.category { pairs.append((key("category"), text(category.rawValue))) }
        if let expect = probe.expect { pairs.append((key("expect"), text(expect.rawValue))) }
        if !probe.tags.isEmpty { pairs.append((key("tags"), Node(probe.tags.map(text)))) }
        return Node(pairs)
    }

    private static func key(_ name: String) -> Node {
        Node(name)
    }

    /// A string scalar that stays a string: Yams quotes it when plain style would read as
    /// something else. Multi-line prompts ask for a literal block, which reads best; libyaml falls
    /// back to a double-quoted scalar when a block cannot hold the text exactly.
    private static func text(_ value: String) -> Node {
        var scalar = value.represented()
        if scalar.style == .any && value.contains("\n") {
            scalar.style = .literal
        }
        return .scalar(scalar)
    }
}
