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
        /// The tag as written (`.implicit` when none was), resolved only when asked.
        var tag: Tag.Name
        var style: Node.Scalar.Style
        var position: SourcePosition

        /// A plain scalar whose resolved tag is null: `key:`, `key: null`, `key: ~`. Resolved by
        /// Yams' own resolver (the default, as `Yams.compose` uses), only for the scalars a check
        /// reads, as the checks did when they read Yams' nodes.
        var isNothing: Bool {
            guard style == .plain else { return false }
            // Yams resolves an implicit tag with regular expressions (ICU), rule by rule: ~1% of
            // a streamed 2,000-probe run went into the ids and prompts of its suite. The null
            // rule, `^(?:~|null|Null|NULL|)$`, matches only a text that is empty or opens with
            // `~`, `n`, `N` or a line terminator (`$` also matches before a last one): any other
            // text resolves to something else, whatever the rules before it say.
            if tag == .implicit, let first = string.utf8.first, !Self.mayOpenNull(first) { return false }
            return isNothingAsYamsResolves
        }

        /// `isNothing` as Yams' default resolver says it, for every scalar: the reference.
        var isNothingAsYamsResolves: Bool {
            style == .plain && Node.scalar(Node.Scalar(string, Tag(tag), style)).tag.rawValue == Tag.Name.null.rawValue
        }

        /// Whether a text opening with this byte may match the null rule: `~`, `n`, `N`, or the
        /// first byte of a line terminator (LF, VT, FF, CR; NEL; LS and PS).
        private static func mayOpenNull(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), 0x0A...0x0D, 0xC2, 0xE2: true
            default: false
            }
        }

        /// What the checks read: the text, the style, whether it says nothing, and the place. Not the
        /// tag as stored: Yams resolves (and keeps) the tags of mapping keys while composing, so the
        /// tree holds resolved tags where the stream holds the written ones; they resolve alike.
        static func == (lhs: Scalar, rhs: Scalar) -> Bool {
            lhs.string == rhs.string && lhs.style == rhs.style && lhs.position == rhs.position
                && lhs.isNothing == rhs.isNothing
        }
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
                Scalar(
                    string: scalar.string, tag: Tag.Name(rawValue: scalar.tag.rawValue), style: scalar.style,
                    position: position))
        case .mapping(let mapping):
            self = .mapping(mapping.map { Pair(key: SuiteNode($0.key), value: SuiteNode($0.value)) }, position)
        case .sequence(let sequence):
            self = .sequence(sequence.map(SuiteNode.init), position)
        case .alias:
            self = .alias(position)
        }
    }
}
