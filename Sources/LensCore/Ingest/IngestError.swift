import Foundation

/// A fatal problem while reading the bytes of a MovieLens drop: a missing file, a damaged or
/// hostile zip archive, an I/O failure.
///
/// Bad *rows* are not `IngestError`s: a line the cleaners cannot read gets a `RejectReason`
/// and goes to the quarantine. An `IngestError` means the file itself cannot be
/// read on, so the stage stops. The exit code is chosen at the CLI edge from ``code``.
///
/// ``description`` renders compiler-style, `file[:line]: error: message. fix`, for example
/// `ml.zip:ml-latest-small/ratings.csv: error: CRC-32 mismatch (…). The archive is damaged; download it again.`
public struct IngestError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// What went wrong, from a closed set; the raw values are the words users see.
    public enum Code: String, Sendable, CaseIterable {
        /// A path or a file inside a drop does not exist.
        case notFound = "not found"
        /// The path exists but holds no recognisable MovieLens files.
        case notADrop = "not a MovieLens drop"
        /// The operating system refused or failed a read (`errno` in the message).
        case io = "I/O error"
        /// A zip archive's structures are inconsistent (bad signatures, sizes, deflate data).
        case corruptZip = "corrupt zip"
        /// A zip archive ends before its structures or data do.
        case truncatedZip = "truncated zip"
        /// A zip entry name could escape the folder it is unpacked into (`..`, absolute, `\`).
        case unsafeZipEntry = "unsafe zip entry"
        /// A zip entry inflates to more than it declares, or declares an implausible ratio.
        case zipBomb = "zip bomb"
        /// The CRC-32 of an entry's data differs from the one its archive records.
        case checksumMismatch = "checksum mismatch"
        /// A zip feature lens does not read: encryption, a compression method other than
        /// stored/deflate, multi-disk archives.
        case unsupportedZip = "unsupported zip"
        /// A single physical line is longer than the reader's limit (likely not a text file).
        case lineTooLong = "line too long"
    }

    /// The kind of failure; stable for programs (and exit codes) to switch on.
    public let code: Code
    /// Where: a path as the user gave it, or `archive.zip:entry/name` for a zip entry.
    public let file: String
    /// The 1-based physical line, when the failure belongs to one line.
    public let line: Int?
    /// What happened, without a trailing period.
    public let message: String
    /// How to fix it, as a sentence; `nil` when there is nothing useful to suggest.
    public let fix: String?

    /// Creates an error; `message` says what happened, `fix` what the user can do about it.
    public init(_ code: Code, file: String, line: Int? = nil, message: String, fix: String? = nil) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
        self.fix = fix
    }

    /// `file[:line]: error: message. fix` — the form editors and terminals make clickable.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": error: " + message
        if let fix { text += ". " + fix }
        return text
    }

    /// The same text as ``description``, so `localizedDescription` is useful too.
    public var errorDescription: String? { description }

    /// Builds an ``Code/io`` (or ``Code/notFound``) error from the current `errno`.
    /// - Parameters:
    ///   - operation: what was attempted, e.g. "open" or "read".
    ///   - file: the display path of the file.
    ///   - errnoValue: the `errno` after the failed call.
    static func system(_ operation: String, file: String, errno errnoValue: Int32) -> IngestError {
        let reason = String(cString: strerror(errnoValue))
        switch errnoValue {
        case ENOENT:
            return IngestError(
                .notFound, file: file, message: "cannot \(operation): \(reason)",
                fix: "Check the path; a drop is a folder or a .zip as GroupLens publishes it.")
        case EACCES, EPERM:
            return IngestError(
                .io, file: file, message: "cannot \(operation): \(reason)",
                fix: "Give the user running lens read permission on it.")
        default:
            return IngestError(.io, file: file, message: "cannot \(operation): \(reason) (errno \(errnoValue))")
        }
    }
}
