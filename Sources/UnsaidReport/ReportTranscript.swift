import UnsaidTranscript
import UnsaidVerdict

extension Transcript {
    /// What reports read of a transcript whose request got `verdict`, and nothing more, so a
    /// report of a large archive holds a little of each record instead of all of it.
    ///
    /// Kept: the key; of each attempt its index, start, times, status, failure, cap and decoded
    /// answer. The raw bytes stay only where `FailureCause` reads them: an HTTP error's body
    /// whole, and for any other failed attempt its last chunk (the stall it describes is measured
    /// from that chunk's arrival). The stream's events stay only for the verdicts whose timeline
    /// the HTML report draws (`StreamTimeline.drawnFor`). Dropped: the request's headers and
    /// body, the answer's headers and usage, which no report shows.
    func keepingWhatReportsRead(for verdict: Verdict) -> Transcript {
        var kept = self
        kept.request.headers = []
        kept.request.body = ""
        let drawsTimeline = StreamTimeline.drawnFor.contains(verdict.verdict)
        for index in kept.attempts.indices {
            var attempt = kept.attempts[index]
            attempt.headers = []
            if attempt.httpErrorStatus == nil {
                attempt.chunks = attempt.failure == nil ? [] : attempt.chunks.last.map { [$0] } ?? []
            }
            if !drawsTimeline { attempt.response.events = [] }
            attempt.response.usage = nil
            kept.attempts[index] = attempt
        }
        return kept
    }
}
