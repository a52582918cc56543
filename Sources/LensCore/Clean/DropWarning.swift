/// Something stage 1 noticed about a drop's files that loses no line but that a person should
/// know: a file the drop lacks, a last line that may have been cut, columns that were dropped.
/// Rows are never hidden behind a warning (those go to the quarantine); a warning explains what
/// the counts alone do not.
public struct DropWarning: Codable, Sendable, Equatable {
    /// What was noticed; the raw values are the strings users see in the run summary and catalog.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// An optional file of the layout is absent (tags.csv, links.csv, or one of the two genome
        /// files while the other is present): its table is empty or skipped.
        case missingOptionalFile = "missing_optional_file"
        /// The file's last line has no terminating newline: read as it stands, but a file cut
        /// short (e.g. inside a timestamp) looks the same.
        case noFinalNewline = "no_final_newline"
        /// The header ended with empty columns (a spreadsheet-saved file); they were dropped.
        case trailingEmptyColumnsDropped = "trailing_empty_columns_dropped"
    }

    public var kind: Kind
    /// Base name of the file concerned, e.g. `ratings.csv`.
    public var file: String
    /// One sentence for a human, naming the file and counts.
    public var message: String

    public init(kind: Kind, file: String, message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }
}
