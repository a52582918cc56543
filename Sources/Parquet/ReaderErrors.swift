// Errors of the Parquet reader. Each message names the file (and the column when there is one),
// says what is wrong, and what to do about it.
//
// They are a separate type from the writer's `ParquetError` (declared in ParquetTypes.swift) so the
// writer's error cases and their pinned messages stay exactly as they are.

/// Errors of `ParquetFileReader`.
public enum ParquetReadError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read (missing, permissions, I/O error).
    case cannotOpen(file: String, reason: String)
    /// A read or stat on an open file failed.
    case io(file: String, operation: String, reason: String)
    /// The file is not a Parquet file: too small, or no `PAR1` magic at its start or end.
    case notParquet(file: String, reason: String)
    /// The file claims to be Parquet but its footer or a page is malformed or inconsistent
    /// (truncated footer, sizes that lie, out-of-range dictionary indices, ...). `column` is nil
    /// for problems of the footer itself.
    case corrupt(file: String, column: String?, reason: String)
    /// The file is valid Parquet but uses something this reader does not implement (a codec,
    /// an encoding, a nested type, a logical type).
    case unsupported(file: String, column: String?, feature: String)
    /// `readColumn` was asked for a column the file does not have.
    case noSuchColumn(file: String, column: String, available: [String])

    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            return "Parquet file '\(file)': cannot open it: \(reason). Check the path and its permissions."
        case .io(let file, let operation, let reason):
            return "Parquet file '\(file)': \(operation) failed: \(reason). Check the disk and read the file again."
        case .notParquet(let file, let reason):
            return "Parquet file '\(file)': not a Parquet file: \(reason). Check that the path names a complete .parquet file (an interrupted copy leaves a truncated one)."
        case .corrupt(let file, let column, let reason):
            let whereText = column.map { ", column '\($0)'" } ?? ""
            return "Parquet file '\(file)'\(whereText): the file is damaged: \(reason). Write or copy the file again."
        case .unsupported(let file, let column, let feature):
            let whereText = column.map { ", column '\($0)'" } ?? ""
            return "Parquet file '\(file)'\(whereText): not supported by this reader: \(feature). Rewrite the file with zstd or no compression, PLAIN/dictionary encodings and flat columns or lists of strings/floats (pyarrow: compression='zstd', use_dictionary=True, column_encoding=None)."
        case .noSuchColumn(let file, let column, let available):
            return "Parquet file '\(file)': no column '\(column)'. The file's columns are: \(available.joined(separator: ", "))."
        }
    }
}

/// A decoding failure inside one page or structure, without file/column context; the reader
/// wraps it into `ParquetReadError.corrupt` naming the file and column.
struct DecodeFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Something valid but not implemented, found while decoding; wrapped into `.unsupported`.
struct UnsupportedFeature: Error {
    var feature: String
    init(_ feature: String) { self.feature = feature }
}
