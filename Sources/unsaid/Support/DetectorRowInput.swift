import ArgumentParser
import Foundation
import UnsaidReport
import UnsaidVerdict

/// Where labelled detector rows come from: a JSON Lines file, or a run directory whose
/// `labels.jsonl` holds a reviewer's labels. Bad input is one error naming file and line (exit 2).
enum DetectorRowInput {
    static func load(_ path: String) throws -> [DetectorRow] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try ConfigurationError.catching {
                try ReviewedRows.detectorRows(runDirectory: URL(fileURLWithPath: path))
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read \(path)")
        }
        return try ConfigurationError.catching { try DetectorRow.parse(jsonl: data, file: path) }
    }
}
