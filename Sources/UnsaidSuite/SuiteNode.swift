import Yams

/// A suite file's YAML as the schema checks read it: scalars with their text and whether they
/// say "nothing" (plain `null`, `~` or empty), mappings and lists, each with where it was written.
///
/// The checks used to read Yams' `Node` directly. A `Node` can only be built by Yams' parser (its
/// `Mark` has no public initialiser), which composes the whole document at once: about 840 bytes
/// a probe, 84 MB for a 100,000-probe file. This type can also be built one probe at a time from
/// libyaml's events (`SuiteYAMLStream`), and it is the same value whichever reader built it (the
/// tests compare the two).
enum SuiteNode: Equatable {
    case scalar(Scalar)
    case mapping([Pair], SourcePosition)
    case sequence([SuiteNode], SourcePosition)
    /// Never produced by composing a document (Yams resolves aliases); kept so a stray one is
    /// reported as what it is.
    case alias(SourcePosition)

    struct Scalar: Equatable {
        var string: String
        /// A plain scalar whose resolved tag is null: `key:`, `key: null`, `key: ~`.
        var isNothing: Bool
        var position: SourcePosition
    }

    struct Pair: Equatable {
        var key: SuiteNode
        var value: SuiteNode
    }

    var position: SourcePosition {
        switch self {
        case .scalar(let scalar): scalar.position
        case .mapping(_, let position), .sequence(_, let position), .alias(let position): position
        }
    }

    /// The node Yams composed, as the checks read it.
    init(_ node: Node) {
        let position = node.mark.map { SourcePosition(line: $0.line, column: $0.column) } ?? .start
        switch node {
        case .scalar(let scalar):
            self = .scalar(
                Scalar(string: scalar.string, isNothing: Self.isNothing(node, style: scalar.style), position: position))
        case .mapping(let mapping):
            self = .mapping(mapping.map { Pair(key: SuiteNode($0.key), value: SuiteNode($0.value)) }, position)
        case .sequence(let sequence):
            self = .sequence(sequence.map(SuiteNode.init), position)
        case .alias:
            self = .alias(position)
        }
    }

    /// Whether a scalar says "nothing", by Yams' own tag resolution (the default resolver, as
    /// `Yams.compose` uses).
    static func isNothing(_ node: Node, style: Node.Scalar.Style) -> Bool {
        style == .plain && node.tag.rawValue == Tag.Name.null.rawValue
    }
}
