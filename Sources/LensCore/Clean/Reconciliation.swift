/// Why a row went to the quarantine: a closed set, with the strings users see in the
/// quarantine table. The order of the numeric checks is the contract's:
/// field_count > blank_field > unparseable > nonpositive_id; `nul_byte` comes before them all.
public enum RejectReason: String, Codable, Sendable, CaseIterable, Error {
    /// The line has more or fewer fields than the header.
    case fieldCount = "field_count"
    /// A required field is empty or only blanks.
    case blankField = "blank_field"
    /// A field is not a number of the expected kind (or overflows, or is not finite).
    case unparseable = "unparseable"
    /// An id is zero or negative.
    case nonpositiveId = "nonpositive_id"
    /// A tag that is empty after trimming.
    case emptyTag = "empty_tag"
    /// A quote in the middle of an unquoted field, or a quoted field that never ends.
    case badQuote = "bad_quote"
    /// Bytes that are not UTF-8 (after the drop's declared encoding is applied).
    case invalidUTF8 = "invalid_utf8"
    /// The row names a movie (or genome tag) that the cleaned movies (tags) do not have.
    case orphan = "orphan"
    /// The line holds a NUL byte (0x00), which no PostgreSQL text can store: checked before
    /// anything else, in every file and column, so that such a line cannot reach the COPY.
    case nulByte = "nul_byte"
    /// A value in one of the empty columns a header ends with (`userId,movieId,rating,timestamp,,`,
    /// as a spreadsheet saves a file): those columns are dropped, so the value would be lost.
    case trailingValue = "trailing_value"
}

/// One quarantined input row: where it came from, what it said, why it was set aside.
public struct QuarantineRow: Sendable, Equatable {
    /// Base name of the input file, e.g. `ratings.csv`.
    public var file: String
    /// Physical line number (the header is line 1).
    public var line: Int64
    /// The line as read, without its line ending (invalid bytes and NUL bytes shown as U+FFFD).
    public var raw: String
    public var reason: RejectReason
    /// A NUL in `raw` becomes U+FFFD: the quarantine is itself written to PostgreSQL, whose text
    /// cannot hold a NUL.
    public init(file: String, line: Int64, raw: String, reason: RejectReason) {
        self.file = file
        self.line = line
        self.raw = raw.utf8.contains(0) ? Self.replacingNul(raw) : raw
        self.reason = reason
    }

    /// `text` with every NUL replaced by U+FFFD.
    static func replacingNul(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.lazy.map { $0 == "\0" ? "\u{FFFD}" : $0 })
        return String(scalars)
    }
}

/// Where every data line of one input file ended up. `reconciled` holds when
/// lines read = clean + rejected + duplicates + superseded + orphans.
public struct FileReconciliation: Codable, Sendable, Equatable {
    public var file: String
    public var linesRead = 0
    public var clean = 0
    public var rejected = 0
    public var duplicates = 0
    public var superseded = 0
    public var orphans = 0
    public init(file: String) { self.file = file }
    public var reconciled: Bool { linesRead == clean + rejected + duplicates + superseded + orphans }

    enum CodingKeys: String, CodingKey {
        case file, linesRead = "lines_read", clean, rejected, duplicates, superseded, orphans, reconciled
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        linesRead = try c.decode(Int.self, forKey: .linesRead)
        clean = try c.decode(Int.self, forKey: .clean)
        rejected = try c.decode(Int.self, forKey: .rejected)
        duplicates = try c.decode(Int.self, forKey: .duplicates)
        superseded = try c.decode(Int.self, forKey: .superseded)
        orphans = try c.decode(Int.self, forKey: .orphans)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(linesRead, forKey: .linesRead)
        try c.encode(clean, forKey: .clean)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(superseded, forKey: .superseded)
        try c.encode(orphans, forKey: .orphans)
        try c.encode(reconciled, forKey: .reconciled)
    }
}

/// How many values capping changed, per rule (counted over the rows that stay clean).
public struct CapCounts: Codable, Sendable, Equatable {
    public var ratingOutOfRange = 0
    public var ratingOffGrid = 0
    public var ratedAtBelow = 0
    public var ratedAtAbove = 0
    public var relevance = 0
    public init() {}
    enum CodingKeys: String, CodingKey {
        case ratingOutOfRange = "rating_out_of_range", ratingOffGrid = "rating_off_grid"
        case ratedAtBelow = "rated_at_below", ratedAtAbove = "rated_at_above", relevance
    }
}
