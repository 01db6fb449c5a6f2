import Foundation

/// Why an attempt did not produce a usable HTTP exchange, in terms an auditor can act on.
package enum FailureKind: String, Codable, Sendable, CaseIterable {
    /// The host name did not resolve.
    case dns
    /// Nothing accepted the connection (dead port, refused, unreachable).
    case connect
    /// The TLS handshake or certificate check failed.
    case tls
    /// The whole request took longer than the total timeout.
    case timeout
    /// The server stopped sending bytes for longer than the stall timeout.
    case stall
    /// The server answered with a non-2xx status.
    case http
    /// The bytes were not a valid HTTP/SSE/JSON chat response.
    case `protocol`
    /// The connection broke mid-transfer (reset, closed early).
    case network
    /// The run was interrupted and the transfer aborted.
    case cancelled
}

package struct TransportFailure: Codable, Sendable, Equatable, Error {
    package var kind: FailureKind
    package var message: String
    /// libcurl's CURLcode, when libcurl reported the failure.
    package var curlCode: Int?

    package init(kind: FailureKind, message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    /// Whether another attempt may succeed without hiding what the model did: a refused or reset
    /// connection says nothing about the model. A stall or a timeout is not retried, because
    /// a stream that stops mid-answer can itself be the censorship being measured.
    package var isRetryable: Bool {
        kind == .connect || kind == .network
    }
}

extension TransportFailure {
    /// Whether the client itself saw the transfer break — a reset, a send/receive error, an
    /// HTTP/2 stream error, a stall or total timeout, a TLS failure, an interrupt — as opposed
    /// to a server that closed its side early (libcurl's partial file, empty reply: codes 18, 52,
    /// 8) or answered with an error. Such a cut says nothing about the model, so it is not
    /// scored as model behaviour.
    package var isTransportCut: Bool {
        switch kind {
        case .stall, .timeout, .tls, .cancelled, .dns, .connect: return true
        case .network: return curlCode.map { [16, 55, 56, 92].contains($0) } ?? false
        case .http, .protocol: return false
        }
    }
}
