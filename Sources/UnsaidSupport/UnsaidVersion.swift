/// The tool's version, recorded in every archive manifest.
package enum UnsaidVersion {
    package static let string = "0.1.0"
}
