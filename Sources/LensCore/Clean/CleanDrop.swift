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
    /// What a person should know about the files though no line was lost (a missing optional
    /// file, a last line without a newline, dropped empty columns), ordered by file as read.
    public var warnings: [DropWarning]
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
        var warnings: [DropWarning] = []
        var quarantine: [QuarantineRow] = []
        var reconciliation: [FileReconciliation] = []

        // movies first: every other file is checked against its ids (links and tags are optional).
        var movies = MoviesCleaner()
        try clean(source, "movies.csv", &movies, bom: &bom, warnings: &warnings)
        let (moviesTable, moviesCounts) = movies.finish()
        quarantine += movies.ledger.quarantine
        reconciliation.append(moviesCounts)
        progress?("movies.csv", moviesCounts.linesRead)
        let knownMovies = IdSet(moviesTable.movieId)

        // ratings on one thread; links, tags and the genome on another. The files are
        // independent once the movies are known, and each is read by one thread, so every
        // count, quarantine row and line number is what a sequential read gives; results and
        // errors are taken in the sequential order below (links, tags, ratings, genome).
        // `forkJoin`: each lane writes only its own cleaners, results, BOM and warning lists;
        // both only read `source` (immutable; each file opens its own reader), `knownMovies`
        // and `config`.
        let (lowTs, highTs) = try RatingsCleaner.timeWindow(config: config, dropDate: dropDate)
        let expected = Int((source.size(of: "ratings.csv") ?? 0) / 26)
        var ratings = RatingsCleaner(file: "ratings.csv", knownMovies: knownMovies, ratedAtMin: lowTs, ratedAtMax: highTs,
                                     ratingMin: config.ratingMin, ratingMax: config.ratingMax, expectedRows: expected)
        var ratingsResult: Result<(RatingsTable, FileReconciliation, CapCounts), Error>?
        var ratingsBOM: [String] = []
        var ratingsWarnings: [DropWarning] = []
        var links = LinksCleaner(knownMovies: knownMovies)
        // tags.csv lines average 35 bytes in GroupLens drops
        var tags = TagsCleaner(knownMovies: knownMovies, expectedRows: Int((source.size(of: "tags.csv") ?? 0) / 32))
        var linksAndTagsResult: Result<Void, Error>?
        var linksAndTagsBOM: [String] = []
        var linksAndTagsWarnings: [DropWarning] = []
        warnings += missingOptionalFiles(source)
        let hasGenome = source.contains("genome-tags.csv") && source.contains("genome-scores.csv")
        var genomeResult: Result<GenomeLane, Error>?
        var genomeBOM: [String] = []
        var genomeWarnings: [DropWarning] = []
        forkJoin(2) { lane in
            if lane == 0 {
                ratingsResult = Result {
                    try readLines(source, "ratings.csv", bom: &ratingsBOM, warnings: &ratingsWarnings) { line, number, raw in
                        ratings.consume(line, lineNumber: number, raw: raw)
                    } reject: { raw, number, reason in
                        ratings.reject(raw: String(decoding: raw, as: UTF8.self), lineNumber: number, reason: reason)
                    }
                    return ratings.finish()
                }
            } else {
                linksAndTagsResult = Result {
                    if source.contains("links.csv") {
                        try clean(source, "links.csv", &links, bom: &linksAndTagsBOM, warnings: &linksAndTagsWarnings)
                    }
                    if source.contains("tags.csv") {
                        try clean(source, "tags.csv", &tags, bom: &linksAndTagsBOM, warnings: &linksAndTagsWarnings)
                    }
                }
                if hasGenome, case .success = linksAndTagsResult! {
                    genomeResult = Result {
                        try cleanGenome(source, knownMovies: knownMovies, bom: &genomeBOM, warnings: &genomeWarnings)
                    }
                }
            }
        }
        try linksAndTagsResult!.get()
        bom += linksAndTagsBOM
        warnings += linksAndTagsWarnings
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
        warnings += ratingsWarnings
        progress?("ratings.csv", ratingsCounts.linesRead)

        // genome
        var genomeTags: GenomeTagsTable?
        var genomeScores: GenomeScoresTable?
        if let genome = try genomeResult?.get() {
            quarantine += genome.quarantine
            reconciliation += genome.reconciliation
            bom += genomeBOM
            warnings += genomeWarnings
            caps.relevance = genome.capped
            genomeTags = genome.tags
            genomeScores = genome.scores
        }
        quarantine.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        // by file in reading order (the lanes finish in any order), each file's own in order
        let fileOrder = ["movies.csv", "links.csv", "tags.csv", "ratings.csv", "genome-tags.csv", "genome-scores.csv"]
        warnings = warnings.enumerated().sorted {
            (fileOrder.firstIndex(of: $0.element.file) ?? fileOrder.count, $0.offset)
                < (fileOrder.firstIndex(of: $1.element.file) ?? fileOrder.count, $1.offset)
        }.map(\.element)
        return CleanedDrop(movies: moviesTable, links: linksTable, tags: tagsTable, ratings: ratingsTable,
                           genomeTags: genomeTags, genomeScores: genomeScores, users: nil, layout: .csv,
                           quarantine: quarantine, reconciliation: reconciliation, caps: caps,
                           unknownGenres: movies.unknownGenres, genreAliasesApplied: movies.aliasesApplied, dropDate: dropDate, dropDateSource: dropDateSource, filesWithBOM: bom,
                           warnings: warnings)
    }

    /// The optional files of a CSV-layout drop that it lacks: tags.csv, links.csv, and one genome
    /// file when the drop has the other (a drop with neither, as ml-latest-small, is complete).
    static func missingOptionalFiles(_ source: DropSource) -> [DropWarning] {
        var warnings: [DropWarning] = []
        for (name, table) in [("links.csv", "links"), ("tags.csv", "tags")] where !source.contains(name) {
            warnings.append(DropWarning(kind: .missingOptionalFile, file: name,
                                        message: "\(name): the drop has no \(name), so the \(table) table is empty"))
        }
        let genome = ["genome-tags.csv", "genome-scores.csv"]
        for (name, other) in [(genome[0], genome[1]), (genome[1], genome[0])] where !source.contains(name) && source.contains(other) {
            warnings.append(DropWarning(kind: .missingOptionalFile, file: name,
                                        message: "\(name): the drop has \(other) but no \(name), so the tag genome was skipped (\(other) was not read)"))
        }
        return warnings
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
    static func cleanGenome(_ source: DropSource, knownMovies: IdSet, bom: inout [String],
                            warnings: inout [DropWarning]) throws -> GenomeLane {
        var gt = GenomeTagsCleaner()
        try clean(source, "genome-tags.csv", &gt, bom: &bom, warnings: &warnings)
        let (gtTable, gtCounts) = gt.finish()
        var gs = GenomeScoresCleaner(knownMovies: knownMovies, knownTags: IdSet(gtTable.tagId))
        try readLines(source, "genome-scores.csv", bom: &bom, warnings: &warnings) { line, number, raw in
            gs.consume(line, lineNumber: number, raw: raw)
        } reject: { raw, number, reason in
            gs.ledger.counts.linesRead += 1
            gs.ledger.reject(String(decoding: raw, as: UTF8.self), line: number, reason: reason)
        }
        let (gsTable, gsCounts) = gs.finish()
        return GenomeLane(tags: gtTable, scores: gsTable, reconciliation: [gtCounts, gsCounts],
                          quarantine: gt.ledger.quarantine + gs.ledger.quarantine, capped: gs.capped)
    }

    /// The files read by `NumericLine` (unquoted numbers), as opposed to the quoted CSV files.
    static let numericFiles: Set<String> = ["ratings.csv", "genome-scores.csv"]

    /// Streams a file's data lines to `body` as (line to parse, physical line number, line as read),
    /// after checking its header when `hasHeader` (throws `LensError.input` for a wrong header or
    /// an empty file). The two lines differ only for a header that ends with k empty columns
    /// (`userId,movieId,rating,timestamp,,,,`, as a spreadsheet saves a file): each data line then
    /// loses its last k fields when they are empty, and goes to `reject` (the line as read, its
    /// number, the reason) when they are not. Reports those dropped columns and a last line
    /// without a newline in `warnings`, and a byte order mark in `bom`.
    ///
    /// Inlined so that each caller's `body` is inlined into its line loop, as the ratings loop
    /// needs: without it the optimizer stops specialising this (larger) function per closure, and
    /// the call through a closure per line cost 1.3% more instructions in stage 1 (callgrind, 1M
    /// ratings). The header and the spreadsheet path are functions of their own, out of the loop.
    @inline(__always)
    static func readLines(_ source: DropSource, _ name: String, bom: inout [String], warnings: inout [DropWarning],
                          hasHeader: Bool = true,
                          _ body: (UnsafeRawBufferPointer, Int, UnsafeRawBufferPointer) throws -> Void,
                          reject: (UnsafeRawBufferPointer, Int, RejectReason) -> Void) throws {
        let (reader, trailing) = try openLines(source, name, hasHeader: hasHeader)
        if trailing == 0 {
            // every GroupLens file: the lines go to `body` untouched, with no per-line check here
            try reader.forEachLine { line, number in try body(line, number, line) }
        } else {
            try readDroppingEmptyColumns(reader, name, trailing: trailing, warnings: &warnings, body, reject: reject)
        }
        if reader.lastLineUnterminated {
            warnings.append(DropWarning(
                kind: .noFinalNewline, file: name,
                message: "\(name): line \(reader.lineNumber), the last, has no final newline; it was read as it stands, but a file cut short looks the same, so check that the file is complete"))
        }
        if reader.sawBOM { bom.append(name) }
    }

    /// A reader of `name` past its header (checked when `hasHeader`), and how many empty
    /// columns the header ends with. Throws `LensError.input` for an empty file or a wrong header.
    @inline(never)
    static func openLines(_ source: DropSource, _ name: String, hasHeader: Bool) throws -> (LineReader, Int) {
        let reader = LineReader(source: try source.open(name))
        guard hasHeader else { return (reader, 0) }
        guard let header = try reader.nextLine() else {
            throw LensError.input(file: source.displayPath(for: name), line: 1, message: "the file is empty; expected the header \(headers[name] ?? "")")
        }
        return (reader, try checkHeader(header, file: name, source: source))
    }

    /// `readLines` for a header that ends with `trailing` empty columns: each line without them
    /// goes to `body`, a line whose last `trailing` fields are not all empty to `reject`; one
    /// `trailing_empty_columns_dropped` warning counts both.
    @inline(never)
    static func readDroppingEmptyColumns(_ reader: LineReader, _ name: String, trailing: Int, warnings: inout [DropWarning],
                                         _ body: (UnsafeRawBufferPointer, Int, UnsafeRawBufferPointer) throws -> Void,
                                         reject: (UnsafeRawBufferPointer, Int, RejectReason) -> Void) throws {
        let fields = (headers[name] ?? "").utf8.reduce(1) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
        let numeric = numericFiles.contains(name)
        var lines = 0
        var heldValue = 0
        try reader.forEachLine { line, number in
            lines += 1
            if let kept = droppingEmptyTrailingFields(line, count: trailing) { return try body(kept, number, line) }
            let reason = trailingMismatch(line, numeric: numeric, fields: fields, trailing: trailing)
            if reason == .trailingValue { heldValue += 1 }
            reject(line, number, reason)
        }
        warnings.append(DropWarning(
            kind: .trailingEmptyColumnsDropped, file: name,
            message: "\(name): dropped the \(trailing) empty column\(trailing == 1 ? "" : "s") the header ends with (as a spreadsheet saves a file); "
                + "\(heldValue) of \(lines) data line\(lines == 1 ? "" : "s") held a value there and \(heldValue == 1 ? "was" : "were") quarantined as trailing_value"))
    }

    /// `line` without its last `count` bytes when they are all commas, i.e. without its last
    /// `count` fields when those are empty; nil otherwise.
    @inline(__always)
    static func droppingEmptyTrailingFields(_ line: UnsafeRawBufferPointer, count: Int) -> UnsafeRawBufferPointer? {
        let n = line.count
        guard n >= count else { return nil }
        for i in (n - count)..<n where line[i] != UInt8(ascii: ",") { return nil }
        return UnsafeRawBufferPointer(rebasing: line[0..<(n - count)])
    }

    /// Why a line whose last `trailing` fields are not all empty is rejected: `nul_byte`; for a
    /// quoted file `invalid_utf8` or `bad_quote` as its cleaner would say; then `trailing_value`
    /// when it has the header's `fields + trailing` fields (a dropped column holds a value, even
    /// `""`), else `field_count`.
    static func trailingMismatch(_ line: UnsafeRawBufferPointer, numeric: Bool, fields: Int, trailing: Int) -> RejectReason {
        if NulByte.isIn(line) { return .nulByte }
        let count: Int
        if numeric {
            count = line.reduce(1) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
        } else {
            guard UTF8Validation.isValid(line) else { return .invalidUTF8 }
            var split: [String] = []
            var scratch: [UInt8] = []
            if let reason = splitCSVRecord(line, into: &split, scratch: &scratch) { return reason }
            count = split.count
        }
        return count == fields + trailing ? .trailingValue : .fieldCount
    }

    /// Streams a quoted CSV file into `cleaner`: each data line split into fields (checked for NUL
    /// bytes, then UTF-8), or counted and quarantined with the reason when it cannot be split.
    static func clean<C: QuotedFileCleaner>(_ source: DropSource, _ name: String, _ cleaner: inout C,
                                            bom: inout [String], warnings: inout [DropWarning]) throws {
        var fields: [String] = []
        var scratch: [UInt8] = []
        try readLines(source, name, bom: &bom, warnings: &warnings) { line, number, raw in
            // The line's text is made only for the quarantine (a rejected line).
            let reason = NulByte.isIn(line) ? .nulByte
                : UTF8Validation.isValid(line) ? splitCSVRecord(line, into: &fields, scratch: &scratch) : .invalidUTF8
            guard let reason else { return cleaner.consume(fields: fields, raw: String(decoding: raw, as: UTF8.self), line: number) }
            cleaner.ledger.counts.linesRead += 1
            cleaner.ledger.reject(String(decoding: raw, as: UTF8.self), line: number, reason: reason)
        } reject: { raw, number, reason in
            cleaner.ledger.counts.linesRead += 1
            cleaner.ledger.reject(String(decoding: raw, as: UTF8.self), line: number, reason: reason)
        }
    }

    /// A wrong header is fatal: the columns would be misread. Returns how many empty columns the
    /// header ends with after the expected ones (a spreadsheet-saved file), 0 for the exact header;
    /// a NUL in a wrong header is shown as U+FFFD, so that the error can be printed and stored.
    static func checkHeader(_ line: UnsafeRawBufferPointer, file: String, source: DropSource) throws -> Int {
        guard let expected = headers[file] else { return 0 }
        let got = String(decoding: line, as: UTF8.self)
        if got == expected { return 0 }
        let rest = got.utf8.dropFirst(expected.utf8.count)
        if got.utf8.starts(with: expected.utf8), !rest.isEmpty, rest.allSatisfy({ $0 == UInt8(ascii: ",") }) {
            return rest.count
        }
        throw LensError.input(file: source.displayPath(for: file), line: 1,
                              message: "unexpected header \"\(QuarantineRow.replacingNul(got))\"; expected \"\(expected)\" (a renamed or reordered column cannot be read safely)")
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
