import PGClient

/// Binary COPY of each lens table into a version schema, columns by name in the order of their
/// `TableSpec` (`LensTableSpecs`), checked before each COPY. Rows stream through
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
        try LensTableSpecs.checkColumns(ratingsColumns, of: LensTableSpecs.ratings, parquet: false, what: "the COPY")
        let columns = LensTableSpecs.ratings.copyColumnList
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

    /// Encodes one column's value of row `i`.
    typealias CellEncoder = (inout PGBinaryCopyEncoder, Int) -> Void

    /// The COPY column encoders of every table of `tables` but the ratings and genome_scores
    /// (streamed by their own loops), by column name, with each table's row count. The names are
    /// checked against the table's spec when copied (and by LensTableSpecTests without a server).
    /// `server`: the optional columns the tables have (pgvector: movie_embeddings.embedding_vector).
    static func columnEncoders(_ tables: LensTables, server: ServerFeatures = .plain) -> [(spec: TableSpec, rows: Int, columns: [(String, CellEncoder)])] {
        var out: [(spec: TableSpec, rows: Int, columns: [(String, CellEncoder)])] = []
        let m = tables.movies
        out.append((LensTableSpecs.movies, m.count, [
            ("movie_id", { $0.int32(m.movieId[$1]) }),
            ("title", { $0.text(m.title[$1]) }),
            ("title_normalized", { $0.text(m.titleNormalized[$1]) }),
            ("year", { if m.yearPresent[$1] { $0.int16(m.year[$1]) } else { $0.null() } }),
            ("genres", { $0.textArray(m.genres[$1]) }),
        ] + GenreVocabulary.oneHotColumns.indices.map { c in (GenreVocabulary.oneHotColumns[c], { $0.bool(m.oneHot[c][$1]) }) }
          + [("source_line", { $0.int32(m.sourceLine[$1]) })]))
        let l = tables.links
        out.append((LensTableSpecs.links, l.count, [
            ("movie_id", { $0.int32(l.movieId[$1]) }),
            ("imdb_id", { $0.text(l.imdbId[$1]) }),
            ("tmdb_id", { if l.tmdbPresent[$1] { $0.int32(l.tmdbId[$1]) } else { $0.null() } }),
            ("source_line", { $0.int32(l.sourceLine[$1]) }),
        ]))
        let t = tables.tags
        out.append((LensTableSpecs.tags, t.count, [
            ("user_id", { $0.int32(t.userId[$1]) }),
            ("movie_id", { $0.int32(t.movieId[$1]) }),
            ("tag", { $0.text(t.tag[$1]) }),
            ("tag_normalized", { $0.text(t.tagNormalized[$1]) }),
            ("tagged_at", { $0.timestamptz(epochMicros: t.taggedAt[$1] * 1_000_000) }),
            ("source_line", { $0.int32(t.sourceLine[$1]) }),
        ]))
        if let gt = tables.genomeTags {
            out.append((LensTableSpecs.genomeTags, gt.count, [
                ("tag_id", { $0.int32(gt.tagId[$1]) }),
                ("tag", { $0.text(gt.tag[$1]) }),
            ]))
        }
        if let pca = tables.pca {
            out.append((LensTableSpecs.movieEmbeddings.on(server), pca.movieIds.count, [
                ("movie_id", { $0.int32(pca.movieIds[$1]) }),
                ("embedding", { $0.float4Array(Array(pca.embedding(ofRow: $1))) }),
            ] + (server.vector == nil ? [] : [
                // the same floats in pgvector's binary format: no SQL pass over the table after COPY
                ("embedding_vector", { $0.pgvector(Array(pca.embedding(ofRow: $1))) }),
            ])))
            out.append((LensTableSpecs.genomePCA, pca.k, [
                ("component", { $0.int16(Int16($1 + 1)) }),
                ("explained_variance", { $0.float8(pca.explainedVariance[$1]) }),
                ("explained_variance_ratio", { $0.float8(pca.explainedVarianceRatio[$1]) }),
                ("loadings", { $0.float4Array(pca.loadings(ofComponent: $1).map { Float($0) }) }),
            ]))
        }
        let ms = tables.movieStats
        out.append((LensTableSpecs.movieStats, ms.count, [
            ("movie_id", { $0.int32(ms.movieId[$1]) }),
            ("n_ratings", { $0.int32(ms.nRatings[$1]) }),
            ("mean_rating", { $0.float8(ms.meanRating[$1]) }),
            ("first_rated_at", { $0.timestamptz(epochMicros: ms.firstRatedAt[$1] * 1_000_000) }),
            ("last_rated_at", { $0.timestamptz(epochMicros: ms.lastRatedAt[$1] * 1_000_000) }),
            ("weighted_rating", { $0.float8(ms.weightedRating[$1]) }),
        ]))
        let us = tables.userStats
        out.append((LensTableSpecs.userStats, us.count, [
            ("user_id", { $0.int32(us.userId[$1]) }),
            ("n_ratings", { $0.int32(us.nRatings[$1]) }),
            ("mean_rating", { $0.float8(us.meanRating[$1]) }),
            ("n_ratings_winsorized", { $0.float8(us.nRatingsWinsorized[$1]) }),
        ]))
        if let u = tables.users {
            out.append((LensTableSpecs.users, u.count, [
                ("user_id", { $0.int32(u.userId[$1]) }),
                ("gender", { $0.text(u.gender[$1]) }),
                ("age", { $0.int16(u.age[$1]) }),
                ("occupation", { $0.text(u.occupation[$1]) }),
                ("zip_code", { $0.text(u.zipCode[$1]) }),
                ("source_line", { $0.int32(u.sourceLine[$1]) }),
            ]))
        }
        let q = tables.quarantine
        out.append((LensTableSpecs.quarantine, q.count, [
            ("file", { $0.text(q[$1].file) }),
            ("line", { $0.int64(q[$1].line) }),
            ("raw", { $0.text(q[$1].raw) }),
            ("reason", { $0.text(q[$1].reason.rawValue) }),
        ]))
        if let r = tables.rollups { out += rollupEncoders(r) }
        return out
    }

    /// The genome_scores columns `copyOthers` encodes row by row in its own loop (a grid's ids
    /// come block by block, without a division per row).
    static let genomeScoresColumns = ["movie_id", "tag_id", "relevance"]

    /// Copies every other table of `tables` into `schema` (in `LensTableSpecs.others` order);
    /// returns rows per table as the server counted.
    static func copyOthers(_ tables: LensTables, into schema: String, server: ServerFeatures = .plain, on conn: PGConnection,
                           onTable: (String, Int) -> Void = { _, _ in },
                           onRows: (String, Int64, Int64) -> Void = { _, _, _ in }) throws -> [String: Int] {
        var rows: [String: Int] = [:]
        func copy(_ spec: TableSpec, _ body: (inout PGBinaryCopyEncoder, PGCopySink) throws -> Void) throws {
            let n = try copyBinary(into: "\(schema).\(spec.name)", columns: spec.copyColumnList, on: conn, body)
            rows[spec.name] = n
            onTable(spec.name, n)
            KillPoint.check("after_copy_\(spec.name)")
        }
        var encoders: [String: (rows: Int, columns: [CellEncoder])] = [:]
        for (spec, count, columns) in columnEncoders(tables, server: server) {
            encoders[spec.name] = (count, try LensTableSpecs.ordered(columns, for: spec, parquet: false, what: "the COPY"))
        }
        for spec in LensTableSpecs.others.map({ $0.on(server) }) {
            if spec.name == LensTableSpecs.genomeScores.name {
                guard let gs = tables.genomeScores else { continue }
                try LensTableSpecs.checkColumns(genomeScoresColumns, of: spec, parquet: false, what: "the COPY")
                try copy(spec) { enc, w in
                    var sent = 0
                    try gs.forEachRow { movieId, tagId, relevance in
                        sent &+= 1
                        if sent & reportMask == 0 { onRows(spec.name, Int64(sent), Int64(gs.count)) }
                        enc.beginRow(fieldCount: 3)
                        enc.int32(movieId)
                        enc.int32(tagId)
                        enc.float4(relevance)
                        if enc.count > flushBytes { try w.flush(&enc) }
                    }
                }
                continue
            }
            guard let (count, columns) = encoders[spec.name] else { continue }  // a table this drop lacks
            let fields = Int16(columns.count)
            try copy(spec) { enc, w in
                for i in 0..<count {
                    if i & reportMask == reportMask { onRows(spec.name, Int64(i + 1), Int64(count)) }
                    enc.beginRow(fieldCount: fields)
                    for column in columns { column(&enc, i) }
                    if enc.count > flushBytes { try w.flush(&enc) }
                }
            }
        }
        return rows
    }

    /// The ratings columns `encodeRatings` writes, in its order.
    static let ratingsColumns = ["user_id", "movie_id", "rating", "rated_at", "split", "batch", "source_line"]

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

    /// The movie_pair_lift columns `copyPairLift` writes, in its order.
    static let pairLiftColumns = ["antecedent_id", "consequent_id", "n_users", "support", "confidence", "lift",
                                  "antecedent_support", "consequent_support"]

    /// COPYs the association rules into `schema`.movie_pair_lift (created by the caller).
    static func copyPairLift(_ rules: MoviePairLift, into schema: String, on conn: PGConnection) throws -> Int {
        let spec = LensTableSpecs.moviePairLift
        try LensTableSpecs.checkColumns(pairLiftColumns, of: spec, parquet: false, what: "the COPY")
        return try copyBinary(into: "\(schema).\(spec.name)", columns: spec.copyColumnList, on: conn) { enc, w in
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
