/// Stage 1 for the older layouts (ml-100k, ml-1m, ml-10m), mapped onto the same cleaned tables
/// as the CSV layout: their files have no header, other separators (tab, `|`, `::`), Latin-1 text
/// (ml-100k, ml-1m) and older genre names. Every line is counted and every reject quarantined
/// with the file's real name, as for the CSV layout.
enum CleanLegacyDrop {
    /// ml-100k's genre flag columns of `u.item`, in order (as its `u.genre` lists them).
    static let ml100kGenres = [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
        "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ]

    /// Cleans a drop of an older layout. Throws like `CleanDrop.run`.
    static func run(source: DropSource, layout: DropLayout, config: PipelineConfig) throws -> CleanedDrop {
        let (dropDate, dropDateSource) = try CleanDrop.resolveDropDate(source: source, override: config.dropDate)
        var bom: [String] = []
        var warnings: [DropWarning] = []
        var quarantine: [QuarantineRow] = []
        var reconciliation: [FileReconciliation] = []
        let dat = layout != .ml100k
        let latin1 = layout.isLatin1

        // movies
        let moviesFile = dat ? "movies.dat" : "u.item"
        var movies = MoviesCleaner(file: moviesFile, aliases: GenreVocabulary.aliases)
        try readTextLines(source, moviesFile, separator: dat ? "::" : "|", latin1: latin1, ledger: \.ledger, of: &movies,
                          bom: &bom, warnings: &warnings) { movies, fields, raw, line in
            if dat { return movies.consume(fields: fields, raw: raw, line: line) }
            // u.item: id|title|release date|video release date|IMDb URL|19 genre flags.
            guard fields.count == 5 + ml100kGenres.count else {
                movies.ledger.counts.linesRead += 1
                return movies.ledger.reject(raw, line: line, reason: .fieldCount)
            }
            var names: [String] = []
            for (i, flag) in fields[5...].enumerated() {
                switch flag.trimmingBlanks() {
                case "1": names.append(ml100kGenres[i])
                case "0": continue
                default:
                    movies.ledger.counts.linesRead += 1
                    return movies.ledger.reject(raw, line: line, reason: flag.trimmingBlanks().isEmpty ? .blankField : .unparseable)
                }
            }
            movies.consume(fields: [fields[0], fields[1], names.joined(separator: "|")], raw: raw, line: line)
        }
        let (moviesTable, moviesCounts) = movies.finish()
        quarantine += movies.ledger.quarantine
        reconciliation.append(moviesCounts)
        let knownMovies = IdSet(moviesTable.movieId)

        // ratings: u.data is tab separated; the `::` of ratings.dat become single ':' for the parser.
        let ratingsFile = dat ? "ratings.dat" : "u.data"
        let (lowTs, highTs) = try RatingsCleaner.timeWindow(config: config, dropDate: dropDate)
        var ratings = RatingsCleaner(file: ratingsFile, knownMovies: knownMovies, ratedAtMin: lowTs, ratedAtMax: highTs,
                                     ratingMin: config.ratingMin, ratingMax: config.ratingMax,
                                     expectedRows: Int((source.size(of: ratingsFile) ?? 0) / 20))
        ratings.separator = dat ? UInt8(ascii: ":") : UInt8(ascii: "\t")
        var scratch: [UInt8] = []
        try CleanDrop.readLines(source, ratingsFile, bom: &bom, warnings: &warnings, hasHeader: false) { line, number, _ in
            guard dat else { return ratings.consume(line, lineNumber: number) }
            collapseDoubleColons(line, into: &scratch)
            scratch.withUnsafeBytes { ratings.consume($0, lineNumber: number, raw: line) }
        } reject: { raw, number, reason in
            ratings.reject(raw: String(decoding: raw, as: UTF8.self), lineNumber: number, reason: reason)
        }
        let (ratingsTable, ratingsCounts, caps) = ratings.finish()
        quarantine += ratings.quarantine
        reconciliation.append(ratingsCounts)

        // tags (ml-10m)
        var tags = TagsCleaner(knownMovies: knownMovies, file: "tags.dat")
        if dat && source.contains("tags.dat") {
            try readTextLines(source, "tags.dat", separator: "::", latin1: latin1, ledger: \.ledger, of: &tags, bom: &bom,
                              warnings: &warnings) {
                tags, fields, raw, line in tags.consume(fields: fields, raw: raw, line: line)
            }
            quarantine += tags.ledger.quarantine
        }
        let (tagsTable, tagsCounts) = tags.finish()
        if dat && source.contains("tags.dat") { reconciliation.append(tagsCounts) }

        // users (ml-100k u.user, ml-1m users.dat)
        var usersTable: UsersTable?
        let usersFile = dat ? "users.dat" : "u.user"
        if source.contains(usersFile) {
            var users = UsersCleaner(file: usersFile,
                                     positions: dat ? (gender: 1, age: 2, occupation: 3, zip: 4) : (gender: 2, age: 1, occupation: 3, zip: 4))
            try readTextLines(source, usersFile, separator: dat ? "::" : "|", latin1: latin1, ledger: \.ledger, of: &users,
                              bom: &bom, warnings: &warnings) { users, fields, raw, line in users.consume(fields: fields, raw: raw, line: line) }
            let (t, counts) = users.finish()
            quarantine += users.ledger.quarantine
            reconciliation.append(counts)
            usersTable = t
        }
        quarantine.sort { ($0.file, $0.line) < ($1.file, $1.line) }
        return CleanedDrop(movies: moviesTable, links: LinksTable(), tags: tagsTable, ratings: ratingsTable,
                           genomeTags: nil, genomeScores: nil, users: usersTable, layout: layout, quarantine: quarantine,
                           reconciliation: reconciliation, caps: caps, unknownGenres: movies.unknownGenres,
                           genreAliasesApplied: movies.aliasesApplied, dropDate: dropDate, dropDateSource: dropDateSource,
                           filesWithBOM: bom, warnings: warnings)
    }

    /// Streams a headerless text file split on `separator`: each line checked for NUL bytes
    /// (quarantined as `nul_byte`: Latin-1 would turn 0x00 into U+0000, which PostgreSQL text
    /// cannot hold), decoded (Latin-1, or checked UTF-8: an invalid line is quarantined as
    /// `invalid_utf8`) and handed to `body`.
    static func readTextLines<C>(_ source: DropSource, _ name: String, separator: String, latin1: Bool,
                                 ledger: WritableKeyPath<C, SmallFileLedger>, of cleaner: inout C, bom: inout [String],
                                 warnings: inout [DropWarning], _ body: (inout C, [String], String, Int) -> Void) throws {
        func reject(_ line: UnsafeRawBufferPointer, _ number: Int, _ reason: RejectReason) {
            cleaner[keyPath: ledger].counts.linesRead += 1
            let raw = latin1 ? Latin1.string(line) : String(decoding: line, as: UTF8.self)
            cleaner[keyPath: ledger].reject(raw, line: number, reason: reason)
        }
        try CleanDrop.readLines(source, name, bom: &bom, warnings: &warnings, hasHeader: false) { line, number, _ in
            if NulByte.isIn(line) { return reject(line, number, .nulByte) }
            guard let text = latin1 ? Latin1.string(line) : String(validatingUTF8Bytes: line) else {
                return reject(line, number, .invalidUTF8)
            }
            body(&cleaner, text.components(separatedBy: separator), text, number)
        } reject: { line, number, reason in
            reject(line, number, reason)
        }
    }

    /// `a::b::c` -> `a:b:c` (MovieLens values never hold a colon in the numeric files).
    static func collapseDoubleColons(_ line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        let n = line.count
        while i < n {
            let b = line[i]
            out.append(b)
            i += (b == UInt8(ascii: ":") && i + 1 < n && line[i + 1] == UInt8(ascii: ":")) ? 2 : 1
        }
    }
}
