import UnsaidSuite
import UnsaidTranscript
/// Sends one request of a plan and returns everything that happened. The libcurl client in
/// `UnsaidTarget` is the production implementation; the run engine only knows this protocol,
/// which keeps the orchestration free of transport details.
package protocol ChatSender: Sendable {
    func send(_ item: WorkItem) async -> Transcript
}
