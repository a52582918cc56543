/// Something stage 1 noticed about a drop's files that loses no line but that a person should
/// know: a file the drop lacks, a last line that may have been cut, columns that were dropped,
/// values capped. Listed in the run summary, the JSON summary, manifest.json and `runs.warnings`.
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
        /// A cap of PIPELINE.md's outlier capping changed values (ratings, times, relevance).
        case capped
        /// Noticed by the load, not stage 1: the server has pgvector but this load could not use
        /// it (not permitted to create the extension, a version without HNSW), so
        /// movie_embeddings has no embedding_vector and movies_like scores every movie.
        case pgvectorUnused = "pgvector_unused"
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

extension DropWarning {
    /// One warning per cap that changed any value (PIPELINE.md's outlier capping).
    static func caps(_ c: CapCounts, config: PipelineConfig, ratingsFile: String) -> [DropWarning] {
        var out: [DropWarning] = []
        func add(_ n: Int, _ file: String, _ what: String) {
            guard n > 0 else { return }
            out.append(DropWarning(kind: .capped, file: file, message: "\(n) \(what)"))
        }
        add(c.ratingOutOfRange, ratingsFile, "rating\(c.ratingOutOfRange == 1 ? "" : "s") outside \(config.ratingMin)...\(config.ratingMax) capped into the range")
        add(c.ratingOffGrid, ratingsFile, "rating\(c.ratingOffGrid == 1 ? "" : "s") off the half-star grid rounded onto it")
        add(c.ratedAtBelow, ratingsFile, "rating time\(c.ratedAtBelow == 1 ? "" : "s") before clean.rated_at_min capped up to it")
        add(c.ratedAtAbove, ratingsFile, "rating time\(c.ratedAtAbove == 1 ? "" : "s") after the drop date + \(config.ratedAtMaxDaysAfterDrop) day(s) capped down to it")
        add(c.relevance, "genome-scores.csv", "genome relevance value\(c.relevance == 1 ? "" : "s") outside 0...1 capped into it")
        return out
    }
}
