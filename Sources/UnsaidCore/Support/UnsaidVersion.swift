/// The tool's version, recorded in every archive manifest.
public enum UnsaidVersion {
    public static let string = "0.1.0"
}
