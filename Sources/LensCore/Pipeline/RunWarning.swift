/// Something a run did that the user should know about although nothing failed: a missing
/// optional file, values capped, a file without a final newline. Listed in the text summary,
/// the JSON summary (`warnings`) and the catalog's `runs.warnings`.
public struct RunWarning: Codable, Sendable, Equatable {
    /// A closed set in practice: the `DropWarning` kinds of stage 1 plus `capped`.
    public var kind: String
    /// The input file it is about, when there is one.
    public var file: String?
    /// One sentence for a person.
    public var message: String

    public init(kind: String, file: String?, message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    /// One warning per cap that changed any value (PIPELINE.md's outlier capping).
    static func caps(_ c: CapCounts, config: PipelineConfig, ratingsFile: String) -> [RunWarning] {
        var out: [RunWarning] = []
        func add(_ n: Int, _ file: String, _ what: String) {
            guard n > 0 else { return }
            out.append(RunWarning(kind: "capped", file: file, message: "\(n) \(what)"))
        }
        add(c.ratingOutOfRange, ratingsFile, "rating\(c.ratingOutOfRange == 1 ? "" : "s") outside \(config.ratingMin)...\(config.ratingMax) capped into the range")
        add(c.ratingOffGrid, ratingsFile, "rating\(c.ratingOffGrid == 1 ? "" : "s") off the half-star grid rounded onto it")
        add(c.ratedAtBelow, ratingsFile, "rating time\(c.ratedAtBelow == 1 ? "" : "s") before clean.rated_at_min capped up to it")
        add(c.ratedAtAbove, ratingsFile, "rating time\(c.ratedAtAbove == 1 ? "" : "s") after the drop date + \(config.ratedAtMaxDaysAfterDrop) day(s) capped down to it")
        add(c.relevance, "genome-scores.csv", "genome relevance value\(c.relevance == 1 ? "" : "s") outside 0...1 capped into it")
        return out
    }
}
