/// PIPELINE.md stage 1 for the quoted CSV files: movies, links, tags and genome-tags, one
/// line at a time. Each cleaner counts every data line into its `FileReconciliation` and puts
/// rejected and orphan rows in its quarantine with file, line, raw text and reason.

/// Reads a positive 32-bit id field (trimmed), giving the contract's reason when it is not one.
func parseIdField(_ field: String) -> Result<Int32, RejectReason> {
    if let v = field.plainDigitsValue(maxDigits: 9) { return v == 0 ? .failure(.nonpositiveId) : .success(Int32(v)) }
    let t = field.trimmingBlanks()
    if t.isEmpty { return .failure(.blankField) }
    guard let v = Int64(t.hasPrefix("+") ? String(t.dropFirst()) : t), v <= Int64(Int32.max) else {
        return .failure(.unparseable)
    }
    return v <= 0 ? .failure(.nonpositiveId) : .success(Int32(v))
}

extension String {
    /// The value of a field of 1 to `maxDigits` (at most 15) ASCII digits and nothing else (no
    /// sign, no blank), read by the numeric files' digit loop: the fast path of the id and time
    /// parsers, which give the same value for such a field; nil for anything else.
    @inline(__always)
    func plainDigitsValue(maxDigits: Int) -> Int64? {
        utf8.withContiguousStorageIfAvailable { b -> Int64? in
            guard let p = b.baseAddress, b.count <= maxDigits else { return nil }
            var i = 0
            guard let v = NumericLine.unsignedField(UnsafeRawPointer(p), b.count, &i), i == b.count else { return nil }
            return v
        } ?? nil
    }

    /// The string without leading and trailing spaces, tabs, CR and LF (the contract's trim set).
    func trimmingBlanks() -> String {
        let u = utf8
        var lo = u.startIndex
        var hi = u.endIndex
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        while lo < hi, blank(u[lo]) { lo = u.index(after: lo) }
        while hi > lo, blank(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        if lo == u.startIndex && hi == u.endIndex { return self }
        return String(self[lo..<hi])
    }
}

/// Shared bookkeeping of a small-file cleaner.
struct SmallFileLedger {
    var counts: FileReconciliation
    var quarantine: [QuarantineRow] = []
    init(file: String) { counts = FileReconciliation(file: file) }

    /// Quarantines a line already counted as read.
    mutating func reject(_ raw: String, line: Int, reason: RejectReason) {
        if reason == .orphan { counts.orphans += 1 } else { counts.rejected += 1 }
        quarantine.append(QuarantineRow(file: counts.file, line: Int64(line), raw: raw, reason: reason))
    }
}

/// A cleaner of a quoted CSV file: takes each data line split into fields.
protocol QuotedFileCleaner {
    var ledger: SmallFileLedger { get set }
    /// Takes one data line's fields (and its raw text and physical line number).
    mutating func consume(fields: [String], raw: @autoclosure () -> String, line: Int)
}

/// `order` applied to `values`: the permutation that sorts a table by its id.
func permuted<T>(_ values: [T], _ order: [Int]) -> [T] { order.map { values[$0] } }

/// movies.csv: `movieId,title,genres`. A repeated movieId keeps the first (the rest are duplicates).
struct MoviesCleaner: QuotedFileCleaner {
    var ledger = SmallFileLedger(file: "movies.csv")
    var table = MoviesTable()
    private var seen = Set<Int32>()
    /// Genres outside the vocabulary, with how many movies carry each (reported, never dropped).
    var unknownGenres: [String: Int] = [:]
    /// Older drops' genre names mapped onto the vocabulary (`GenreVocabulary.aliases`); nil maps
    /// a name to no genre at all (ml-100k's "unknown").
    var aliases: [String: String?] = [:]
    /// How many movies each alias was applied to, for the catalog.
    var aliasesApplied: [String: Int] = [:]

    init(file: String = "movies.csv", aliases: [String: String?] = [:]) {
        ledger = SmallFileLedger(file: file)
        self.aliases = aliases
    }
    private static let genreIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: GenreVocabulary.genres.enumerated().map { ($1.name, $0) })

    mutating func consume(fields: [String], raw: @autoclosure () -> String, line: Int) {
        ledger.counts.linesRead += 1
        guard fields.count == 3 else { return ledger.reject(raw(), line: line, reason: .fieldCount) }
        let id: Int32
        switch parseIdField(fields[0]) {
        case .failure(let reason): return ledger.reject(raw(), line: line, reason: reason)
        case .success(let v): id = v
        }
        let title = fields[1].trimmingBlanks()
        if title.isEmpty { return ledger.reject(raw(), line: line, reason: .blankField) }
        guard seen.insert(id).inserted else {
            ledger.counts.duplicates += 1
            return
        }
        let (normalized, year) = MovieTitle.normalize(title)
        let genreText = fields[2].trimmingBlanks()
        var genres: [String] = genreText.isEmpty || genreText == GenreVocabulary.noGenresMarker
            ? [] : genreText.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        if !aliases.isEmpty {
            genres = genres.compactMap { g in
                guard let mapped = aliases[g] else { return g }
                aliasesApplied[g, default: 0] += 1
                return mapped
            }
        }
        table.movieId.append(id)
        table.title.append(title)
        table.sourceLine.append(Int32(truncatingIfNeeded: line))
        table.titleNormalized.append(normalized)
        table.year.append(year ?? 0)
        table.yearPresent.append(year != nil)
        table.genres.append(genres)
        var hot = [Bool](repeating: false, count: GenreVocabulary.oneHotColumns.count)
        for g in genres {
            if let i = Self.genreIndex[g] { hot[i] = true } else { unknownGenres[g, default: 0] += 1 }
        }
        hot[hot.count - 1] = genres.isEmpty
        for (c, v) in hot.enumerated() { table.oneHot[c].append(v) }
    }

    /// The table sorted by movie id, and its reconciliation.
    mutating func finish() -> (MoviesTable, FileReconciliation) {
        let order = table.movieId.indices.sorted { table.movieId[$0] < table.movieId[$1] }
        var t = MoviesTable()
        t.movieId = permuted(table.movieId, order)
        t.title = permuted(table.title, order)
        t.titleNormalized = permuted(table.titleNormalized, order)
        t.year = permuted(table.year, order)
        t.yearPresent = permuted(table.yearPresent, order)
        t.genres = permuted(table.genres, order)
        t.oneHot = table.oneHot.map { permuted($0, order) }
        t.sourceLine = permuted(table.sourceLine, order)
        ledger.counts.clean = t.count
        return (t, ledger.counts)
    }
}

/// links.csv: `movieId,imdbId,tmdbId`. Orphans first, then a repeated movieId keeps the first.
struct LinksCleaner: QuotedFileCleaner {
    let knownMovies: IdSet
    var ledger = SmallFileLedger(file: "links.csv")
    var table = LinksTable()
    private var seen = Set<Int32>()

    init(knownMovies: IdSet) { self.knownMovies = knownMovies }

    mutating func consume(fields: [String], raw: @autoclosure () -> String, line: Int) {
        ledger.counts.linesRead += 1
        guard fields.count == 3 else { return ledger.reject(raw(), line: line, reason: .fieldCount) }
        let id: Int32
        switch parseIdField(fields[0]) {
        case .failure(let reason): return ledger.reject(raw(), line: line, reason: reason)
        case .success(let v): id = v
        }
        let tmdbText = fields[2].trimmingBlanks()
        var tmdb: Int32?
        if !tmdbText.isEmpty {
            guard let v = Int32(tmdbText) else { return ledger.reject(raw(), line: line, reason: .unparseable) }
            tmdb = v
        }
        guard knownMovies.contains(id) else { return ledger.reject(raw(), line: line, reason: .orphan) }
        guard seen.insert(id).inserted else {
            ledger.counts.duplicates += 1
            return
        }
        table.movieId.append(id)
        table.imdbId.append(fields[1].trimmingBlanks())
        table.tmdbId.append(tmdb ?? 0)
        table.tmdbPresent.append(tmdb != nil)
        table.sourceLine.append(Int32(truncatingIfNeeded: line))
    }

    mutating func finish() -> (LinksTable, FileReconciliation) {
        let order = table.movieId.indices.sorted { table.movieId[$0] < table.movieId[$1] }
        var t = LinksTable()
        t.movieId = permuted(table.movieId, order)
        t.imdbId = permuted(table.imdbId, order)
        t.tmdbId = permuted(table.tmdbId, order)
        t.tmdbPresent = permuted(table.tmdbPresent, order)
        t.sourceLine = permuted(table.sourceLine, order)
        ledger.counts.clean = t.count
        return (t, ledger.counts)
    }
}

/// tags.csv: `userId,movieId,tag,timestamp`. Empty tags rejected; orphans as for ratings;
/// tags are not deduplicated (the same user may tag a movie twice at different times).
struct TagsCleaner: QuotedFileCleaner {
    let knownMovies: IdSet
    var ledger: SmallFileLedger
    var table = TagsTable()

    /// `expectedRows` reserves the columns (growing them by doubling copies each one).
    init(knownMovies: IdSet, file: String = "tags.csv", expectedRows: Int = 0) {
        self.knownMovies = knownMovies
        ledger = SmallFileLedger(file: file)
        table.userId.reserveCapacity(expectedRows)
        table.movieId.reserveCapacity(expectedRows)
        table.tag.reserveCapacity(expectedRows)
        table.tagNormalized.reserveCapacity(expectedRows)
        table.taggedAt.reserveCapacity(expectedRows)
        table.sourceLine.reserveCapacity(expectedRows)
    }

    mutating func consume(fields: [String], raw: @autoclosure () -> String, line: Int) {
        ledger.counts.linesRead += 1
        guard fields.count == 4 else { return ledger.reject(raw(), line: line, reason: .fieldCount) }
        let user: Int32, movie: Int32
        switch parseIdField(fields[0]) {
        case .failure(let reason): return ledger.reject(raw(), line: line, reason: reason)
        case .success(let v): user = v
        }
        switch parseIdField(fields[1]) {
        case .failure(let reason): return ledger.reject(raw(), line: line, reason: reason)
        case .success(let v): movie = v
        }
        let ts: Int64
        if let v = fields[3].plainDigitsValue(maxDigits: 15) {
            ts = v
        } else {
            let tsText = fields[3].trimmingBlanks()
            if tsText.isEmpty { return ledger.reject(raw(), line: line, reason: .blankField) }
            guard let v = Int64(tsText) else { return ledger.reject(raw(), line: line, reason: .unparseable) }
            ts = v
        }
        let tag = fields[2].trimmingBlanks()
        if tag.isEmpty { return ledger.reject(raw(), line: line, reason: .emptyTag) }
        guard knownMovies.contains(movie) else { return ledger.reject(raw(), line: line, reason: .orphan) }
        table.userId.append(user)
        table.movieId.append(movie)
        table.tag.append(tag)
        table.tagNormalized.append(tag.lowercased())
        table.taggedAt.append(ts)
        table.sourceLine.append(Int32(truncatingIfNeeded: line))
    }

    mutating func finish() -> (TagsTable, FileReconciliation) {
        ledger.counts.clean = table.count
        return (table, ledger.counts)
    }
}

/// genome-tags.csv: `tagId,tag`. A repeated tagId keeps the first.
struct GenomeTagsCleaner: QuotedFileCleaner {
    var ledger = SmallFileLedger(file: "genome-tags.csv")
    var table = GenomeTagsTable()
    private var seen = Set<Int32>()

    mutating func consume(fields: [String], raw: @autoclosure () -> String, line: Int) {
        ledger.counts.linesRead += 1
        guard fields.count == 2 else { return ledger.reject(raw(), line: line, reason: .fieldCount) }
        let id: Int32
        switch parseIdField(fields[0]) {
        case .failure(let reason): return ledger.reject(raw(), line: line, reason: reason)
        case .success(let v): id = v
        }
        guard seen.insert(id).inserted else {
            ledger.counts.duplicates += 1
            return
        }
        table.tagId.append(id)
        table.tag.append(fields[1].trimmingBlanks())
    }

    mutating func finish() -> (GenomeTagsTable, FileReconciliation) {
        let order = table.tagId.indices.sorted { table.tagId[$0] < table.tagId[$1] }
        var t = GenomeTagsTable()
        t.tagId = permuted(table.tagId, order)
        t.tag = permuted(table.tag, order)
        ledger.counts.clean = t.count
        return (t, ledger.counts)
    }
}

/// genome-scores.csv: `movieId,tagId,relevance`, unquoted numbers. Orphans: a movie the cleaned
/// movies lack or a tag the cleaned genome tags lack. Relevance capped to [0, 1].
struct GenomeScoresCleaner {
    let knownMovies: IdSet
    let knownTags: IdSet
    var ledger = SmallFileLedger(file: "genome-scores.csv")
    var table = GenomeScoresTable()
    var capped = 0
    private var values = NumericLine.Values()

    init(knownMovies: IdSet, knownTags: IdSet) {
        self.knownMovies = knownMovies
        self.knownTags = knownTags
    }

    /// Takes one data line (header excluded); `raw` is the line as read when `line` is shorter
    /// (a spreadsheet-saved file's empty trailing columns dropped).
    @inline(__always)
    mutating func consume(_ line: UnsafeRawBufferPointer, lineNumber: Int, raw: UnsafeRawBufferPointer? = nil) {
        ledger.counts.linesRead += 1
        if let reason = NumericLine.parseScore(line, into: &values) {
            return ledger.reject(String(decoding: raw ?? line, as: UTF8.self), line: lineNumber, reason: reason)
        }
        let movie = Int32(truncatingIfNeeded: values.ints.0)
        let tag = Int32(truncatingIfNeeded: values.ints.1)
        guard knownMovies.contains(movie), knownTags.contains(tag) else {
            return ledger.reject(String(decoding: raw ?? line, as: UTF8.self), line: lineNumber, reason: .orphan)
        }
        var r = values.nums.2
        if r < 0 || r > 1 {
            r = min(max(r, 0), 1)
            capped += 1
        }
        table.append(movieId: movie, tagId: tag, relevance: Float(r))
    }

    mutating func finish() -> (GenomeScoresTable, FileReconciliation) {
        ledger.counts.clean = table.count
        return (table, ledger.counts)
    }
}
