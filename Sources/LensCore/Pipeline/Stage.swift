/// A stage of `lens run` or `lens load`. The raw values are the names progress lines, the
/// result's `stage_seconds` keys and the catalog's `runs.stage_seconds` use.
public enum Stage: String, Sendable, CaseIterable {
    /// The zip's published md5 (zip drops only).
    case verifyMD5 = "verify_md5"
    /// The sha256 of every drop file (reused from the manifest when the drop is untouched).
    case checksum
    case ingestClean = "ingest_clean"
    case split
    case features
    case parquet
    /// Reading an export back to load it (`lens load`, or a run whose export is current).
    case readParquet = "read_parquet"
    case load
}

extension Stage: CustomStringConvertible {
    /// The raw value, so that a stage interpolated into a message reads as its name.
    public var description: String { rawValue }
}
