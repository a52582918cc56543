import PGClient

/// Binary COPY of each lens table into a version schema, column order as in
/// `sql/warehouse/create_version_tables.sql` and `create_ratings_tables.sql`. Rows stream through
/// one reused encoder buffer, flushed every ~1 MiB, so memory stays flat whatever the table size.
/// Each COPY uses FREEZE: the loader creates the tables in the same transaction, so rows can be
/// written frozen and their pages all-visible, which spares the index builds, the checks and the
/// first analyst query the hint-bit writes over the whole table.
enum TableCopy {
    /// Flush threshold of the encoder buffer.
    static let flushBytes = 1 << 20
    /// Rows between two progress reports of a large table (a mask: every 65,536 rows).
    static let reportMask = (1 << 16) - 1

    /// Copies the ratings (and, when the buffer is held back, ratings_buffer) into `schema`;
    /// returns rows per table as the server counted. `onRows` hears (table, rows encoded, rows in
    /// all) every 65,536 rows.
    static func copyRatings(_ tables: LensTables, into schema: String, on conn: PGConnection,
                            includeBuffer: Bool, onTable: (String, Int) -> Void = { _, _ in },
                            onRows: (String, Int64, Int64) -> Void = { _, _, _ in }) throws -> [String: Int] {
        var rows: [String: Int] = [:]
        let columns = "user_id, movie_id, rating, rated_at, split, batch, source_line"
        // Train and test always; the buffer into `ratings`, or held back in `ratings_buffer`.
        // In (userId, movieId) order, not the split's time order: the primary key's index build
        // then finds its input sorted (ml-25m: 7 s instead of 18), and the movie index's is
        // cheaper too (13 s instead of 17).
        let s = tables.ratings
        let order = s.userMovieOrder ?? TemporalSplit.userMovieOrder(of: s.rows)
        let loadedEnd = includeBuffer ? s.rows.count : s.trainCount + s.testCount
        rows["ratings"] = try copyBinary(into: "\(schema).ratings", columns: columns, on: conn) { enc, w in
            try encodeRatings(s, order: order, positions: 0..<loadedEnd, into: &enc, writer: w) { onRows("ratings", $0, Int64(loadedEnd)) }
        }
        onTable("ratings", rows["ratings"]!)
        KillPoint.check("after_copy_ratings")
        if !includeBuffer {
            rows["ratings_buffer"] = try copyBinary(into: "\(schema).ratings_buffer", columns: columns, on: conn) { enc, w in
                try encodeRatings(s, order: order, positions: loadedEnd..<s.rows.count, into: &enc, writer: w) {
                    onRows("ratings_buffer", $0, Int64(s.rows.count - loadedEnd))
                }
            }
            onTable("ratings_buffer", rows["ratings_buffer"]!)
        }
        return rows
    }

    /// Copies every other table of `tables` into `schema`; returns rows per table as the server counted.
    static func copyOthers(_ tables: LensTables, into schema: String, on conn: PGConnection,
                           onTable: (String, Int) -> Void = { _, _ in },
                           onRows: (String, Int64, Int64) -> Void = { _, _, _ in }) throws -> [String: Int] {
        var rows: [String: Int] = [:]
        func copy(_ table: String, _ columns: String, _ body: (inout PGBinaryCopyEncoder, PGCopySink) throws -> Void) throws {
            let n = try copyBinary(into: "\(schema).\(table)", columns: columns, on: conn, body)
            rows[table] = n
            onTable(table, n)
            KillPoint.check("after_copy_\(table)")
        }
        let m = tables.movies
        let oneHotNames = GenreVocabulary.oneHotColumns.joined(separator: ", ")
        try copy("movies", "movie_id, title, title_normalized, year, genres, \(oneHotNames), source_line") { enc, w in
            let fields = Int16(6 + m.oneHot.count)
            for i in 0..<m.count {
                enc.beginRow(fieldCount: fields)
                enc.int32(m.movieId[i])
                enc.text(m.title[i])
                enc.text(m.titleNormalized[i])
                if m.yearPresent[i] { enc.int16(m.year[i]) } else { enc.null() }
                enc.textArray(m.genres[i])
                for c in 0..<m.oneHot.count { enc.bool(m.oneHot[c][i]) }
                enc.int32(m.sourceLine[i])
                if enc.count > flushBytes { try w.flush(&enc) }
            }
        }
        let l = tables.links
        try copy("links", "movie_id, imdb_id, tmdb_id, source_line") { enc, w in
            for i in 0..<l.count {
                enc.beginRow(fieldCount: 4)
                enc.int32(l.movieId[i])
                enc.text(l.imdbId[i])
                if l.tmdbPresent[i] { enc.int32(l.tmdbId[i]) } else { enc.null() }
                enc.int32(l.sourceLine[i])
                if enc.count > flushBytes { try w.flush(&enc) }
            }
        }
        let t = tables.tags
        try copy("tags", "user_id, movie_id, tag, tag_normalized, tagged_at, source_line") { enc, w in
            for i in 0..<t.count {
                enc.beginRow(fieldCount: 6)
                enc.int32(t.userId[i])
                enc.int32(t.movieId[i])
                enc.text(t.tag[i])
                enc.text(t.tagNormalized[i])
                enc.timestamptz(epochMicros: t.taggedAt[i] * 1_000_000)
                enc.int32(t.sourceLine[i])
                if enc.count > flushBytes { try w.flush(&enc) }
            }
        }
        if let gt = tables.genomeTags {
            try copy("genome_tags", "tag_id, tag") { enc, w in
                for i in 0..<gt.count {
                    enc.beginRow(fieldCount: 2)
                    enc.int32(gt.tagId[i])
                    enc.text(gt.tag[i])
                    if enc.count > flushBytes { try w.flush(&enc) }
                }
            }
        }
        if let gs = tables.genomeScores {
            try copy("genome_scores", "movie_id, tag_id, relevance") { enc, w in
                // Row by row in table order; a grid's ids come block by block, without a division per row.
                var sent = 0
                try gs.forEachRow { movieId, tagId, relevance in
                    sent &+= 1
                    if sent & reportMask == 0 { onRows("genome_scores", Int64(sent), Int64(gs.count)) }
                    enc.beginRow(fieldCount: 3)
                    enc.int32(movieId)
                    enc.int32(tagId)
                    enc.float4(relevance)
                    if enc.count > flushBytes { try w.flush(&enc) }
                }
            }
        }
        if let pca = tables.pca {
            try copy("movie_embeddings", "movie_id, embedding") { enc, w in
                for i in 0..<pca.movieIds.count {
                    enc.beginRow(fieldCount: 2)
                    enc.int32(pca.movieIds[i])
                    enc.float4Array(Array(pca.embedding(ofRow: i)))
                    if enc.count > flushBytes { try w.flush(&enc) }
                }
            }
            try copy("genome_pca", "component, explained_variance, explained_variance_ratio, loadings") { enc, w in
                for c in 0..<pca.k {
                    enc.beginRow(fieldCount: 4)
                    enc.int16(Int16(c + 1))
                    enc.float8(pca.explainedVariance[c])
                    enc.float8(pca.explainedVarianceRatio[c])
                    enc.float4Array(pca.loadings(ofComponent: c).map { Float($0) })
                    if enc.count > flushBytes { try w.flush(&enc) }
                }
            }
        }
        let ms = tables.movieStats
        try copy("movie_stats", "movie_id, n_ratings, mean_rating, first_rated_at, last_rated_at, weighted_rating") { enc, w in
            for i in 0..<ms.count {
                enc.beginRow(fieldCount: 6)
                enc.int32(ms.movieId[i])
                enc.int32(ms.nRatings[i])
                enc.float8(ms.meanRating[i])
                enc.timestamptz(epochMicros: ms.firstRatedAt[i] * 1_000_000)
                enc.timestamptz(epochMicros: ms.lastRatedAt[i] * 1_000_000)
                enc.float8(ms.weightedRating[i])
                if enc.count > flushBytes { try w.flush(&enc) }
            }
        }
        let us = tables.userStats
        try copy("user_stats", "user_id, n_ratings, mean_rating, n_ratings_winsorized") { enc, w in
            for i in 0..<us.count {
                enc.beginRow(fieldCount: 4)
                enc.int32(us.userId[i])
                enc.int32(us.nRatings[i])
                enc.float8(us.meanRating[i])
                enc.float8(us.nRatingsWinsorized[i])
                if enc.count > flushBytes { try w.flush(&enc) }
            }
        }
        if let u = tables.users {
            try copy("users", "user_id, gender, age, occupation, zip_code, source_line") { enc, w in
                for i in 0..<u.count {
                    enc.beginRow(fieldCount: 6)
                    enc.int32(u.userId[i])
                    enc.text(u.gender[i])
                    enc.int16(u.age[i])
                    enc.text(u.occupation[i])
                    enc.text(u.zipCode[i])
                    enc.int32(u.sourceLine[i])
                    if enc.count > flushBytes { try w.flush(&enc) }
                }
            }
        }
        try copy("quarantine", "file, line, raw, reason") { enc, w in
            for q in tables.quarantine {
                enc.beginRow(fieldCount: 4)
                enc.text(q.file)
                enc.int64(q.line)
                enc.text(q.raw)
                enc.text(q.reason.rawValue)
                if enc.count > flushBytes { try w.flush(&enc) }
            }
        }
        return rows
    }

    /// Encodes the ratings at `positions` (in the split order) with their split and batch, in
    /// the order `order` lists them (every position once). `onRows` hears the rows encoded so far
    /// every 65,536 rows.
    static func encodeRatings(_ s: SplitRatings, order: [UInt32], positions: Range<Int>, into enc: inout PGBinaryCopyEncoder,
                              writer w: PGCopySink, onRows: (Int64) -> Void = { _ in }) throws {
        let testStart = s.trainCount, bufferStart = s.trainCount + s.testCount
        let lines = s.rows.sourceLine.count == s.rows.count ? s.rows.sourceLine : [Int32](repeating: 0, count: s.rows.count)
        try s.rows.userId.withUnsafeBufferPointer { u in
            try s.rows.movieId.withUnsafeBufferPointer { mv in
                try s.rows.rating.withUnsafeBufferPointer { r in
                    let base = s.rows.ratedAt.base
                    try s.rows.ratedAt.offsets.withUnsafeBufferPointer { at in
                        var sent = 0
                        for position in order {
                            let i = Int(position)
                            guard positions.contains(i) else { continue }
                            sent &+= 1
                            if sent & reportMask == 0 { onRows(Int64(sent)) }
                            enc.beginRow(fieldCount: 7)
                            enc.int32(u[i])
                            enc.int32(mv[i])
                            enc.float4(r[i])
                            enc.timestamptz(epochMicros: (base + Int64(at[i])) * 1_000_000)
                            if i < testStart {
                                enc.text("train")
                                enc.null()
                            } else if i < bufferStart {
                                enc.text("test")
                                enc.null()
                            } else {
                                enc.text("buffer")
                                enc.int16(Int16(s.batch(ofBufferPosition: i - bufferStart)))
                            }
                            enc.int32(lines[i])
                            if enc.count > flushBytes { try w.flush(&enc) }
                        }
                    }
                }
            }
        }
    }

    /// One binary COPY into `table` (schema-qualified): header, the rows `body` encodes (flushing
    /// as it goes), trailer. Returns the rows the server counted.
    static func copyBinary(into table: String, columns: String, on conn: PGConnection,
                           _ body: (inout PGBinaryCopyEncoder, PGCopySink) throws -> Void) throws -> Int {
        try conn.copyIn("copy \(table) (\(columns)) from stdin (format binary, freeze)") { writer in
            // encoding overlaps with libpq waiting on the server (25m ratings, beside the other
            // connection's load: 22.6 s -> 18.6 s)
            try PGBackgroundCopySender.withSender(writer: writer) { sender in
                var enc = PGBinaryCopyEncoder()
                enc.header()
                try body(&enc, sender)
                enc.trailer()
                try sender.flush(&enc)  // withSender waits until it is sent
            }
        }
    }

    /// COPYs the association rules into `schema`.movie_pair_lift (created by the caller).
    static func copyPairLift(_ rules: MoviePairLift, into schema: String, on conn: PGConnection) throws -> Int {
        let columns = "antecedent_id, consequent_id, n_users, support, confidence, lift, antecedent_support, consequent_support"
        return try copyBinary(into: "\(schema).movie_pair_lift", columns: columns, on: conn) { enc, w in
            for i in 0..<rules.count {
                enc.beginRow(fieldCount: 8)
                enc.int32(rules.antecedentId[i])
                enc.int32(rules.consequentId[i])
                enc.int32(rules.nUsers[i])
                enc.float8(rules.support[i])
                enc.float8(rules.confidence[i])
                enc.float8(rules.lift[i])
                enc.float8(rules.antecedentSupport[i])
                enc.float8(rules.consequentSupport[i])
                if enc.count > flushBytes { try w.flush(&enc) }
            }
        }
    }
}
