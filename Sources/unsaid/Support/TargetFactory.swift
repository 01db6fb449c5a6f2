import Foundation
import UnsaidTarget

/// The production connection (the libcurl client) for a resolved target; a base URL that is not
/// http(s) is a configuration error (one line, exit 2).
func libcurlConnection(_ config: TargetConfig) throws -> TargetConnection {
    do {
        return try TargetConnection.libcurl(config)
    } catch let error as TargetURLError {
        throw ConfigurationError(error.description)
    }
}
