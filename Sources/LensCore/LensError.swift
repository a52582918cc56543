/// Fatal problems of a lens command. Row-level problems are not errors: they go to the
/// quarantine with a `RejectReason`. Each case renders as one line that says what happened,
/// where (`file:line:` compiler style where there is a file), and what to do. The exit code is
/// chosen at the CLI edge (`Sources/lens/OutputOptions.swift`), not here.
public enum LensError: Error, CustomStringConvertible, Equatable {
    /// The pipeline file or a flag is wrong.
    case config(file: String, line: Int?, message: String)
    /// The drop cannot be read: missing file, bad header, unreadable archive.
    case input(file: String, line: Int?, message: String)
    /// Writing output (Parquet, manifest) failed, e.g. a full disk.
    case output(path: String, message: String)
    /// The database refused or failed; the message never contains a password.
    case database(message: String)
    /// A data check failed after a load.
    case check(name: String, message: String)
    /// Another lens process holds the warehouse lock.
    case busy(message: String)
    /// A bug in lens itself.
    case `internal`(message: String)

    public var description: String {
        switch self {
        case .config(let file, let line, let message):
            return "\(file)\(line.map { ":\($0)" } ?? ""): error: \(message)"
        case .input(let file, let line, let message):
            return "\(file)\(line.map { ":\($0)" } ?? ""): error: \(message)"
        case .output(let path, let message):
            return "\(path): error: \(message)"
        case .database(let message):
            return "database: error: \(message)"
        case .check(let name, let message):
            return "check \(name): failed: \(message)"
        case .busy(let message):
            return "warehouse busy: \(message)"
        case .internal(let message):
            return "internal error (a bug in lens, please report it): \(message)"
        }
    }
}
