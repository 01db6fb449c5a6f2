/// What went wrong encoding a value, said for a person: the sentence an
/// `EncodingError.invalidValue` carries (canonical JSON names the value and its path there),
/// else the error as text.
package enum EncodingProblem {
    package static func describe(_ error: any Error) -> String {
        if case EncodingError.invalidValue(_, let context) = error { return context.debugDescription }
        return "\(error)"
    }
}
