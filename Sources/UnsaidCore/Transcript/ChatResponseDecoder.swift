import Foundation

/// Turns the raw bytes of one attempt into a `DecodedResponse`. Pure: the same chunks always
/// decode to the same value, which is what makes offline re-scoring possible.
/// STUB: implemented in the transport work.
public enum ChatResponseDecoder {
    public static func decode(chunks: [WireChunk], streamed: Bool) -> DecodedResponse {
        DecodedResponse()
    }
}
