import Foundation
import UnsaidSuite

/// A scratch directory of suite files, removed when the test is done.
package final class SuiteScratch {
    package let path: String

    package init() throws {
        path = FileManager.default.temporaryDirectory.path + "/unsaid-suite-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` (subdirectories created) and returns the full path.
    @discardableResult
    package func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// The error lines a lint of `paths` prints.
    package func lint(_ names: String...) -> [String] {
        SuiteLoader.check(paths: names.map { path + "/" + $0 }).errors.map(\.description)
    }
}
