import Foundation
import UnsaidSupport

/// One fault the replay server acts out on a recorded response, as asked for by the
/// `X-Unsaid-Fault` request header or a fixture's `meta.fault`. The grammar (docs/replay.md):
///
///     faults    = directive *( "," directive )      ; or the single word "none"
///     directive = name [ "=" value ] *( ";" param "=" value )
///
/// Every directive takes the `times=N` parameter: it then applies only to the first N requests
/// for the same recording carrying the same header, so a retry can be made to succeed.
package struct ReplayFault: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// `close-after=N`: close cleanly after N body bytes, without ending the body.
        case closeAfter(bytes: Int)
        /// `cut`: send every recorded byte, then close without ending the body.
        case cut
        /// `reset`: a TCP reset before any response byte; `reset=N`: after N body bytes.
        case reset(afterBytes: Int?)
        /// `stall=T[;after=N]`: stop for T seconds after N body bytes (default: after the first event).
        case stall(seconds: Double, afterBytes: Int?)
        /// `drip=T`: one body byte every T milliseconds.
        case drip(intervalMs: Int)
        /// `status=NNN[;retry-after=V]`: answer with this HTTP status and an OpenAI-style error body.
        case status(Int, retryAfter: String?)
        /// `malformed-chunk`: a stream gains an event whose data is not JSON; a JSON body loses its last byte.
        case malformedChunk
        /// `invalid-utf8`: the bytes C3 28 go into the first `"content":"` string (else the start of the body).
        case invalidUTF8
        /// `huge-body=SIZE`: SIZE extra bytes (`100MB`, `64KiB`, `5000`) after the first event, or
        /// as whitespace inside a JSON body, produced lazily.
        case hugeBody(bytes: Int)
        /// `no-done`: the `data: [DONE]` event is left out.
        case noDone
        /// `no-final-newline`: the last event loses its terminating blank line.
        case noFinalNewline
    }

    package var kind: Kind
    /// Apply only to the first `times` matching requests; nil = always.
    package var times: Int?

    package init(_ kind: Kind, times: Int? = nil) {
        self.kind = kind
        self.times = times
    }

    /// The request header that selects faults.
    package static let headerName = "X-Unsaid-Fault"

    /// Whether the fault is acted out by the connection (only one such fault can apply at once)
    /// rather than by rewriting the body.
    var isTransport: Bool {
        switch kind {
        case .closeAfter, .cut, .reset, .stall, .drip, .noFinalNewline: return true
        case .status, .malformedChunk, .invalidUTF8, .hugeBody, .noDone: return false
        }
    }

    /// Parses a header value (or `meta.fault`); an empty value and `none` mean no fault.
    package static func parseList(_ text: String) throws -> [ReplayFault] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.lowercased() == "none" { return [] }
        let faults = try trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
            try parse(directive: String($0))
        }
        let transport = faults.filter(\.isTransport)
        if transport.count > 1 {
            throw ReplayFaultSyntaxError(
                "only one of close-after, cut, reset, stall, drip and no-final-newline can apply to a request")
        }
        if faults.filter({ if case .status = $0.kind { return true } else { return false } }).count > 1 {
            throw ReplayFaultSyntaxError("only one status can apply to a request")
        }
        return faults
    }

    private static func parse(directive: String) throws -> ReplayFault {
        var pieces = directive.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let head = pieces.removeFirst()
        guard !head.isEmpty else { throw ReplayFaultSyntaxError("empty fault directive in '\(directive)'") }
        let (name, value) = split(head)
        var parameters: [String: String] = [:]
        for piece in pieces {
            let (key, parameterValue) = split(piece)
            guard let parameterValue, !key.isEmpty else {
                throw ReplayFaultSyntaxError("parameter '\(piece)' of '\(name)' needs the form name=value")
            }
            parameters[key.lowercased()] = parameterValue
        }
        let times = try parameters.removeValue(forKey: "times").map { try count($0, of: "times", minimum: 1) }

        let kind: Kind
        if let plain = valueless[name.lowercased()] {
            try none(value, name)
            kind = plain
        } else {
            kind = try valued(name, value: value, parameters: &parameters)
        }
        if let unknown = parameters.keys.sorted().first {
            throw ReplayFaultSyntaxError("'\(name)' does not take the parameter '\(unknown)'")
        }
        return ReplayFault(kind, times: times)
    }

    /// The faults that take no value, by name.
    private static let valueless: [String: Kind] = [
        "cut": .cut, "malformed-chunk": .malformedChunk, "invalid-utf8": .invalidUTF8, "no-done": .noDone,
        "no-final-newline": .noFinalNewline,
    ]

    /// The kind of a fault that takes a value or parameters (`close-after=N`, `stall=T;after=N`, …);
    /// the parameters it uses are taken out of `parameters`.
    private static func valued(
        _ name: String, value: String?, parameters: inout [String: String]
    ) throws -> Kind {
        switch name.lowercased() {
        case "close-after":
            return .closeAfter(bytes: try count(required(value, name), of: name))
        case "reset":
            return .reset(afterBytes: try value.map { try count($0, of: name) })
        case "stall":
            let seconds = try self.seconds(required(value, name), of: name)
            let after = try parameters.removeValue(forKey: "after").map { try count($0, of: "after") }
            return .stall(seconds: seconds, afterBytes: after)
        case "drip":
            return .drip(intervalMs: try count(required(value, name), of: name))
        case "status":
            let code = try count(required(value, name), of: name)
            guard (100...599).contains(code) else {
                throw ReplayFaultSyntaxError("status \(code) is not an HTTP status (100-599)")
            }
            return .status(code, retryAfter: parameters.removeValue(forKey: "retry-after"))
        case "huge-body":
            return .hugeBody(bytes: try size(required(value, name)))
        default:
            throw ReplayFaultSyntaxError(
                "unknown fault '\(name)'; known: close-after=N, cut, reset[=N], stall=T[;after=N], "
                    + "drip=MS, status=NNN[;retry-after=S], malformed-chunk, invalid-utf8, huge-body=SIZE, no-done, "
                    + "no-final-newline (each may add ;times=N), or none")
        }
    }

    private static func split(_ text: String) -> (String, String?) {
        guard let equals = text.firstIndex(of: "=") else { return (text, nil) }
        return (
            text[..<equals].trimmingCharacters(in: .whitespaces),
            text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        )
    }

    private static func required(_ value: String?, _ name: String) throws -> String {
        guard let value, !value.isEmpty else {
            throw ReplayFaultSyntaxError("'\(name)' needs a value, as in \(name)=…")
        }
        return value
    }

    private static func none(_ value: String?, _ name: String) throws {
        if value != nil { throw ReplayFaultSyntaxError("'\(name)' takes no value") }
    }

    private static func count(_ text: String, of name: String, minimum: Int = 0) throws -> Int {
        guard let number = Int(text), number >= minimum else {
            throw ReplayFaultSyntaxError("'\(name)' needs a whole number ≥ \(minimum), got '\(text)'")
        }
        return number
    }

    private static func seconds(_ text: String, of name: String) throws -> Double {
        // Bounded above too: `stall=1e300` used to trap converting to a Duration.
        guard let number = Double(text), number.isFinite, number >= 0, number <= NumberLimits.maximumSeconds else {
            throw ReplayFaultSyntaxError(
                "'\(name)' needs seconds between 0 and \(Int(NumberLimits.maximumSeconds)), got '\(text)'")
        }
        return number
    }

    /// `5000`, `64KB`/`64KiB`, `100MB`/`100MiB`, `1GB`/`1GiB` (KB = 1000 bytes, KiB = 1024).
    static func size(_ text: String) throws -> Int {
        let units: [(String, Int)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30),
            ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("b", 1),
        ]
        let lowered = text.lowercased()
        for (suffix, multiplier) in units where lowered.hasSuffix(suffix) {
            let number = lowered.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            if let value = Int(number), value > 0, value <= Int.max / multiplier {
                return value * multiplier
            }
            break
        }
        if let value = Int(lowered), value > 0 { return value }
        throw ReplayFaultSyntaxError("'huge-body' needs a size such as 100MB, 64KiB or 5000, got '\(text)'")
    }
}
