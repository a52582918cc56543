import Foundation

/// Everything stage 1 produces from one CSV-layout drop.
public struct CleanedDrop: Sendable {
    public var movies: MoviesTable
    public var links: LinksTable
    public var tags: TagsTable
    public var ratings: RatingsTable
    /// Present when the drop has a tag genome.
    public var genomeTags: GenomeTagsTable?
    public var genomeScores: GenomeScoresTable?
    /// Demographics, for the drops that have them (ml-100k, ml-1m).
    public var users: UsersTable?
    /// The layout the drop was read as.
    public var layout: DropLayout
    /// Rejected and orphan rows of every file, ordered by file then line.
    public var quarantine: [QuarantineRow]
    /// Per input file, in reading order.
    public var reconciliation: [FileReconciliation]
    public var caps: CapCounts
    /// Genres outside the MovieLens vocabulary and how many movies carry each.
    public var unknownGenres: [String: Int]
    /// Older genre names mapped onto the vocabulary ("Children's" -> "Children"), per name: movies affected.
    public var genreAliasesApplied: [String: Int]
    /// The drop date used for capping timestamps (YYYY-MM-DD) and where it came from.
    public var dropDate: String
    public var dropDateSource: String
    /// Files that started with a UTF-8 byte order mark (stripped).
    public var filesWithBOM: [String]
    /// True when every file reconciles.
    public var reconciled: Bool { reconciliation.allSatisfy(\.reconciled) }
}

/// Stage 1 over a whole drop: reads movies first (orphan checks need them), then links, tags,
/// ratings and the genome, each streamed line by line from the folder or zip.
public enum CleanDrop {
    /// The header each CSV file must have, exactly (after a BOM is stripped).
    static let headers: [String: String] = [
        "movies.csv": "movieId,title,genres",
        "links.csv": "movieId,imdbId,tmdbId",
        "tags.csv": "userId,movieId,tag,timestamp",
        "ratings.csv": "userId,movieId,rating,timestamp",
        "genome-tags.csv": "tagId,tag",
        "genome-scores.csv": "movieId,tagId,relevance",
    ]

    /// Cleans the drop. Throws `LensError.input` for a missing required file or a wrong
    /// header (naming the file and line 1), and passes on ingest errors (damaged zip, I/O).
    /// Row-level problems never throw: they are quarantined and counted.
    public static func run(source: DropSource, config: PipelineConfig,
                           progress: ((String, Int) -> Void)? = nil) throws -> CleanedDrop {
        let layout = try DropLayout.detect(source)
        if layout != .csv { return try CleanLegacyDrop.run(source: source, layout: layout, config: config) }
        for required in layout.requiredFiles where !source.contains(required) {
            throw LensError.input(file: source.displayPath(for: required), line: nil,
                                  message: "the drop has no \(required) (is this a MovieLens CSV-layout drop? expected movies.csv, ratings.csv, tags.csv, links.csv)")
        }
        let (dropDate, dropDateSource) = try resolveDropDate(source: source, override: config.dropDate)
        var bom: [String] = []
        var quarantine: [QuarantineRow] = []
        var reconciliation: [FileReconciliation] = []

        // movies first: every other file is checked against its ids (links and tags are optional).
        var movies = MoviesCleaner()
        try clean(source, "movies.csv", &movies, bom: &bom)
        let (moviesTable, moviesCounts) = movies.finish()
        quarantine += movies.ledger.quarantine
        reconciliation.append(moviesCounts)
        progress?("movies.csv", moviesCounts.linesRead)
        let knownMovies = IdSet(moviesTable.movieId)

        // ratings on one thread; links, tags and the genome on another. The files are
        // independent once the movies are known, and each is read by one thread, so every
        // count, quarantine row and line number is what a sequential read gives; results and
        // errors are taken in the sequential order below (links, tags, ratings, genome).
        let (lowTs, highTs) = try RatingsCleaner.timeWindow(config: config, dropDate: dropDate)
        let expected = Int((source.size(of: "ratings.csv") ?? 0) / 26)
        var ratings = RatingsCleaner(file: "ratings.csv", knownMovies: knownMovies, ratedAtMin: lowTs, ratedAtMax: highTs,
                                     ratingMin: config.ratingMin, ratingMax: config.ratingMax, expectedRows: expected)
        var ratingsResult: Result<(RatingsTable, FileReconciliation, CapCounts), Error>?
        var ratingsBOM: [String] = []
        var links = LinksCleaner(knownMovies: knownMovies)
        // tags.csv lines average 35 bytes in GroupLens drops
        var tags = TagsCleaner(knownMovies: knownMovies, expectedRows: Int((source.size(of: "tags.csv") ?? 0) / 32))
        var linksAndTagsResult: Result<Void, Error>?
        var linksAndTagsBOM: [String] = []
        let hasGenome = source.contains("genome-tags.csv") && source.contains("genome-scores.csv")
        var genomeResult: Result<GenomeLane, Error>?
        var genomeBOM: [String] = []
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            if lane == 0 {
                ratingsResult = Result {
                    try readLines(source, "ratings.csv", bom: &ratingsBOM) { line, number in
                        ratings.consume(line, lineNumber: number)
                    }
                    return ratings.finish()
                }
            } else {
                linksAndTagsResult = Result {
                    if source.contains("links.csv") { try clean(source, "links.csv", &links, bom: &linksAndTagsBOM) }
                    if source.contains("tags.csv") { try clean(source, "tags.csv", &tags, bom: &linksAndTagsBOM) }
                }
                if hasGenome, case .success = linksAndTagsResult! {
                    genomeResult = Result { try cleanGenome(source, knownMovies: knownMovies, bom: &genomeBOM) }
                }
            }
        }
        try linksAndTagsResult!.get()
        bom += linksAndTagsBOM
        let (linksTable, linksCounts) = links.finish()
        let (tagsTable, tagsCounts) = tags.finish()
        for (name, ledger, counts) in [("links.csv", links.ledger, linksCounts), ("tags.csv", tags.ledger, tagsCounts)]
            where source.contains(name) {
            quarantine += ledger.quarantine
            reconciliation.append(counts)
        }

        let (ratingsTable, ratingsCounts, caps0) = try ratingsResult!.get()
        var caps = caps0
        quarantine += ratings.quarantine
        reconciliation.append(ratingsCounts)
        bom += ratingsBOM
        progress?("ratings.csv", ratingsCounts.linesRead)

        // genome
        var genomeTags: GenomeTagsTable?
        var genomeScores: GenomeScoresTable?
        if let genome = try genomeResult?.get() {
            quarantine += genome.quarantine
            reconciliation += genome.reconciliation
            bom += genomeBOM
            caps.relevance = genome.capped
            genomeTags = genome.tags
            genomeScores = genome.scores
        }
        quarantine.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        return CleanedDrop(movies: moviesTable, links: linksTable, tags: tagsTable, ratings: ratingsTable,
                           genomeTags: genomeTags, genomeScores: genomeScores, users: nil, layout: .csv,
                           quarantine: quarantine, reconciliation: reconciliation, caps: caps,
                           unknownGenres: movies.unknownGenres, genreAliasesApplied: movies.aliasesApplied, dropDate: dropDate, dropDateSource: dropDateSource, filesWithBOM: bom)
    }

    /// The drop date: the override, else README.txt's "generated on <Month> <d>, <yyyy>",
    /// else the newest file's modification date (UTC).
    static func resolveDropDate(source: DropSource, override: String?) throws -> (String, String) {
        if let override { return (override, "pipeline/flag") }
        if source.contains("README.txt") {
            let bytes = try source.readSmallFile("README.txt", limit: 1 << 20)
            let text = String(decoding: bytes, as: UTF8.self)
            if let date = parseGeneratedOn(text) { return (date, "README.txt") }
        }
        let date = source.modificationDate ?? Date(timeIntervalSince1970: 0)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: date)
        return (String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!), "newest file date")
    }

    /// "generated on September 26, 2018" -> "2018-09-26".
    static func parseGeneratedOn(_ text: String) -> String? {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        guard let r = text.range(of: "generated on ") else { return nil }
        let words = text[r.upperBound...].prefix(40).split(whereSeparator: { $0 == " " || $0 == "," || $0 == "." || $0 == "\n" })
        guard words.count >= 3, let m = months.firstIndex(of: String(words[0])), let d = Int(words[1]), let y = Int(words[2]),
              (1...31).contains(d), (1900...2999).contains(y)
        else { return nil }
        return String(format: "%04d-%02d-%02d", y, m + 1, d)
    }

    /// Streams a numeric file's data lines (after checking its header) to `body`.
    /// What `cleanGenome` returns: both genome tables, their reconciliation rows (tags, then
    /// scores) and quarantine, and the relevance values capped.
    struct GenomeLane {
        var tags: GenomeTagsTable
        var scores: GenomeScoresTable
        var reconciliation: [FileReconciliation]
        var quarantine: [QuarantineRow]
        var capped: Int
    }

    /// Cleans genome-tags.csv then genome-scores.csv (scores of unknown movies or tags quarantined).
    static func cleanGenome(_ source: DropSource, knownMovies: IdSet, bom: inout [String]) throws -> GenomeLane {
        var gt = GenomeTagsCleaner()
        try clean(source, "genome-tags.csv", &gt, bom: &bom)
        let (gtTable, gtCounts) = gt.finish()
        var gs = GenomeScoresCleaner(knownMovies: knownMovies, knownTags: IdSet(gtTable.tagId))
        try readLines(source, "genome-scores.csv", bom: &bom) { line, number in
            gs.consume(line, lineNumber: number)
        }
        let (gsTable, gsCounts) = gs.finish()
        return GenomeLane(tags: gtTable, scores: gsTable, reconciliation: [gtCounts, gsCounts],
                          quarantine: gt.ledger.quarantine + gs.ledger.quarantine, capped: gs.capped)
    }

    static func readLines(_ source: DropSource, _ name: String, bom: inout [String], hasHeader: Bool = true,
                          _ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        let reader = LineReader(source: try source.open(name))
        var headerSeen = !hasHeader
        try reader.forEachLine { line, number in
            if !headerSeen {
                headerSeen = true
                try checkHeader(line, file: name, source: source)
                return
            }
            try body(line, number)
        }
        if !headerSeen && hasHeader {
            throw LensError.input(file: source.displayPath(for: name), line: 1, message: "the file is empty; expected the header \(headers[name] ?? "")")
        }
        if reader.sawBOM { bom.append(name) }
    }

    /// Streams a quoted CSV file into `cleaner`: each data line split into fields (UTF-8
    /// checked), or counted and quarantined with the reason when it cannot be split.
    static func clean<C: QuotedFileCleaner>(_ source: DropSource, _ name: String, _ cleaner: inout C,
                                            bom: inout [String]) throws {
        var fields: [String] = []
        var scratch: [UInt8] = []
        try readLines(source, name, bom: &bom) { line, number in
            // The line's text is made only for the quarantine (a rejected line).
            let reason = UTF8Validation.isValid(line) ? splitCSVRecord(line, into: &fields, scratch: &scratch) : .invalidUTF8
            guard let reason else { return cleaner.consume(fields: fields, raw: String(decoding: line, as: UTF8.self), line: number) }
            cleaner.ledger.counts.linesRead += 1
            cleaner.ledger.reject(String(decoding: line, as: UTF8.self), line: number, reason: reason)
        }
    }

    /// A wrong header is fatal: the columns would be misread.
    static func checkHeader(_ line: UnsafeRawBufferPointer, file: String, source: DropSource) throws {
        guard let expected = headers[file] else { return }
        let got = String(decoding: line, as: UTF8.self)
        if got != expected {
            throw LensError.input(file: source.displayPath(for: file), line: 1,
                                  message: "unexpected header \"\(got)\"; expected \"\(expected)\" (a renamed or reordered column cannot be read safely)")
        }
    }
}

extension String {
    /// The bytes as a String when they are valid UTF-8; nil otherwise (never replaces bytes).
    init?(validatingUTF8Bytes bytes: UnsafeRawBufferPointer) {
        guard UTF8Validation.isValid(bytes) else { return nil }
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Splits one RFC 4180 record (no embedded newlines), given as valid UTF-8 bytes, into `fields`
/// (emptied first); `""` inside quotes is a quote. Returns nil, or `bad_quote` for a quote inside
/// an unquoted field, text after a closing quote, or an unterminated quote. `scratch` holds a
/// quoted field while it is unescaped: the quoted-file cleaners reuse both arrays line after
/// line, so an unquoted field costs one String and nothing else.
func splitCSVRecord(_ bytes: UnsafeRawBufferPointer, into fields: inout [String], scratch current: inout [UInt8]) -> RejectReason? {
    fields.removeAll(keepingCapacity: true)
    var i = 0
    let n = bytes.count
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
    while true {
        if i < n && bytes[i] == quote {
            current.removeAll(keepingCapacity: true)
            i += 1
            var closed = false
            while i < n {
                if bytes[i] == quote {
                    if i + 1 < n && bytes[i + 1] == quote {
                        current.append(quote)
                        i += 2
                        continue
                    }
                    closed = true
                    i += 1
                    break
                }
                current.append(bytes[i])
                i += 1
            }
            guard closed, i == n || bytes[i] == comma else { return .badQuote }
            fields.append(String(decoding: current, as: UTF8.self))
        } else {
            let start = i
            while i < n && bytes[i] != comma {
                if bytes[i] == quote { return .badQuote }
                i += 1
            }
            fields.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
        }
        if i >= n { break }
        i += 1  // the comma
    }
    return nil
}
