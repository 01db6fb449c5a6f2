import UnsaidArchive

/// What to tell a person whose run's `transcripts.jsonl` ends in a torn record, by how the
/// manifest left the run.
///
/// A run that did not finish (killed, interrupted) is finished by resuming it, which cuts the torn
/// record first. A run sealed complete cannot have torn its own last record: the manifest is
/// written only after every record is on disk, so the bytes came afterwards, from outside. Sending
/// that person to `run --resume` was a dead end (it refuses a complete run, "nothing to resume");
/// `verify` is where they learn what differs from what the manifest committed to.
enum TornRecordAdvice {
    /// One line, naming the file and the torn record's line.
    static func message(transcripts: String, line: Int, run: String, status: Manifest.Status) -> String {
        let place = "\(transcripts):\(line)"
        guard status == .complete else {
            return
                "\(place): torn record; finish the run with unsaid run --resume \(run) first (it cuts the torn record)"
        }
        return
            "\(place): torn record after the run was sealed complete: the archive was changed after it finished, which resuming cannot undo; unsaid verify \(run) shows what differs from the manifest"
    }
}
